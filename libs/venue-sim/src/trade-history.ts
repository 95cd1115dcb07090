import type { SimTrade } from './types';

/**
 * The recent trades of one market as its REST endpoint shows them: every trade that was sent AND every trade
 * the `gap` fault skipped, in id order, so that a client can repair a gap from REST. Bounded (a ring).
 */
export class TradeHistory {
  private readonly items: SimTrade[] = [];

  constructor(private readonly cap: number) {}

  add(trade: SimTrade): void {
    this.items.push(trade);
    if (this.items.length > this.cap + Math.max(1, Math.floor(this.cap / 10))) this.items.splice(0, this.items.length - this.cap);
  }

  /** The last `limit` trades, oldest first. */
  last(limit: number): SimTrade[] {
    const from = Math.max(0, this.items.length - Math.min(limit, this.cap));
    return this.items.slice(from);
  }
}
