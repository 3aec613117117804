// A purge the way a user would write it over ImageKit's official SDK: a pool of CONCURRENCY calls to
// client.files.delete or, with BULK=1, to client.files.bulk.delete with 100 IDs each; the SDK's own retries (two,
// backing off up to 8 s) and defaults. The benchmark's baseline.
//
//   IMAGEKIT_PRIVATE_KEY=… IMAGE_KIT_BASE_URL=… CONCURRENCY=16 [BULK=1] node bench/baselines/imagekit-sdk.mjs ids.txt
//
// Prints one JSON line: how many were deleted, missing (404) and failed.
import { readFileSync } from 'node:fs'
import ImageKit, { NotFoundError } from '@imagekit/nodejs'

const client = new ImageKit()
const ids = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean)
const concurrency = Number(process.env.CONCURRENCY ?? 16)
const bulk = process.env.BULK === '1'
const tally = { deleted: 0, missing: 0, failed: 0 }

const work = []
for (let i = 0; i < ids.length; i += bulk ? 100 : 1) work.push(ids.slice(i, i + (bulk ? 100 : 1)))

let next = 0
async function worker() {
  while (next < work.length) {
    const chunk = work[next++]
    try {
      if (bulk) await client.files.bulk.delete({ fileIds: chunk })
      else await client.files.delete(chunk[0])
      tally.deleted += chunk.length
    } catch (error) {
      if (error instanceof NotFoundError) tally.missing += chunk.length
      else tally.failed += chunk.length
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, worker))
console.log(JSON.stringify(tally))
