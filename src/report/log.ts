import { logSafe } from '../text.js'

/**
 * Log lines batched into few writes: on a runner, stdout is a pipe and every write a system call, which at
 * thousands of IDs costs more than the requests. Lines still appear within `flushMs` of being logged. A batch is
 * kept as bytes, not as strings: at thousands of lines a second, strings waiting for their batch were enough to make
 * the garbage collector grow the heap.
 */
export class LineLog {
  private readonly block: Buffer
  private used = 0
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly write: (text: string) => void,
    private readonly flushMs = 200,
    blockBytes = 32 * 1024,
    private readonly clean: (line: string) => string = line => line
  ) {
    this.block = Buffer.alloc(blockBytes)
  }

  line(raw: string): void {
    const text = logSafe(this.clean(raw))
    const bytes = Buffer.byteLength(text) + 1
    if (this.used + bytes > this.block.length) this.flush()
    if (bytes > this.block.length) return this.write(`${text}\n`)
    this.used += this.block.write(text, this.used)
    this.block[this.used++] = 0x0a
    if (this.used === this.block.length) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs)
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    if (this.used === 0) return
    const text = this.block.toString('utf8', 0, this.used)
    this.used = 0
    this.write(text)
  }
}
