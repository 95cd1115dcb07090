import { isoFromUs, type TradeV1 } from '@feed/price-types';

/** A trade as the API shows it: every TradeV1 field, plus its times as ISO-8601 UTC with microseconds. */
export type TradeView = TradeV1 & { venueTime: string; recvTime: string };

export function tradeView(t: TradeV1): TradeView {
  return { ...t, venueTime: isoFromUs(t.venueTimeUs), recvTime: isoFromUs(t.recvTimeUs) };
}

/**
 * A trade pushed over the stream (decision 11): its MD stream sequence (the resume cursor), `source`, and, as a
 * price-bearing item, `stale` and `asOf`. A trade pushed live is by definition fresh, and it is valid as of its
 * own venue time.
 */
export type StreamTradeItem = { seq: number } & TradeView & { stale: false; asOf: string };

export function streamTradeItem(t: TradeV1, seq: number): StreamTradeItem {
  const v = tradeView(t);
  return { seq, ...v, stale: false, asOf: v.venueTime };
}
