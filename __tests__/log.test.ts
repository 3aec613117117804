import { describe, expect, test } from '@jest/globals'
import { LineLog } from '../src/log.js'

describe('LineLog', () => {
  test('batches lines into one write, in order, when the batch is full', () => {
    const writes: string[] = []
    const log = new LineLog(text => writes.push(text), 10_000, 3)
    log.line('a')
    log.line('b')
    expect(writes).toEqual([])
    log.line('c')
    expect(writes).toEqual(['a\nb\nc\n'])
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
