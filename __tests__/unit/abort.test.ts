import { describe, expect, test } from '@jest/globals'
import { getEventListeners } from 'node:events'
import { onAbort } from '../../src/transport/abort.js'

describe('onAbort', () => {
  test('one listener on the signal however many wait, each called once on abort', () => {
    const controller = new AbortController()
    const called: number[] = []
    for (let i = 0; i < 100; i++) onAbort(controller.signal, () => void called.push(i))
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1)
    controller.abort()
    controller.abort()
    expect(called).toEqual(Array.from({ length: 100 }, (_, i) => i))
  })

  test('an unsubscribed callback is never called, and unsubscribing twice cannot drop a later one', () => {
    const controller = new AbortController()
    const called: string[] = []
    const first = onAbort(controller.signal, () => void called.push('first'))
    first()
    // The freed slot is taken by the next one; the first's second unsubscribe must leave it alone.
    onAbort(controller.signal, () => void called.push('second'))
    first()
    controller.abort()
    expect(called).toEqual(['second'])
  })

  test('a callback may subscribe or unsubscribe others while the signal fires', () => {
    const controller = new AbortController()
    const called: string[] = []
    let later: () => void = () => undefined
    onAbort(controller.signal, () => {
      called.push('a')
      later()
    })
    later = onAbort(controller.signal, () => void called.push('b'))
    controller.abort()
    expect(called).toEqual(['a'])
  })
})
