import { afterAll } from '@jest/globals'
import nock from 'nock'

// Interception is off unless a test file turns it on (nock.activate()): while active, nock gives every real
// request a new socket, which would hide keep-alive reuse from the tests that count sockets.
nock.restore()

afterAll(() => {
  nock.cleanAll()
  nock.restore()
})
