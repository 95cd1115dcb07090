export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** A connection that stayed up this long resets the attempt counter (the old feed never reset it). */
  stableMs: number;
}

/**
 * Reconnect delays: exponential with full jitter (a random delay in [0, min(max, base * 2^attempt)]), so many
 * instances reconnecting after one venue incident spread out instead of stampeding. Pure apart from `random`.
 */
export class Backoff {
  private attempt = 0;
  private connectedAt: number | undefined;

  constructor(
    private readonly o: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Delay before the next connection attempt; also counts the attempt. */
  next(): number {
    const cap = Math.min(this.o.maxMs, this.o.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * cap);
  }

  connected(now: number): void {
    this.connectedAt = now;
  }

  disconnected(now: number): void {
    if (this.connectedAt !== undefined && now - this.connectedAt >= this.o.stableMs) this.attempt = 0;
    this.connectedAt = undefined;
  }

  get attempts(): number {
    return this.attempt;
  }
}
