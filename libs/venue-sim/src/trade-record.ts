import { canonicalText } from './decimal-text';
import type { RecordedTrade, SimTrade } from './types';

/** How the venue writes prices and sizes on the wire (Binance: 8 fraction digits, trailing zeros kept). */
export interface WireFormat {
  price(units: number, decimals: number): string;
  qty(units: number, decimals: number): string;
}

export interface IndexedTrade {
  readonly index: number;
  readonly trade: SimTrade;
}

/**
 * The record of one market: every trade that was written to at least one connection, in send order.
 * Stored column-wise as plain numbers (about 40 bytes a trade), so two million trades cost tens of MB;
 * strings are built on read. When the cap is passed, the oldest tenth is dropped; indices stay absolute.
 */
export class TradeRecord {
  private readonly seq: number[] = [];
  private readonly price: number[] = [];
  private readonly qty: number[] = [];
  private readonly time: number[] = [];
  private readonly eventTime: number[] = [];
  private readonly maker: boolean[] = [];
  private readonly delivered: number[] = [];
  /** Absolute index of the first entry still held. */
  private offset = 0;
  private firstId: string | null = null;
  private lastId: string | null = null;

  constructor(
    readonly venue: string,
    readonly symbol: string,
    private readonly firstTradeId: bigint,
    private readonly priceDecimals: number,
    private readonly qtyDecimals: number,
    private readonly wire: WireFormat,
    private readonly cap: number,
  ) {}

  /** Trades recorded since start, including any trimmed from memory. */
  get count(): number {
    return this.offset + this.seq.length;
  }

  /** Lowest index still held in memory. */
  get firstHeldIndex(): number {
    return this.offset;
  }

  get firstTradeIdText(): string | null {
    return this.firstId;
  }

  get lastTradeIdText(): string | null {
    return this.lastId;
  }

  add(trade: SimTrade, deliveredTo: number): void {
    if (this.seq.length >= this.cap) this.trim();
    this.seq.push(trade.seq);
    this.price.push(trade.priceUnits);
    this.qty.push(trade.qtyUnits);
    this.time.push(trade.tradeTimeMs);
    this.eventTime.push(trade.eventTimeMs);
    this.maker.push(trade.buyerIsMaker);
    this.delivered.push(deliveredTo);
    if (this.firstId === null) this.firstId = trade.tradeId;
    this.lastId = trade.tradeId;
  }

  lastPriceCanonical(): string | null {
    const n = this.price.length;
    if (n === 0) return null;
    return canonicalText(this.wire.price(this.price[n - 1] as number, this.priceDecimals));
  }

  /** The trade at absolute index i as it was generated (for resends: same id, same content). */
  trade(index: number): SimTrade {
    const i = this.local(index);
    const seq = this.seq[i] as number;
    return {
      venue: this.venue,
      symbol: this.symbol,
      seq,
      tradeId: (this.firstTradeId + BigInt(seq)).toString(),
      priceUnits: this.price[i] as number,
      priceDecimals: this.priceDecimals,
      qtyUnits: this.qty[i] as number,
      qtyDecimals: this.qtyDecimals,
      tradeTimeMs: this.time[i] as number,
      eventTimeMs: this.eventTime[i] as number,
      buyerIsMaker: this.maker[i] as boolean,
    };
  }

  get(index: number): RecordedTrade {
    const t = this.trade(index);
    const priceRaw = this.wire.price(t.priceUnits, t.priceDecimals);
    const qtyRaw = this.wire.qty(t.qtyUnits, t.qtyDecimals);
    return {
      index,
      venue: t.venue,
      symbol: t.symbol,
      tradeId: t.tradeId,
      price: canonicalText(priceRaw),
      qty: canonicalText(qtyRaw),
      priceRaw,
      qtyRaw,
      tradeTimeMs: t.tradeTimeMs,
      eventTimeMs: t.eventTimeMs,
      buyerIsMaker: t.buyerIsMaker,
      deliveredTo: this.delivered[this.local(index)] as number,
    };
  }

  /** Up to `limit` entries from absolute index `from` (clamped to what is held). */
  page(from: number, limit: number): RecordedTrade[] {
    const start = Math.max(from, this.offset);
    const end = Math.min(this.count, start + limit);
    const out: RecordedTrade[] = [];
    for (let i = start; i < end; i++) out.push(this.get(i));
    return out;
  }

  /** The last n trades held, oldest first. */
  last(n: number): IndexedTrade[] {
    const out: IndexedTrade[] = [];
    for (let i = Math.max(this.offset, this.count - n); i < this.count; i++) out.push({ index: i, trade: this.trade(i) });
    return out;
  }

  private local(index: number): number {
    const i = index - this.offset;
    if (!Number.isInteger(index) || i < 0 || i >= this.seq.length) throw new RangeError(`record index ${index} not held`);
    return i;
  }

  private trim(): void {
    const drop = Math.max(1, Math.floor(this.cap / 10));
    for (const col of [this.seq, this.price, this.qty, this.time, this.eventTime, this.delivered]) col.splice(0, drop);
    this.maker.splice(0, drop);
    this.offset += drop;
  }
}
