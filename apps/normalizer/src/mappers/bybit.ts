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
 * Bybit v5 public WebSocket, spot (wss://stream.bybit.com/v5/public/spot; https://bybit-exchange.github.io/docs/v5/ws/connect).
 * Pushes are {"topic", "type", "ts", "data"}; replies to requests are {"success", "ret_msg", "conn_id", "op", ...}
 * (spot pong: {"success": true, "ret_msg": "pong", ..., "op": "ping"}).
 *
 * Trades (`publicTrade.<symbol>`, https://bybit-exchange.github.io/docs/v5/websocket/public/trade):
 *   data[] "sort by matching time in ascending order", each: T (fill time, ms), s (symbol), S ("Side of taker.
 *   Buy,Sell"), v (trade size), p (trade price), i (trade ID, string), BT (block trade), L (futures only).
 *   - TAKER SIDE: documented as the taker's side: Buy -> buy, Sell -> sell.
 *   - IDS: `i` is a string and, in the documented example, a UUID ("20f43950-d8dd-5b31-9112-a178eb6023af"): kept
 *     opaque. Consequence: no gap can be detected from trade ids (they are not ordered numbers).
 *
 * Quotes (`orderbook.1.<symbol>`, https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook):
 *   data = {s, b: [[price, size]...] (bids, high to low), a: [[price, size]...] (asks, low to high), u (update id),
 *   seq (cross sequence)}; type `snapshot` | `delta`; optional `cts` (matching-engine time, ms) beside `ts`.
 *   - snapshot: best bid = b[0], best ask = a[0].
 *   - delta: the mapper is pure (no book state), and a delta may carry one side only or size "0" deletions, so a
 *     delta is mapped only when it states both sides completely (exactly one level per side, both sizes > 0);
 *     otherwise it is ignored as `book_delta_partial` (counted). Level-1 books are re-sent as snapshots.
 *   - venueTimeUs: `cts` when present ("the timestamp from the match engine when this orderbook data is produced"),
 *     else `ts` ("the timestamp (ms) that the system generates the data").
 *   - UPDATE ID (evidence and decision): the brief names `u`. But the docs say "Occasionally, you'll receive
 *     "u"=1, which is a snapshot data due to the restart of the service": `u` restarts, so `u` alone would repeat
 *     ids already applied and the persister's dedupe (decision 2) would drop fresh quotes after every restart.
 *     `seq` is the matching engine's cross sequence ("for the smaller seq, then it means the data is generated
 *     earlier"), not reset by a book-service restart. Both are book values, identical on every connection, so
 *     replicas agree. Decision: updateId = `<u>-<seq>`; frames without `seq` are refused (missing_field).
 *
 * Symbols: Bybit spells BTCUSDT; canonical BTC-USDT (USDT is not USD).
 */

/** Quote coins of Bybit spot symbols, longest first. */
const QUOTES = ['USDT', 'USDC', 'USDE', 'EUR', 'BRL', 'BTC', 'ETH', 'DAI'];

export function bybitSymbol(s: string, field = 's'): Symbol {
  const up = s.toUpperCase();
  if (/^[A-Z0-9]{4,20}$/.test(up)) {
    for (const q of QUOTES) {
      if (up.length > q.length && up.endsWith(q)) return assertSymbol(`${up.slice(0, -q.length)}-${q}`, field);
    }
  }
  throw new ValidationError('bad_symbol', field, `cannot split Bybit symbol ${JSON.stringify(s.slice(0, 24))}`);
}

function asObj(v: unknown, k: string): Obj {
  if (v === undefined || v === null) throw new ValidationError('missing_field', k, 'is required');
  if (typeof v !== 'object' || Array.isArray(v)) throw new ValidationError('wrong_type', k, 'expected an object');
  return v as Obj;
}

function mapTrade(t: Obj, frame: RawFrame): TradeV1 {
  const symbol = bybitSymbol(str(t, 's'));
  const tradeId = assertVenueEventId(str(t, 'i'), 'i');
  const S = t['S'];
  if (S === undefined || S === null) throw new ValidationError('missing_field', 'S', 'is required');
  if (S !== 'Buy' && S !== 'Sell') throw new ValidationError('bad_enum', 'S', `expected Buy|Sell, got ${JSON.stringify(S)}`);
  return validateTrade({
    v: 1,
    type: 'trade',
    id: eventId('trade', 'bybit', symbol, tradeId),
    venue: 'bybit',
    symbol,
    source: frame.source,
    recvTimeUs: frame.recvTimeUs,
    tradeId,
    price: decimal(t['p'], 'p'),
    size: decimal(t['v'], 'v'),
    side: S === 'Buy' ? 'buy' : 'sell',
    venueTimeUs: msTime(t, 'T'),
  } satisfies TradeV1);
}

function levels(d: Obj, k: 'b' | 'a'): unknown[] {
  const side = d[k];
  if (side === undefined || side === null) throw new ValidationError('missing_field', k, 'is required');
  if (!Array.isArray(side)) throw new ValidationError('wrong_type', k, 'expected an array of [price, size]');
  return side;
}

function level(side: unknown[], k: 'b' | 'a'): [string, string] {
  const top = side[0];
  if (!Array.isArray(top) || top.length < 2) throw new ValidationError('wrong_type', `${k}[0]`, 'expected [price, size]');
  return [decimal(top[0], `${k}[0][0]`), decimal(top[1], `${k}[0][1]`)];
}

function mapBook(o: Obj, frame: RawFrame): MapResult {
  const kind = o['type'];
  if (kind !== 'snapshot' && kind !== 'delta') throw new ValidationError('bad_enum', 'type', `expected snapshot|delta, got ${JSON.stringify(kind)}`);
  const d = asObj(o['data'], 'data');
  const symbol = bybitSymbol(str(d, 's'));
  const b = levels(d, 'b');
  const a = levels(d, 'a');
  const u = uintText(d, 'u', 20);
  const seq = uintText(d, 'seq', 20);
  const venueTimeUs = o['cts'] !== undefined && o['cts'] !== null ? msTime(o, 'cts') : msTime(o, 'ts');
  if (b.length === 0 || a.length === 0) return { events: [], ignored: kind === 'delta' ? 'book_delta_partial' : 'one_sided_book' };
  const [bidPrice, bidSize] = level(b, 'b');
  const [askPrice, askSize] = level(a, 'a');
  if (kind === 'delta' && (b.length !== 1 || a.length !== 1 || bidSize === '0' || askSize === '0')) {
    return { events: [], ignored: 'book_delta_partial' };
  }
  const updateId = assertVenueEventId(`${u}-${seq}`, 'u');
  const q: QuoteV1 = validateQuote({
    v: 1,
    type: 'quote',
    id: eventId('quote', 'bybit', symbol, updateId),
    venue: 'bybit',
    symbol,
    source: frame.source,
    recvTimeUs: frame.recvTimeUs,
    bidPrice,
    bidSize,
    askPrice,
    askSize,
    venueTimeUs,
    updateId,
  } satisfies QuoteV1);
  return { events: [q] };
}

export const bybitMapper: VenueMapper = {
  venue: 'bybit',
  map(frame: RawFrame): MapResult {
    const o = parseFrame(frame.text, { typed: true });
    const topic = o['topic'];
    if (topic === undefined || topic === null) {
      // Request replies: {"success", "ret_msg", "op", ...}.
      const op = o['op'];
      if (op === undefined || op === null) throw new ValidationError('missing_field', 'topic', 'frame has neither topic nor op');
      if (o['success'] === false) return { events: [], ignored: 'venue_error' };
      if (op === 'ping' || op === 'pong') return { events: [], ignored: 'pong' };
      if (op === 'subscribe' || op === 'unsubscribe') return { events: [], ignored: 'subscription_ack' };
      return { events: [], ignored: 'unknown_op' };
    }
    if (typeof topic !== 'string') throw new ValidationError('wrong_type', 'topic', `expected string, got ${typeof topic}`);
    if (topic.startsWith('publicTrade.')) {
      const data = o['data'];
      if (data === undefined || data === null) throw new ValidationError('missing_field', 'data', 'is required');
      if (!Array.isArray(data)) throw new ValidationError('wrong_type', 'data', 'expected an array');
      if (data.length === 0) return { events: [], ignored: 'empty_data' };
      return { events: data.map((t, i) => mapTrade(asObj(t, `data[${i}]`), frame)) };
    }
    if (/^orderbook\.\d+\./.test(topic)) return mapBook(o, frame);
    return { events: [], ignored: 'unknown_topic' };
  },
};
