import {
  ValidationError,
  assertSymbol,
  assertVenueEventId,
  canonicalDecimal,
  eventId,
  quoteHashId,
  usFromIso,
  validateQuote,
  validateTrade,
  type MarketEventV1,
  type QuoteV1,
  type TakerSide,
  type TradeV1,
} from '@feed/price-types';
import { asObj, type Obj, parseFrame, str } from './fields';
import type { MapResult, RawFrame, VenueMapper } from './mapper';

/**
 * Coinbase Advanced Trade market data WebSocket.
 * Doc: https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels (read 2026).
 * Every message: {"channel","client_id","timestamp","sequence_num","events":[...]}.
 *
 * market_trades: events[] of {"type":"snapshot"|"update","trades":[{trade_id, product_id, price, size, side, time}]}.
 *   "The channel collects all updates over the last 250 ms and sends them as an update — so an update can contain one
 *   or many trades". One TradeV1 per trade. A snapshot's trades are real past trades: mapped too (their ids dedupe).
 *
 * TAKER SIDE (evidence and decision). The channels page says: "Each market trade belongs to a `side`, which refers
 *   to the makers side, and can be of type BUY, or SELL." The same convention is documented for the Coinbase Exchange
 *   feed ("The side field indicates the maker order side", https://docs.cdp.coinbase.com/exchange/websocket-feed/channels#match)
 *   and the Exchange REST trades schema ("side: Maker side"). The newer AsyncAPI reference
 *   (https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/websocket/market-trades) does not restate it,
 *   and at least one third-party client changed its reading of this field (c9s/bbgo PR #2509, no reasoning given).
 *   Decision: follow the channels page, the only first-party statement: side is the MAKER side, so the taker side
 *   is the opposite: "BUY" (a resting buy was hit) -> taker "sell"; "SELL" -> taker "buy". If a live capture ever
 *   shows otherwise, this is the one line to change (mapSide) and the goldens say why.
 *
 * ticker: events[] of {"type","tickers":[{product_id, price, ..., best_bid, best_bid_quantity, best_ask,
 *   best_ask_quantity}]}. A ticker carries no update id and no time of its own: the quote id is the hash form of
 *   decision 1 and its venue time is the message `timestamp` (when Coinbase sent it), the only venue time given.
 *
 * Ids and times: trade_id is opaque text (the doc example is "000000000": leading zeros are kept). Times are RFC 3339
 *   with up to 9 fraction digits; µs are kept, ns truncated.
 * `sequence_num` counts every message of a connection (heartbeats included): it is the gap detector for a later
 *   change, read by ingest on the connection, not here (a mapper is stateless).
 * Validation: strict on the fields used, unknown fields ignored. One bad trade refuses the whole frame (it is
 *   dead-lettered intact, with the reason, so nothing is half-applied and the frame can be replayed after a fix).
 */

function arr(o: Obj, k: string): unknown[] {
  const v = o[k];
  if (v === undefined || v === null) throw new ValidationError('missing_field', k, 'is required');
  if (!Array.isArray(v)) throw new ValidationError('wrong_type', k, 'expected an array');
  return v;
}

/** Coinbase reports the maker's side; the event wants the taker's (see the header). */
export function coinbaseTakerSide(makerSide: unknown): TakerSide {
  if (makerSide === 'BUY') return 'sell';
  if (makerSide === 'SELL') return 'buy';
  if (makerSide === undefined || makerSide === null) throw new ValidationError('missing_field', 'side', 'is required');
  throw new ValidationError('bad_enum', 'side', `expected BUY|SELL, got ${JSON.stringify(String(makerSide).slice(0, 20))}`);
}

function eventsOf(d: Obj, key: string): Obj[] {
  const out: Obj[] = [];
  for (const e of arr(d, 'events')) {
    const ev = asObj(e, 'events[]');
    for (const x of arr(ev, key)) out.push(asObj(x, `${key}[]`));
  }
  return out;
}

export function mapTrade(t: Obj, frame: RawFrame): TradeV1 {
  const symbol = assertSymbol(str(t, 'product_id'), 'product_id');
  const tradeId = assertVenueEventId(str(t, 'trade_id'), 'trade_id');
  return validateTrade({
    v: 1,
    type: 'trade',
    id: eventId('trade', 'coinbase', symbol, tradeId),
    venue: 'coinbase',
    symbol,
    source: frame.source,
    tradeId,
    price: canonicalDecimal(str(t, 'price'), 'price'),
    size: canonicalDecimal(str(t, 'size'), 'size'),
    side: coinbaseTakerSide(t['side']),
    venueTimeUs: usFromIso(str(t, 'time'), 'time'),
    recvTimeUs: frame.recvTimeUs,
  });
}

function mapTicker(t: Obj, venueTimeUs: number, frame: RawFrame): QuoteV1 {
  const symbol = assertSymbol(str(t, 'product_id'), 'product_id');
  const bidPrice = canonicalDecimal(str(t, 'best_bid'), 'best_bid');
  const bidSize = canonicalDecimal(str(t, 'best_bid_quantity'), 'best_bid_quantity');
  const askPrice = canonicalDecimal(str(t, 'best_ask'), 'best_ask');
  const askSize = canonicalDecimal(str(t, 'best_ask_quantity'), 'best_ask_quantity');
  return validateQuote({
    v: 1,
    type: 'quote',
    id: eventId('quote', 'coinbase', symbol, quoteHashId(venueTimeUs, bidPrice, bidSize, askPrice, askSize)),
    venue: 'coinbase',
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

export const coinbaseMapper: VenueMapper = {
  venue: 'coinbase',
  map(frame: RawFrame): MapResult {
    const d = parseFrame(frame.text, { typed: true });
    let events: MarketEventV1[];
    switch (d['channel']) {
      case 'market_trades':
        events = eventsOf(d, 'trades').map((t) => mapTrade(t, frame));
        break;
      case 'ticker': {
        const tickers = eventsOf(d, 'tickers');
        const venueTimeUs = usFromIso(str(d, 'timestamp'), 'timestamp');
        events = tickers.map((t) => mapTicker(t, venueTimeUs, frame));
        break;
      }
      case 'heartbeats':
        return { events: [], ignored: 'heartbeat' };
      case 'subscriptions':
        return { events: [], ignored: 'subscription_ack' };
      case undefined:
        if (d['type'] === 'error') return { events: [], ignored: 'venue_error' };
        throw new ValidationError('missing_field', 'channel', 'frame has no channel');
      default:
        return { events: [], ignored: 'unknown_channel' };
    }
    return events.length > 0 ? { events } : { events, ignored: 'empty_batch' };
  },
};
