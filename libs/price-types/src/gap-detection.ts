import type { Channel, GapDetection, GapState, GapV1 } from './events';
import type { VenueId } from './venues';

/**
 * Where a venue makes a missing trade detectable, per channel (docs/adding-a-venue.md has the table with the
 * evidence). One definition for the producers (ingest checks sequence numbers, the normalizer tracks trade ids)
 * and the readers (the API says whether a stream's completeness is tracked at all).
 *
 *  - binance trade: `t` "Trade ID", one per trade of the symbol, consecutive per symbol
 *    (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#trade-streams).
 *  - kraken trade: v2 `trade_id` "Trade identifier, sequential per book"
 *    (https://docs.kraken.com/api/docs/websocket-v2/trade; the spot WebSocket reference lists v2's Trade ID as a
 *    "Sequential int": https://docs.kraken.com/exchange/api-reference/spot-websocket).
 *  - okx trade: `tradeId` is "the last trade ID in the trades aggregation" and `count` "the count of trades
 *    aggregated" (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-trades-channel), so a message
 *    covers ids tradeId-count+1 .. tradeId and the next one must start right after.
 *  - coinbase trade: `trade_id` order is not documented for Advanced Trade, but every message carries
 *    `sequence_num`, counted per connection over every message, heartbeats included
 *    (https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-overview "Sequence
 *    Numbers"): ingest checks it per connection; a jump means lost messages of unknown channel.
 *  - bitstamp trade: `id` is a trade id, documented only as "trade unique ID" (https://www.bitstamp.net/websocket/v2/);
 *    nothing says ids are consecutive per pair, so a jump proves nothing and no gap is claimed from it.
 *  - bybit trade: `i` "Trade ID" is not an ordered number (https://bybit-exchange.github.io/docs/v5/websocket/public/trade).
 *  - quotes (every venue): a best bid/ask is a latest-value register; a lost update is superseded by the next one,
 *    so completeness is not tracked for quote streams (staleness is).
 */
export const GAP_DETECTION: Readonly<Record<VenueId, Readonly<Partial<Record<Channel, GapDetection>>>>> = {
  binance: { trade: 'trade_id' },
  kraken: { trade: 'trade_id' },
  okx: { trade: 'trade_id' },
  coinbase: { trade: 'sequence' },
  bitstamp: {},
  bybit: {},
};

export function gapDetection(venue: VenueId, channel: Channel): GapDetection | undefined {
  return GAP_DETECTION[venue][channel];
}

/** Gap event ids: `gap:<venue>:<symbol>:<key>:<state>`, one per state of one hole. */
export function gapEventId(venue: VenueId, symbol: string, key: string, state: GapState): string {
  return `gap:${venue}:${symbol}:${key}:${state}`;
}

/** The hole a gap event is about: its id without the `:<state>` suffix (the whole id for ids without one). */
export function gapKeyOf(g: Pick<GapV1, 'id' | 'state'>): string {
  const suffix = `:${g.state}`;
  return g.id.endsWith(suffix) ? g.id.slice(0, -suffix.length) : g.id;
}
