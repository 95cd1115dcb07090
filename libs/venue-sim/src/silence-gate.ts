/**
 * The fault switches that stop output: `silence(ms)` (nothing at all is sent: no trades, no pings) and
 * `pause()` (the market stops; pings continue). Read by the market engine and the keepalive timers.
 */
export class SilenceGate {
  private silencedUntil = 0;
  paused = false;

  constructor(private readonly now: () => number = Date.now) {}

  silence(ms: number): void {
    this.silencedUntil = Math.max(this.silencedUntil, this.now() + ms);
  }

  get silenced(): boolean {
    return this.now() < this.silencedUntil;
  }

  /** Milliseconds of silence left (0 when not silenced). */
  get silencedForMs(): number {
    return Math.max(0, this.silencedUntil - this.now());
  }

  /** Whether markets may generate trades now. */
  get marketOpen(): boolean {
    return !this.paused && !this.silenced;
  }

  clear(): void {
    this.silencedUntil = 0;
    this.paused = false;
  }
}
