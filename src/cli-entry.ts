#!/usr/bin/env node
import { cancelledExitCode, main } from './shells/cli.js'
import { cancelOnSignals } from './shells/signals.js'

const cancellation = cancelOnSignals(line => process.stderr.write(`\n${line}\n`), cancelledExitCode)
try {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: text => process.stdout.write(text),
    stderr: text => process.stderr.write(text),
    interactive: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    signal: cancellation.signal,
    atSecondSignal: write => cancellation.atSecondSignal(write)
  })
} finally {
  cancellation.dispose()
}
