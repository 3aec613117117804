// Tests that run the action or the command as a process use a bundle built from the sources as they are now
// (FILE_PURGE_BUNDLE), so a change to src/ is what they test; one smoke test each still drives the committed dist/.
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export default function globalSetup() {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', path.join(root, '__tests__', 'harness', 'bundle.ts')],
    {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit']
    }
  )
  process.env.FILE_PURGE_BUNDLE = output.trim()
}
