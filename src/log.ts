/**
 * Log lines batched into few writes: on a runner, stdout is a pipe and every write a system call, which at
 * thousands of IDs costs more than the requests. Lines still appear within `flushMs` of being logged.
 */
export class LineLog {
  private lines: string[] = []
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly write: (text: string) => void,
    private readonly flushMs = 200,
    private readonly maxLines = 256
  ) {}

  line(text: string): void {
    this.lines.push(text)
    if (this.lines.length >= this.maxLines) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs)
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    if (this.lines.length === 0) return
    const text = `${this.lines.join('\n')}\n`
    this.lines = []
    this.write(text)
  }
}
