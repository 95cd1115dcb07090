import type { SimConnection } from './connection';
import { PriceWalk, type MarketSpec } from './price-walk';
import { deriveSeed, mulberry32 } from './prng';
import type { SimQuote } from './quote-types';
import { QuoteWalk } from './quote-walk';
import type { SimTrade } from './types';

export interface MarketOptions {
  readonly venue: string;
  readonly symbol: string;
  readonly spec: MarketSpec;
  readonly seed: number;
  readonly firstTradeId: bigint;
  /** Trades per second. */
  readonly rate: number;
  /** Stop after this many generated trades; null = never. */
  readonly maxTrades: number | null;
  /** Best bid/ask updates per second (default 0: none). */
  readonly quoteRate?: number;
  /** First quote update id (default 1). */
  readonly firstQuoteUpdateId?: bigint;
}

export function marketKey(venue: string, symbol: string): string {
  return `${venue}:${symbol}`;
}

/**
 * One market per (venue, symbol): a seeded random walk plus the trade id sequence. The same instance feeds
 * every connection subscribed to it, so all of them see the same trades (decision 13 of the brief).
 */
export class Market {
  readonly key: string;
  readonly venue: string;
  readonly symbol: string;
  readonly spec: MarketSpec;
  readonly firstTradeId: bigint;
  readonly maxTrades: number | null;
  rate: number;
  /** Trades generated so far (sequence numbers 0..generated-1 are used). */
  generated = 0;
  /** Fractional trade carried between engine ticks, so that the long-run rate is exact. */
  carry = 0;
  /** Hostile frames shaped after this market so far (their ids count down from firstTradeId - 1). */
  hostileSeq = 0;
  readonly subscribers = new Set<SimConnection>();
  /** Connections subscribed to this market's best bid/ask channel. */
  readonly quoteSubscribers = new Set<SimConnection>();
  quoteRate: number;
  quoteCarry = 0;
  quotesGenerated = 0;
  readonly firstQuoteUpdateId: bigint;
  /** Trades still to be generated but not sent (the `gap` fault). */
  pendingSkips = 0;
  /** The gapOne fault: trades still to withhold from the oldest subscriber and send late to the others. */
  pendingOneSkips = { count: 0, delayMs: 0 };
  private readonly walk: PriceWalk;
  private readonly quoteWalk: QuoteWalk;

  constructor(opts: MarketOptions) {
    this.venue = opts.venue;
    this.symbol = opts.symbol;
    this.key = marketKey(opts.venue, opts.symbol);
    this.spec = opts.spec;
    this.firstTradeId = opts.firstTradeId;
    this.maxTrades = opts.maxTrades;
    this.rate = opts.rate;
    this.walk = new PriceWalk(mulberry32(deriveSeed(opts.seed, opts.venue, opts.symbol)), opts.spec);
    this.quoteWalk = new QuoteWalk(mulberry32(deriveSeed(opts.seed, opts.venue, opts.symbol, 'quote')), opts.spec);
    this.quoteRate = opts.quoteRate ?? 0;
    this.firstQuoteUpdateId = opts.firstQuoteUpdateId ?? 1n;
  }

  /** Whether any quote subscriber can receive a frame right now. */
  hasOpenQuoteSubscriber(): boolean {
    for (const c of this.quoteSubscribers) if (c.isOpen) return true;
    return false;
  }

  /** n best bid/ask updates around the current trade price, stamped nowMs. */
  generateQuotes(n: number, nowMs: number): SimQuote[] {
    const out: SimQuote[] = [];
    for (let i = 0; i < n; i++) {
      const last = this.walk.currentPriceUnits;
      const q = this.quoteWalk.next(last);
      out.push({
        venue: this.venue,
        symbol: this.symbol,
        seq: this.quotesGenerated,
        updateId: (this.firstQuoteUpdateId + BigInt(this.quotesGenerated)).toString(),
        ...q,
        priceDecimals: this.spec.priceDecimals,
        qtyDecimals: this.spec.qtyDecimals,
        lastUnits: last,
        timeMs: nowMs,
      });
      this.quotesGenerated++;
    }
    return out;
  }

  get exhausted(): boolean {
    return this.maxTrades !== null && this.generated >= this.maxTrades;
  }

  /** How many more trades may be generated (Infinity without maxTrades). */
  get remaining(): number {
    return this.maxTrades === null ? Infinity : Math.max(0, this.maxTrades - this.generated);
  }

  get currentPriceUnits(): number {
    return this.walk.currentPriceUnits;
  }

  /** Whether any subscriber can receive a frame right now (a closing connection cannot). */
  hasOpenSubscriber(): boolean {
    for (const c of this.subscribers) if (c.isOpen) return true;
    return false;
  }

  tradeIdAt(seq: number): string {
    return (this.firstTradeId + BigInt(seq)).toString();
  }

  /** Generate up to n trades stamped nowMs (fewer if maxTrades is reached). */
  generate(n: number, nowMs: number): SimTrade[] {
    const count = Math.min(n, this.remaining);
    const out: SimTrade[] = new Array(count);
    let id = this.firstTradeId + BigInt(this.generated);
    for (let i = 0; i < count; i++) {
      const step = this.walk.next();
      out[i] = {
        venue: this.venue,
        symbol: this.symbol,
        seq: this.generated,
        tradeId: id.toString(),
        priceUnits: step.priceUnits,
        priceDecimals: this.spec.priceDecimals,
        qtyUnits: step.qtyUnits,
        qtyDecimals: this.spec.qtyDecimals,
        tradeTimeMs: nowMs,
        eventTimeMs: nowMs,
        buyerIsMaker: step.buyerIsMaker,
      };
      this.generated++;
      id++;
    }
    return out;
  }
}
