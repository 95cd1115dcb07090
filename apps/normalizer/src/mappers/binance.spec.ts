import { ValidationError, type QuoteV1, type TradeV1 } from '@feed/price-types';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { binanceMapper, binanceSymbol } from './binance';
import type { RawFrame } from './mapper';

/*
 * Golden frames for the Binance spot mapper.
 *
 * fixtures/binance/trade.json is the "Trade Streams" payload example of Binance's documentation,
 *   https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#trade-streams
 * copied verbatim (keys, values and layout) from the page's source, binance/binance-spot-api-docs
 * web-socket-streams.md (https://github.com/binance/binance-spot-api-docs/blob/master/web-socket-streams.md,
 * version read: commit 060fe48d03b0c995e971d86a59096af02d2e5e9e, "Web Socket Streams for Binance (2023-12-04)"), with
 * only the `// comments` removed because JSON has none. The documented field meanings used below:
 *   "e" Event type, "E" Event time, "s" Symbol, "t" Trade ID, "p" Price, "q" Quantity, "b" Buyer order ID,
 *   "a" Seller order ID, "T" Trade time, "m" Is the buyer the market maker?, "M" Ignore.
 * fixtures/binance/subscription-ack.json is the documented SUBSCRIBE response {"result": null, "id": 1}.
 * fixtures/binance/combined-trade.json is a BTCUSDT trade in the documented combined-stream wrapper
 *   {"stream":"<streamName>","data":<rawPayload>} (our own values: a trade id above 2^53, zero-padded decimals).
 *
 * Every expected event is written by hand from those meanings, never by running the mapper.
 */

const FIXTURES = path.join(__dirname, '../../fixtures/binance');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

const RECV = 1_672_515_782_136_950; // our receive time: 950 µs after the documented trade time
/** Receive time for the constructed 2026 frames ("T": 1795939333010 ms): venue time may not run 60 s ahead of it. */
const RECV_2026 = 1_795_939_333_011_000;

function frame(text: string, over: Partial<RawFrame> = {}): RawFrame {
  return { venue: 'binance', channel: 'trade', recvTimeUs: RECV, source: 'live', text, ...over };
}

function refused(text: string): ValidationError {
  try {
    binanceMapper.map(frame(text));
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw new Error(`expected a ValidationError, got ${String(e)}`);
  }
  throw new Error('expected the frame to be refused, but it was mapped');
}

/** A valid BTCUSDT trade payload as text, with fields replaced or removed by raw JSON snippets. */
function btcTrade(over: Record<string, string | undefined> = {}): string {
  const fields: Record<string, string | undefined> = {
    e: '"trade"',
    E: '1795939333011',
    s: '"BTCUSDT"',
    t: '5000000001',
    p: '"60001.26000000"',
    q: '"0.01000000"',
    T: '1795939333010',
    m: 'true',
    M: 'true',
    ...over,
  };
  return `{${Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `"${k}":${v as string}`)
    .join(',')}}`;
}

describe('given the documented Binance trade payload (golden frame)', () => {
  it('when mapped then it is exactly the TradeV1 derived by hand from the field meanings', () => {
    const expected: TradeV1 = {
      v: 1,
      type: 'trade',
      id: 'trade:binance:BNB-BTC:12345', // "t": 12345 -> the venue's trade id, as text
      venue: 'binance',
      symbol: 'BNB-BTC', // "s": "BNBBTC" -> base BNB, quote BTC
      source: 'live',
      recvTimeUs: RECV,
      tradeId: '12345',
      price: '0.001', // "p": "0.001", already canonical
      size: '100', // "q": "100"
      side: 'sell', // "m": true, the buyer was the maker, so the taker sold
      venueTimeUs: 1_672_515_782_136_000, // "T": 1672515782136 ms -> µs
    };
    expect(binanceMapper.map(frame(fixture('trade.json')))).toEqual({ events: [expected] });
  });

  it('when the buyer was the taker ("m": false) then the side is buy', () => {
    const text = fixture('trade.json').replace('"m": true', '"m": false');
    const r = binanceMapper.map(frame(text));
    expect((r.events[0] as TradeV1).side).toBe('buy');
  });

  it('when the frame source is simulated then the event says so', () => {
    const r = binanceMapper.map(frame(fixture('trade.json'), { source: 'simulated' }));
    expect(r.events[0]?.source).toBe('simulated');
  });
});

describe('given a combined-stream frame ({"stream":..., "data":...})', () => {
  it('when mapped then the wrapped trade is unwrapped, its id above 2^53 kept exactly and decimals made canonical', () => {
    const expected: TradeV1 = {
      v: 1,
      type: 'trade',
      id: 'trade:binance:BTC-USDT:9007199254740993',
      venue: 'binance',
      symbol: 'BTC-USDT',
      source: 'live',
      recvTimeUs: RECV_2026,
      tradeId: '9007199254740993', // 2^53 + 1: a float would have made it ...992
      price: '60001.26', // "60001.26000000" without trailing zeros
      size: '0.01', // "0.01000000"
      side: 'buy', // "m": false
      venueTimeUs: 1_795_939_333_010_000, // "T": 1795939333010 ms
    };
    expect(binanceMapper.map(frame(fixture('combined-trade.json'), { recvTimeUs: RECV_2026 }))).toEqual({ events: [expected] });
  });

  it('when the trade id is far above 2^53 then every digit survives', () => {
    const r = binanceMapper.map(frame(btcTrade({ t: '18446744073709551615' }), { recvTimeUs: RECV_2026 }));
    expect(r.events[0]).toMatchObject({ tradeId: '18446744073709551615', id: 'trade:binance:BTC-USDT:18446744073709551615' });
  });
});

describe('given frames that carry no market data', () => {
  it('when it is the subscription ack {"result":null,"id":1} then it is ignored as subscription_ack', () => {
    expect(binanceMapper.map(frame(fixture('subscription-ack.json')))).toEqual({ events: [], ignored: 'subscription_ack' });
  });

  it('when the event type is unknown then it is ignored as unknown_type', () => {
    const agg = '{"e":"aggTrade","E":1672515782136,"s":"BNBBTC","a":12345,"p":"0.001","q":"100","f":100,"l":105,"T":1672515782136,"m":true,"M":true}';
    expect(binanceMapper.map(frame(agg))).toEqual({ events: [], ignored: 'unknown_type' });
    expect(binanceMapper.map(frame('{"stream":"btcusdt@kline_1m","data":{"e":"kline","s":"BTCUSDT"}}'))).toEqual({ events: [], ignored: 'unknown_type' });
  });
});

describe('given hostile or malformed trade frames (hard rule 3)', () => {
  const cases: Array<[string, string, string, string]> = [
    ['a non-numeric price', 'bad_decimal', 'p', btcTrade({ p: '"abc"' })],
    ['a negative price', 'not_positive', 'price', btcTrade({ p: '"-60001.26"' })],
    ['a zero price', 'not_positive', 'price', btcTrade({ p: '"0.00000000"' })],
    ['price "NaN"', 'bad_decimal', 'p', btcTrade({ p: '"NaN"' })],
    ['price "Infinity"', 'bad_decimal', 'p', btcTrade({ p: '"Infinity"' })],
    ['price "-Infinity"', 'bad_decimal', 'p', btcTrade({ p: '"-Infinity"' })],
    ['an empty price', 'bad_decimal', 'p', btcTrade({ p: '""' })],
    ['a hex price', 'bad_decimal', 'p', btcTrade({ p: '"0x10"' })],
    ['an absurd price (above 1e8)', 'out_of_range', 'price', btcTrade({ p: '"100000000.01"' })],
    ['a price with more than 15 integer digits', 'out_of_range', 'p', btcTrade({ p: '"1000000000000000"' })],
    ['a zero size', 'not_positive', 'size', btcTrade({ q: '"0"' })],
    ['a zero size written with decimals', 'not_positive', 'size', btcTrade({ q: '"0.00000000"' })],
    ['a negative size', 'not_positive', 'size', btcTrade({ q: '"-1"' })],
    ['size "NaN"', 'bad_decimal', 'q', btcTrade({ q: '"NaN"' })],
    ['a trade id "x"', 'wrong_type', 't', btcTrade({ t: '"x"' })],
    ['a negative trade id', 'wrong_type', 't', btcTrade({ t: '-5' })],
    ['a fractional trade id', 'wrong_type', 't', btcTrade({ t: '5.5' })],
    ['a trade id of 21 digits', 'wrong_type', 't', btcTrade({ t: '123456789012345678901' })],
    ['a missing "p"', 'missing_field', 'p', btcTrade({ p: undefined })],
    ['a null "p"', 'missing_field', 'p', btcTrade({ p: 'null' })],
    ['a missing "q"', 'missing_field', 'q', btcTrade({ q: undefined })],
    ['a missing "t"', 'missing_field', 't', btcTrade({ t: undefined })],
    ['a missing "T"', 'missing_field', 'T', btcTrade({ T: undefined })],
    ['a missing "s"', 'missing_field', 's', btcTrade({ s: undefined })],
    ['a price as an object', 'wrong_type', 'p', btcTrade({ p: '{"v":"1"}' })],
    ['"m" as a string', 'wrong_type', 'm', btcTrade({ m: '"true"' })],
    ['a missing "m"', 'missing_field', 'm', btcTrade({ m: undefined })],
    ['a null "m"', 'missing_field', 'm', btcTrade({ m: 'null' })],
    ['a trade time as text', 'wrong_type', 'T', btcTrade({ T: '"soon"' })],
    ['a trade time before 2009', 'bad_time', 'T', btcTrade({ T: '1000' })],
    ['a trade time after 2100', 'bad_time', 'T', btcTrade({ T: '4102444800001' })],
    ['a trade time of 20 digits', 'bad_time', 'T', btcTrade({ T: '99999999999999999999' })],
    // A plausible date, but 77 years after we received it: it would stay the latest trade forever (MAX_VENUE_AHEAD_US).
    ['a trade time far ahead of the receive time (2099)', 'future_time', 'venueTimeUs', btcTrade({ T: '4070908800000' })],
    ['an unknown symbol suffix', 'bad_symbol', 's', btcTrade({ s: '"BTCXYZ"' })],
    ['a symbol that is only a quote asset', 'bad_symbol', 's', btcTrade({ s: '"USDT"' })],
    ['a symbol as a number (numbers arrive as text)', 'bad_symbol', 's', btcTrade({ s: '42' })],
    ['no event type', 'missing_field', 'e', '{"s":"BTCUSDT","t":1,"p":"1","q":"1","T":1795939333010,"m":true}'],
  ];
  it.each(cases)('when the frame has %s then it is refused with %s on %s', (_what, code, field, text) => {
    const e = refused(text);
    expect({ code: e.code, field: e.field }).toEqual({ code, field });
  });

  it.each([
    ['not JSON at all', 'hello'],
    ['truncated JSON', '{"e":"trade","s":"BTCUSDT"'],
    ['a malformed number token', btcTrade({ t: '01' })],
    ['an empty frame', ''],
  ])('when the frame is %s then it is refused as bad_json', (_what, text) => {
    expect(refused(text).code).toBe('bad_json');
  });

  it.each([
    ['an array', '[1,2,3]'],
    ['a string', '"trade"'],
    ['null', 'null'],
    ['a number', '42'],
  ])('when the frame is %s then it is refused as not_object', (_what, text) => {
    expect(refused(text).code).toBe('not_object');
  });
});

describe('given prices sent as JSON numbers (the mapper reads number text exactly)', () => {
  it('when "p" and "q" are JSON numbers then they are accepted with their exact text, no float round trip', () => {
    const r = binanceMapper.map(frame(btcTrade({ p: '60001.123456789012345', q: '0.00000001' }), { recvTimeUs: RECV_2026 }));
    expect(r.events[0]).toMatchObject({ price: '60001.123456789012345', size: '0.00000001' });
    // A float would have given 60001.12345678901 for the price.
    expect(String(Number('60001.123456789012345'))).not.toBe('60001.123456789012345');
  });

  it('when a JSON number has trailing zeros or an exponent then it is made canonical from its digits', () => {
    expect(binanceMapper.map(frame(btcTrade({ p: '67234.01000000', q: '1e-8' }), { recvTimeUs: RECV_2026 })).events[0]).toMatchObject({ price: '67234.01', size: '0.00000001' });
  });

  it('when the trade id is sent as a numeric string then it is the same id as the number', () => {
    expect(binanceMapper.map(frame(btcTrade({ t: '"5000000001"' }), { recvTimeUs: RECV_2026 })).events[0]?.id).toBe('trade:binance:BTC-USDT:5000000001');
  });
});

describe('given Binance symbols', () => {
  it.each([
    ['BTCUSDT', 'BTC-USDT'],
    ['btcusdt', 'BTC-USDT'],
    ['BTCFDUSD', 'BTC-FDUSD'],
    ['BTCUSDC', 'BTC-USDC'],
    ['ETHBTC', 'ETH-BTC'],
    ['BTCEUR', 'BTC-EUR'],
    ['BNBBTC', 'BNB-BTC'],
  ])('when the venue spells %s then the canonical symbol is %s', (venue, canonical) => {
    expect(binanceSymbol(venue)).toBe(canonical);
  });
});

/*
 * Binance best bid/ask. fixtures/binance/book-ticker.json is the "Individual Symbol Book Ticker Streams" payload of
 * the same page (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#individual-symbol-book-ticker-streams,
 * source web-socket-streams.md at commit 060fe48d03b0c995e971d86a59096af02d2e5e9e), verbatim except the `// comments`:
 *   "u" order book updateId, "s" symbol, "b" best bid price, "B" best bid qty, "a" best ask price, "A" best ask qty.
 * The payload has no time: venueTimeUs is our receive time (events.ts: "for venues that give none, the receive time").
 */
function bookTicker(over: Record<string, string | undefined> = {}): string {
  const fields: Record<string, string | undefined> = {
    u: '71234567890',
    s: '"BTCUSDT"',
    b: '"67234.01000000"',
    B: '"0.50000000"',
    a: '"67234.02000000"',
    A: '"1.25000000"',
    ...over,
  };
  return `{${Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `"${k}":${v as string}`)
    .join(',')}}`;
}

describe('given the documented Binance bookTicker payload (golden frame)', () => {
  it('when mapped then it is exactly the QuoteV1 derived by hand: update id u, receive time as venue time', () => {
    const expected: QuoteV1 = {
      v: 1,
      type: 'quote',
      id: 'quote:binance:BNB-USDT:400900217', // quote:<venue>:<symbol>:<u>
      venue: 'binance',
      symbol: 'BNB-USDT', // "s": "BNBUSDT"
      source: 'live',
      recvTimeUs: RECV,
      bidPrice: '25.3519', // "b": "25.35190000"
      bidSize: '31.21', // "B": "31.21000000"
      askPrice: '25.3652', // "a": "25.36520000"
      askSize: '40.66', // "A": "40.66000000"
      venueTimeUs: RECV, // no venue time in the payload
      updateId: '400900217', // "u": 400900217
    };
    expect(binanceMapper.map(frame(readFileSync(path.join(FIXTURES, 'book-ticker.json'), 'utf8'), { channel: 'quote' }))).toEqual({ events: [expected] });
  });

  it('when it comes in the combined-stream wrapper then it is unwrapped, and an update id above 2^53 is kept exactly', () => {
    const r = binanceMapper.map(frame(`{"stream":"btcusdt@bookTicker","data":${bookTicker({ u: '9007199254740993' })}}`));
    expect(r.events[0]).toMatchObject({ id: 'quote:binance:BTC-USDT:9007199254740993', updateId: '9007199254740993', bidPrice: '67234.01', askSize: '1.25' });
  });

  it('when the futures form names itself ("e":"bookTicker") then it maps the same way', () => {
    expect(binanceMapper.map(frame(bookTicker({ e: '"bookTicker"' }))).events[0]?.id).toBe('quote:binance:BTC-USDT:71234567890');
  });

  const cases: Array<[string, string, string, string]> = [
    ['a crossed book', 'crossed_quote', 'bidPrice', bookTicker({ b: '"67300"' })],
    ['a zero bid size', 'not_positive', 'bidSize', bookTicker({ B: '"0.00000000"' })],
    ['a negative ask', 'not_positive', 'askPrice', bookTicker({ a: '"-1"' })],
    ['an absurd ask', 'out_of_range', 'askPrice', bookTicker({ a: '"100000000.01"' })],
    ['bid "NaN"', 'bad_decimal', 'b', bookTicker({ b: '"NaN"' })],
    ['a missing best ask quantity', 'missing_field', 'A', bookTicker({ A: undefined })],
    ['a bid as an object', 'wrong_type', 'b', bookTicker({ b: '{}' })],
    ['an update id "x"', 'wrong_type', 'u', bookTicker({ u: '"x"' })],
    ['a negative update id', 'wrong_type', 'u', bookTicker({ u: '-1' })],
    ['a null update id', 'missing_field', 'u', bookTicker({ u: 'null' })],
    ['an unknown symbol suffix', 'bad_symbol', 's', bookTicker({ s: '"BTCXYZ"' })],
    ['a missing symbol', 'missing_field', 's', bookTicker({ s: undefined })],
  ];
  it.each(cases)('when the bookTicker has %s then it is refused with %s on %s', (_what, code, field, text) => {
    const e = refused(text);
    expect({ code: e.code, field: e.field }).toEqual({ code, field });
  });
});
