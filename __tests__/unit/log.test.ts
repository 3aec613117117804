import { describe, expect, test } from '@jest/globals'
import { LineLog } from '../../src/report/log.js'

describe('LineLog', () => {
  test('batches lines into one write, in order, when the batch is full', () => {
    const writes: string[] = []
    const log = new LineLog(text => writes.push(text), 10_000, 6)
    log.line('a')
    log.line('b')
    expect(writes).toEqual([])
    log.line('c')
    expect(writes).toEqual(['a\nb\nc\n'])
  })

  test('a line that does not fit goes after what is pending; characters of any width stay whole', () => {
    const writes: string[] = []
    const log = new LineLog(text => writes.push(text), 10_000, 8)
    log.line('é€')
    log.line('🗑🗑')
    log.line('a line longer than the batch')
    log.flush()
    expect(writes).toEqual(['é€\n', '🗑🗑\n', 'a line longer than the batch\n'])
  })

  test('flushes what is pending after a short delay, and on demand', async () => {
    const writes: string[] = []
    const log = new LineLog(text => writes.push(text), 20)
    log.line('a')
    await new Promise(resolve => setTimeout(resolve, 60))
    expect(writes).toEqual(['a\n'])
    log.line('b')
    log.flush()
    log.flush()
    expect(writes).toEqual(['a\n', 'b\n'])
  })
})
