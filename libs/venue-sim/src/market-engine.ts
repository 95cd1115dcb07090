import { performance } from 'node:perf_hooks';
import type { Market } from './market';
import type { SilenceGate } from './silence-gate';
import type { SimQuote } from './quote-types';
import type { SimTrade } from './types';

export interface MarketEngineOptions {
  /** Tick period; each tick emits rate x elapsed trades per market, carrying the fraction. */
  readonly tickMs: number;
  /** Generate even when nobody is subscribed (trades are then not recorded). Default false. */
  readonly generateWithoutSubscribers: boolean;
}

export type TradeSink = (market: Market, trades: SimTrade[]) => void;
export type QuoteSink = (market: Market, quotes: SimQuote[]) => void;

/**
 * Drives every market from one timer. Trades are generated in ticks (a 5 ms timer reaches tens of thousands
 * of trades per second); elapsed time is measured, not assumed, so a late timer does not lower the rate.
 * A market generates only while the gate is open and (unless configured otherwise) someone is subscribed:
 * no trade is ever generated that nobody could receive, so a test's counts are exact.
 */
export class MarketEngine {
  private timer: NodeJS.Timeout | null = null;
  private lastTick = 0;

  constructor(
    private readonly markets: readonly Market[],
    private readonly gate: SilenceGate,
    private readonly opts: MarketEngineOptions,
    private readonly sink: TradeSink,
    private readonly quoteSink: QuoteSink = () => undefined,
  ) {}

  start(): void {
    if (this.timer) return;
    this.lastTick = performance.now();
    this.timer = setInterval(() => this.tick(), this.opts.tickMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private active(market: Market): boolean {
    if (market.exhausted || market.rate <= 0 || !this.gate.marketOpen) return false;
    return this.opts.generateWithoutSubscribers || market.hasOpenSubscriber();
  }

  private tick(): void {
    const now = performance.now();
    const elapsedMs = Math.min(now - this.lastTick, 1000); // after a stall, catch up at most one second
    this.lastTick = now;
    const wallMs = Date.now();
    for (const market of this.markets) {
      if (!this.active(market)) {
        market.carry = 0; // no backlog builds up while stopped
        continue;
      }
      const due = market.carry + (market.rate * elapsedMs) / 1000;
      const n = Math.floor(due);
      market.carry = due - n;
      if (n > 0) this.sink(market, market.generate(n, wallMs));
    }
    for (const market of this.markets) this.quoteTick(market, elapsedMs, wallMs);
  }

  /** Quotes follow the same rules as trades: only while the gate is open and someone can receive them. */
  private quoteTick(market: Market, elapsedMs: number, wallMs: number): void {
    if (market.quoteRate <= 0 || !this.gate.marketOpen || !market.hasOpenQuoteSubscriber()) {
      market.quoteCarry = 0;
      return;
    }
    const due = market.quoteCarry + (market.quoteRate * elapsedMs) / 1000;
    const n = Math.floor(due);
    market.quoteCarry = due - n;
    if (n > 0) this.quoteSink(market, market.generateQuotes(n, wallMs));
  }
}
