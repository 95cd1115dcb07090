/**
 * The last `max` lines of a process's output. Servers and apps can log without bound in a long test, and a
 * failing test needs only the recent past, so memory stays bounded. `total` counts every line ever pushed,
 * which lets callers ask for "lines after the ones I have already seen" even after old ones were dropped.
 */
export class LogRing {
  private buf: string[] = [];
  private dropped = 0;

  constructor(private readonly max = 5000) {}

  push(line: string): void {
    this.buf.push(line);
    // Trim in chunks so each push stays O(1) amortised.
    if (this.buf.length >= this.max * 2) {
      const cut = this.buf.length - this.max;
      this.buf.splice(0, cut);
      this.dropped += cut;
    }
  }

  get total(): number {
    return this.dropped + this.buf.length;
  }

  /** Retained lines, oldest first. */
  lines(): string[] {
    return this.buf.length > this.max ? this.buf.slice(-this.max) : this.buf.slice();
  }

  /** Retained lines whose absolute index is >= `from`. */
  since(from: number): string[] {
    const start = Math.max(0, from - this.dropped, this.buf.length - this.max);
    return this.buf.slice(start);
  }

  tail(n = 50): string {
    return this.buf.slice(-Math.max(0, n)).join('\n');
  }

  text(): string {
    return this.lines().join('\n');
  }
}
