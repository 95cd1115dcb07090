import { canonicalText } from './decimal-text';
import type { RecordedQuote, SimQuote } from './quote-types';
import type { WireFormat } from './trade-record';

/**
 * The record of one market's best bid/ask updates that reached at least one connection, in send order.
 * Bounded like the trade record: past the cap the oldest tenth is dropped; indices stay absolute.
 */
export class QuoteRecord {
  private readonly items: Array<{ quote: SimQuote; deliveredTo: number }> = [];
  private offset = 0;

  constructor(
    private readonly wire: WireFormat,
    /** Whether the venue's quote frames carry the update id (Binance, OKX, Bybit). */
    private readonly hasUpdateId: boolean,
    private readonly cap: number,
  ) {}

  get count(): number {
    return this.offset + this.items.length;
  }

  add(quote: SimQuote, deliveredTo: number): void {
    if (this.items.length >= this.cap) {
      const drop = Math.max(1, Math.floor(this.cap / 10));
      this.items.splice(0, drop);
      this.offset += drop;
    }
    this.items.push({ quote, deliveredTo });
  }

  page(from: number, limit: number): RecordedQuote[] {
    const start = Math.max(from, this.offset);
    const end = Math.min(this.count, start + limit);
    const out: RecordedQuote[] = [];
    for (let i = start; i < end; i++) out.push(this.get(i));
    return out;
  }

  private get(index: number): RecordedQuote {
    const { quote: q, deliveredTo } = this.items[index - this.offset] as { quote: SimQuote; deliveredTo: number };
    const bidRaw = this.wire.price(q.bidUnits, q.priceDecimals);
    const askRaw = this.wire.price(q.askUnits, q.priceDecimals);
    const bidQtyRaw = this.wire.qty(q.bidQtyUnits, q.qtyDecimals);
    const askQtyRaw = this.wire.qty(q.askQtyUnits, q.qtyDecimals);
    return {
      index,
      venue: q.venue,
      symbol: q.symbol,
      updateId: this.hasUpdateId ? q.updateId : null,
      bid: canonicalText(bidRaw),
      bidQty: canonicalText(bidQtyRaw),
      ask: canonicalText(askRaw),
      askQty: canonicalText(askQtyRaw),
      bidRaw,
      bidQtyRaw,
      askRaw,
      askQtyRaw,
      timeMs: q.timeMs,
      deliveredTo,
    };
  }
}
