import {
  ValidationError,
  assertVenueEventId,
  canonicalDecimal,
  eventId,
  isSymbol,
  quoteHashId,
  usFromIso,
  validateQuote,
  validateTrade,
  type MarketEventV1,
  type QuoteV1,
  type Symbol,
  type TakerSide,
  type TradeV1,
} from '@feed/price-types';
import { asObj, type Obj, parseFrame } from './fields';
import type { MapResult, RawFrame, VenueMapper } from './mapper';

/**
 * Kraken spot WebSocket v2 (read 2026):
 *   trade:  https://docs.kraken.com/api/docs/websocket-v2/trade
 *   ticker: https://docs.kraken.com/api/docs/websocket-v2/ticker
 *   heartbeat / status: https://docs.kraken.com/api/docs/websocket-v2/heartbeat, .../status
 *
 * trade: {"channel":"trade","type":"snapshot"|"update","data":[{symbol, side, price, qty, ord_type, trade_id,
 *   timestamp}]}. Field meanings from the page: side "The side of the taker order" (so it IS the taker side: no
 *   inversion); qty "Size of the trade"; price "Average price of the trade"; trade_id "Trade identifier is a sequence
 *   number, unique per book"; timestamp RFC3339. "The snapshot reflects the most recent 50 trades": a snapshot's
 *   trades are real past trades, mapped like updates; their ids make the repeats dedupe downstream.
 * ticker: {"channel":"ticker","type":...,"data":[{symbol, bid, bid_qty, ask, ask_qty, last, ..., timestamp}]}
 *   ("The ticker element is always the first and only item"; every item is mapped anyway). No update id: the quote
 *   id is the hash form of decision 1, the venue time is the item's `timestamp` ("The ticker data timestamp"). An
 *   older revision of the page showed no `timestamp`; the current one documents it and shows it in both examples,
 *   so it is required: a receive-time fallback would give two ingest replicas two different ids for one quote.
 *
 * NUMBERS: prices and quantities are JSON numbers (0.5117, 40.0). They are read as their source text
 *   (parseJsonNumbersAsText) and made canonical from the digits ("40.0" -> "40"), never through a float. trade_id is a
 *   JSON integer, read as text too (no 2^53 limit).
 * Validation: strict on the fields used, unknown fields ignored; one bad item refuses the whole frame (dead-lettered
 *   intact with its reason). Acks, pongs, heartbeats and status frames are ignored with a reason.
 */

function present(o: Obj, k: string): unknown {
  const v = o[k];
  if (v === undefined || v === null) throw new ValidationError('missing_field', k, 'is required');
  return v;
}

function str(o: Obj, k: string): string {
  const v = present(o, k);
  if (typeof v !== 'string') throw new ValidationError('wrong_type', k, `expected string, got ${typeof v}`);
  return v;
}

/** A decimal from a JSON number (arrives as its text) or a string; objects, arrays and booleans are refused. */
function decimal(o: Obj, k: string): string {
  const v = present(o, k);
  if (typeof v !== 'string') throw new ValidationError('wrong_type', k, `expected a number, got ${Array.isArray(v) ? 'array' : typeof v}`);
  return canonicalDecimal(v, k);
}

/** "BTC/USD" -> "BTC-USD". */
export function krakenSymbol(v: unknown): Symbol {
  if (v === undefined || v === null) throw new ValidationError('missing_field', 'symbol', 'is required');
  const parts = typeof v === 'string' ? v.split('/') : [];
  const s = parts.length === 2 ? `${parts[0] ?? ''}-${parts[1] ?? ''}` : '';
  if (!isSymbol(s)) throw new ValidationError('bad_symbol', 'symbol', `not a BASE/QUOTE pair: ${JSON.stringify(String(v).slice(0, 20))}`);
  return s;
}

/** Kraken's `side` is documented as "The side of the taker order": it maps as is. */
function takerSide(v: unknown): TakerSide {
  if (v === 'buy' || v === 'sell') return v;
  if (v === undefined || v === null) throw new ValidationError('missing_field', 'side', 'is required');
  throw new ValidationError('bad_enum', 'side', `expected buy|sell, got ${JSON.stringify(String(v).slice(0, 20))}`);
}

function data(d: Obj): Obj[] {
  const t = d['type'];
  if (t !== 'snapshot' && t !== 'update') {
    if (t === undefined || t === null) throw new ValidationError('missing_field', 'type', 'is required');
    throw new ValidationError('bad_enum', 'type', `expected snapshot|update, got ${JSON.stringify(String(t).slice(0, 20))}`);
  }
  const v = present(d, 'data');
  if (!Array.isArray(v)) throw new ValidationError('wrong_type', 'data', 'expected an array');
  return v.map((x) => asObj(x, 'data[]'));
}

function mapTrade(t: Obj, frame: RawFrame): TradeV1 {
  const symbol = krakenSymbol(t['symbol']);
  const rawId = present(t, 'trade_id');
  if (typeof rawId !== 'string' || !/^\d{1,20}$/.test(rawId)) throw new ValidationError('wrong_type', 'trade_id', `expected an integer, got ${JSON.stringify(String(rawId).slice(0, 24))}`);
  const tradeId = assertVenueEventId(rawId, 'trade_id');
  return validateTrade({
    v: 1,
    type: 'trade',
    id: eventId('trade', 'kraken', symbol, tradeId),
    venue: 'kraken',
    symbol,
    source: frame.source,
    tradeId,
    price: decimal(t, 'price'),
    size: decimal(t, 'qty'),
    side: takerSide(t['side']),
    venueTimeUs: usFromIso(str(t, 'timestamp'), 'timestamp'),
    recvTimeUs: frame.recvTimeUs,
  });
}

function mapTicker(t: Obj, frame: RawFrame): QuoteV1 {
  const symbol = krakenSymbol(t['symbol']);
  const bidPrice = decimal(t, 'bid');
  const bidSize = decimal(t, 'bid_qty');
  const askPrice = decimal(t, 'ask');
  const askSize = decimal(t, 'ask_qty');
  const venueTimeUs = usFromIso(str(t, 'timestamp'), 'timestamp');
  return validateQuote({
    v: 1,
    type: 'quote',
    id: eventId('quote', 'kraken', symbol, quoteHashId(venueTimeUs, bidPrice, bidSize, askPrice, askSize)),
    venue: 'kraken',
    symbol,
    source: frame.source,
    bidPrice,
    bidSize,
    askPrice,
    askSize,
    venueTimeUs,
    recvTimeUs: frame.recvTimeUs,
  });
}

export const krakenMapper: VenueMapper = {
  venue: 'kraken',
  map(frame: RawFrame): MapResult {
    const d = parseFrame(frame.text);
    if (typeof d['method'] === 'string') {
      if (d['method'] === 'pong') return { events: [], ignored: 'pong' };
      return { events: [], ignored: d['success'] === false ? 'request_error' : 'subscription_ack' };
    }
    let events: MarketEventV1[];
    switch (d['channel']) {
      case 'trade':
        events = data(d).map((t) => mapTrade(t, frame));
        break;
      case 'ticker':
        events = data(d).map((t) => mapTicker(t, frame));
        break;
      case 'heartbeat':
        return { events: [], ignored: 'heartbeat' };
      case 'status':
        return { events: [], ignored: 'status' };
      case undefined:
        throw new ValidationError('missing_field', 'channel', 'frame has no channel');
      default:
        return { events: [], ignored: 'unknown_channel' };
    }
    return events.length > 0 ? { events } : { events, ignored: 'empty_batch' };
  },
};
