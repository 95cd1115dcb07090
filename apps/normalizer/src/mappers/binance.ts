import {
  ValidationError,
  assertTimeUs,
  assertVenueEventId,
  canonicalDecimal,
  eventId,
  validateQuote,
  validateTrade,
  type QuoteV1,
  type TradeV1,
} from '@feed/price-types';
import { type Obj, parseFrame, str } from './fields';
import type { MapResult, RawFrame, VenueMapper } from './mapper';

/**
 * Binance spot. Trade stream payload (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#trade-streams):
 *   {"e":"trade","E":<event ms>,"s":"BTCUSDT","t":<trade id>,"p":"<price>","q":"<qty>","T":<trade ms>,"m":<buyer is maker>,"M":true}
 * Combined streams wrap it: {"stream":"btcusdt@trade","data":{...}}.
 *
 * Taker side: `m` is "is the buyer the market maker?". When the buyer made (rested on the book), the seller
 * crossed the spread, so the taker SOLD: m=true -> side "sell", m=false -> side "buy".
 * Times: `T` (trade time) is the venue time; `E` (event time, when the message was generated) is not used.
 * Ids: `t` increases by one per symbol; read from the JSON text, since ids may outgrow 2^53.
 *
 * Best bid/ask: Individual Symbol Book Ticker stream `<symbol>@bookTicker`
 * (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#individual-symbol-book-ticker-streams):
 *   {"u":<order book updateId>,"s":"BNBUSDT","b":"<best bid price>","B":"<best bid qty>","a":"<best ask price>","A":"<best ask qty>"}
 * The spot payload has no event type (`e`) and no time at all. So: updateId = `u` (id `quote:binance:<symbol>:<u>`), and
 * venueTimeUs = the receive time, as events.ts allows "for venues that give none". Consequence: a quote's venue time is
 * our clock (latency reads 0), and two replicas may stamp the same `u` differently; the id is the same, so the first
 * one applied wins. The futures variant names itself ("e":"bookTicker") and is accepted the same way.
 */

/** Quote assets Binance symbols end with, longest first so "FDUSD" wins over "USD". */
const QUOTES = ['FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'EUR', 'TRY', 'BTC', 'ETH', 'USD'];

export function binanceSymbol(s: string): string {
  const up = s.toUpperCase();
  for (const q of QUOTES) {
    if (up.length > q.length && up.endsWith(q)) return `${up.slice(0, -q.length)}-${q}`;
  }
  throw new ValidationError('bad_symbol', 's', `cannot split Binance symbol ${JSON.stringify(s.slice(0, 20))}`);
}

/** JSON numbers arrive as their text (parseJsonNumbersAsText), so an integer of any size stays exact. */
function intText(o: Obj, k: string): string {
  const v = o[k];
  if (v === undefined || v === null) throw new ValidationError('missing_field', k, 'is required');
  if (typeof v !== 'string' || !/^\d{1,20}$/.test(v)) throw new ValidationError('wrong_type', k, `expected an integer, got ${JSON.stringify(String(v).slice(0, 20))}`);
  return v;
}

function isBookTicker(d: Obj): boolean {
  if (d['e'] === 'bookTicker') return true;
  return d['e'] === undefined && 'u' in d && 'b' in d && 'a' in d;
}

function mapBookTicker(d: Obj, frame: RawFrame): QuoteV1 {
  const symbol = binanceSymbol(str(d, 's'));
  const updateId = assertVenueEventId(intText(d, 'u'), 'u');
  const quote: QuoteV1 = {
    v: 1,
    type: 'quote',
    id: eventId('quote', 'binance', symbol, updateId),
    venue: 'binance',
    symbol,
    source: frame.source,
    bidPrice: canonicalDecimal(str(d, 'b'), 'b'),
    bidSize: canonicalDecimal(str(d, 'B'), 'B'),
    askPrice: canonicalDecimal(str(d, 'a'), 'a'),
    askSize: canonicalDecimal(str(d, 'A'), 'A'),
    // bookTicker carries no venue time (see the header): the receive time stands in, as documented in events.ts.
    venueTimeUs: frame.recvTimeUs,
    updateId,
    recvTimeUs: frame.recvTimeUs,
  };
  return validateQuote(quote);
}

function mapTrade(d: Obj, frame: RawFrame): TradeV1 {
  const symbol = binanceSymbol(str(d, 's'));
  const tradeId = assertVenueEventId(intText(d, 't'), 't');
  const m = d['m'];
  if (m === undefined || m === null) throw new ValidationError('missing_field', 'm', 'is required');
  if (typeof m !== 'boolean') throw new ValidationError('wrong_type', 'm', 'expected boolean buyer-is-maker flag');
  const trade: TradeV1 = {
    v: 1,
    type: 'trade',
    id: eventId('trade', 'binance', symbol, tradeId),
    venue: 'binance',
    symbol,
    source: frame.source,
    tradeId,
    price: canonicalDecimal(str(d, 'p'), 'p'),
    size: canonicalDecimal(str(d, 'q'), 'q'),
    side: m ? 'sell' : 'buy',
    venueTimeUs: assertTimeUs(Number(intText(d, 'T')) * 1000, 'T'),
    recvTimeUs: frame.recvTimeUs,
  };
  // The shared validator enforces positivity, bounds and canonical form for every venue alike.
  return validateTrade(trade);
}

export const binanceMapper: VenueMapper = {
  venue: 'binance',
  map(frame: RawFrame): MapResult {
    let d = parseFrame(frame.text);
    if (typeof d['stream'] === 'string' && typeof d['data'] === 'object' && d['data'] !== null) d = d['data'] as Obj;
    if ('result' in d && 'id' in d) return { events: [], ignored: 'subscription_ack' };
    if (isBookTicker(d)) return { events: [mapBookTicker(d, frame)] };
    switch (d['e']) {
      case 'trade':
        return { events: [mapTrade(d, frame)] };
      case undefined:
        throw new ValidationError('missing_field', 'e', 'frame has no event type');
      default:
        return { events: [], ignored: 'unknown_type' };
    }
  },
};
