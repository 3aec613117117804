// A purge the way a user would write it over Writer's official SDK: a pool of CONCURRENCY calls to
// client.files.delete, the SDK's own retries (two, backing off up to 8 s) and defaults. The benchmark's baseline.
//
//   WRITER_API_KEY=… WRITER_BASE_URL=… CONCURRENCY=16 node bench/baselines/writer-sdk.mjs ids.txt
//
// Prints one JSON line: how many were deleted, missing (404) and failed.
import { readFileSync } from 'node:fs'
import Writer, { NotFoundError } from 'writer-sdk'

const client = new Writer()
const ids = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean)
const concurrency = Number(process.env.CONCURRENCY ?? 16)
const tally = { deleted: 0, missing: 0, failed: 0 }

let next = 0
async function worker() {
  while (next < ids.length) {
    const id = ids[next++]
    try {
      await client.files.delete(id)
      tally.deleted++
    } catch (error) {
      if (error instanceof NotFoundError) tally.missing++
      else tally.failed++
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, worker))
console.log(JSON.stringify(tally))
