/**
 * A sliding-window budget of connection attempts per venue, so a reconnect storm (a flapping network, a bug) can
 * never exceed what the venue tolerates per IP and get the address banned (Binance: 300 connections per 5 minutes
 * per IP, then 429 and 418 bans; Bybit: 500 per 5 minutes; Coinbase: 8 per second). Each process takes a share of
 * the venue's limit (replicas on one host share the IP). Pure apart from the clock passed in.
 */
export class ConnectionBudget {
  private readonly attempts: number[] = [];

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {
    if (max < 1) throw new Error('connection budget must allow at least one attempt');
  }

  /** Milliseconds to wait before the next attempt is within budget (0 = now). */
  waitMs(now: number): number {
    while (this.attempts.length > 0 && (this.attempts[0] as number) <= now - this.windowMs) this.attempts.shift();
    if (this.attempts.length < this.max) return 0;
    return (this.attempts[0] as number) + this.windowMs - now;
  }

  /** Records an attempt made at `now`. */
  take(now: number): void {
    this.attempts.push(now);
  }
}
