import {
  ValidationError,
  assertSymbol,
  assertVenueEventId,
  eventId,
  validateQuote,
  validateTrade,
  type QuoteV1,
  type Symbol,
  type TradeV1,
} from '@feed/price-types';
import { decimal, msTime, type Obj, parseFrame, str, uintText } from './fields';
import type { MapResult, RawFrame, VenueMapper } from './mapper';

/**
 * OKX API v5, public WebSocket (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-trades-channel
 * and #order-book-trading-market-data-ws-order-book-channel). Pushes are {"arg": {"channel", "instId"}, "data": [...]};
 * replies to requests are {"event": "subscribe" | "unsubscribe" | "error", ...}; the keepalive reply is the bare
 * text "pong" (not JSON).
 *
 * Trades (`trades` channel), documented push data fields:
 *   instId; tradeId ("The last trade ID in the trades aggregation"); px; sz (base currency for spot);
 *   side ("Trade side of taker": buy | sell); ts (filled time, ms, as a string); count ("The count of trades
 *   aggregated"); source; seqId.
 *   - TAKER SIDE: documented as the taker's side, used as is.
 *   - AGGREGATION: "The system will send only one message per taker order, filled price, source" and
 *     "if tradeId = 123 and count = 3, it means the message aggregates the trades of tradeId = 123, 122, and 121".
 *     So one TradeV1 here may stand for `count` venue fills at one price; its size is their total and its id the
 *     last fill's id. Consequence for gap detection (not done here: the mapper is stateless): consecutive messages
 *     are contiguous when next.tradeId - next.count == previous.tradeId; a larger jump is a gap. The fill-level
 *     stream is `trades-all` on /ws/v5/business (one trade per message), not used.
 *   - `data` may hold several trades: each becomes one event, in order.
 *
 * Quotes (`bbo-tbt`: "tick-by-tick 1 depth level"; snapshot pushed when the top level changes):
 *   data[0] = {asks: [[px, sz, "0", orders]], bids: [[...]], ts, seqId}; bbo-tbt data carries no instId, so the
 *   symbol comes from arg.instId. `ts` is, for bbo-tbt, "the timestamp when the push is triggered" (ms).
 *   Update id: seqId. Evidence: "The set of sequence ID received by users is the same if users are connecting to
 *   the same channel through multiple websocket connections. Each instId has an unique set of sequence ID", which
 *   is exactly the property decision 1 needs for replicas. Known limit, recorded in docs/adding-a-venue.md: "The
 *   sequence number may be reset due to maintenance", after which ids of new quotes may repeat ids already seen;
 *   when no update happens for ~60 s OKX re-sends the latest snapshot with the same seqId (a true duplicate).
 *
 * Symbols: OKX spot instIds are already BASE-QUOTE ("BTC-USDT"). Anything else (BTC-USDT-SWAP, options) is not a
 * spot symbol and is refused as bad_symbol: Feed does not mix contracts (sizes in contracts) with spot.
 */

export function okxSymbol(instId: string, field = 'instId'): Symbol {
  return assertSymbol(instId, field);
}

function dataArray(o: Obj): unknown[] {
  const d = o['data'];
  if (d === undefined || d === null) throw new ValidationError('missing_field', 'data', 'is required');
  if (!Array.isArray(d)) throw new ValidationError('wrong_type', 'data', 'expected an array');
  return d;
}

function item(v: unknown, k: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ValidationError('wrong_type', k, 'expected an object');
  return v as Obj;
}

export function mapTrade(t: Obj, frame: RawFrame): TradeV1 {
  const symbol = okxSymbol(str(t, 'instId'));
  const tradeId = assertVenueEventId(str(t, 'tradeId'), 'tradeId');
  const side = t['side'];
  if (side === undefined || side === null) throw new ValidationError('missing_field', 'side', 'is required');
  if (side !== 'buy' && side !== 'sell') throw new ValidationError('bad_enum', 'side', `expected buy|sell, got ${JSON.stringify(side)}`);
  return validateTrade({
    v: 1,
    type: 'trade',
    id: eventId('trade', 'okx', symbol, tradeId),
    venue: 'okx',
    symbol,
    source: frame.source,
    recvTimeUs: frame.recvTimeUs,
    tradeId,
    price: decimal(t['px'], 'px'),
    size: decimal(t['sz'], 'sz'),
    side,
    venueTimeUs: msTime(t, 'ts'),
  } satisfies TradeV1);
}

/** `count` ("The count of trades aggregated"), 1 when absent (the REST trades endpoint has no such field). */
function fillCount(t: Obj): number {
  if (t['count'] === undefined || t['count'] === null) return 1;
  const n = Number(uintText(t, 'count', 6));
  if (n < 1) throw new ValidationError('out_of_range', 'count', 'must be at least 1');
  return n;
}

/** Best level of one side: [px, sz, "0", orders]. An empty side yields no quote (null). */
function bestLevel(d: Obj, k: 'bids' | 'asks'): [string, string] | null {
  const side = d[k];
  if (side === undefined || side === null) throw new ValidationError('missing_field', k, 'is required');
  if (!Array.isArray(side)) throw new ValidationError('wrong_type', k, 'expected an array of levels');
  if (side.length === 0) return null;
  const top: unknown = side[0];
  if (!Array.isArray(top) || top.length < 2) throw new ValidationError('wrong_type', `${k}[0]`, 'expected [px, sz, ...]');
  return [decimal(top[0], `${k}[0][0]`), decimal(top[1], `${k}[0][1]`)];
}

function mapBbo(d: Obj, symbol: Symbol, frame: RawFrame): QuoteV1 | null {
  const bid = bestLevel(d, 'bids');
  const ask = bestLevel(d, 'asks');
  const updateId = assertVenueEventId(uintText(d, 'seqId', 20), 'seqId');
  const venueTimeUs = msTime(d, 'ts');
  if (!bid || !ask) return null;
  return validateQuote({
    v: 1,
    type: 'quote',
    id: eventId('quote', 'okx', symbol, updateId),
    venue: 'okx',
    symbol,
    source: frame.source,
    recvTimeUs: frame.recvTimeUs,
    bidPrice: bid[0],
    bidSize: bid[1],
    askPrice: ask[0],
    askSize: ask[1],
    venueTimeUs,
    updateId,
  } satisfies QuoteV1);
}

export const okxMapper: VenueMapper = {
  venue: 'okx',
  map(frame: RawFrame): MapResult {
    // The keepalive reply is plain text, not JSON.
    if (frame.text === 'pong') return { events: [], ignored: 'pong' };
    const o = parseFrame(frame.text, { typed: true });
    const event = o['event'];
    if (event !== undefined && event !== null) {
      if (event === 'subscribe' || event === 'unsubscribe') return { events: [], ignored: 'subscription_ack' };
      if (event === 'error') return { events: [], ignored: 'venue_error' };
      return { events: [], ignored: 'unknown_event' };
    }
    const argV = o['arg'];
    if (argV === undefined || argV === null) throw new ValidationError('missing_field', 'arg', 'push has no arg');
    const arg = item(argV, 'arg');
    const channel = str(arg, 'channel');
    if (channel === 'trades') {
      const data = dataArray(o);
      if (data.length === 0) return { events: [], ignored: 'empty_data' };
      const items = data.map((t, i) => item(t, `data[${i}]`));
      // `fills` lets the gap tracker see the ids an aggregation covers (tradeId-count+1 .. tradeId).
      return { events: items.map((t) => mapTrade(t, frame)), fills: items.map(fillCount) };
    }
    if (channel === 'bbo-tbt') {
      const symbol = okxSymbol(str(arg, 'instId'));
      const data = dataArray(o);
      const first: unknown = data[0];
      if (first === undefined) return { events: [], ignored: 'empty_data' };
      const q = mapBbo(item(first, 'data[0]'), symbol, frame);
      return q ? { events: [q] } : { events: [], ignored: 'one_sided_book' };
    }
    return { events: [], ignored: 'unknown_channel' };
  },
};
