import { ValidationError, type QuoteV1, type TradeV1 } from '@feed/price-types';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { krakenMapper, krakenSymbol } from './kraken';
import type { RawFrame } from './mapper';

/*
 * Golden frames for the Kraken WebSocket v2 mapper.
 *
 * fixtures/kraken/*.json are the examples of https://docs.kraken.com/api/docs/websocket-v2/trade, .../ticker and
 * .../heartbeat, copied verbatim (see fixtures/kraken/SOURCES.md). Documented meanings used below, quoted:
 *   trade:  symbol "The symbol of the currency pair"; side "The side of the taker order"; qty "Size of the trade";
 *           price "Average price of the trade"; trade_id "Trade identifier is a sequence number, unique per book";
 *           timestamp RFC3339; "The snapshot reflects the most recent 50 trades".
 *   ticker: bid "Best bid price", bid_qty "Best bid quantity", ask "Best ask price", ask_qty "Best ask quantity",
 *           timestamp "The ticker data timestamp".
 * Every expected event is written by hand from those meanings. Epoch seconds by `date -u -d <time> +%s`; the quote
 * hashes by decision 1's definition, sha256("<bid>|<bidSize>|<ask>|<askSize>") first 16 hex digits
 * (printf '0.10025|740|0.10036|1361.44813783' | sha256sum), computed outside the mapper.
 */

const FIXTURES = path.join(__dirname, '../../fixtures/kraken');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

// Our receive time, 2026-11-30T01:33:20Z: after every frame of this file (the documented ones date from 2023, the
// constructed ones from 2026-11-29), since venue time may not run more than 60 s ahead of it (MAX_VENUE_AHEAD_US).
const RECV = 1_796_000_000_000_000;

function frame(text: string, over: Partial<RawFrame> = {}): RawFrame {
  return { venue: 'kraken', channel: 'trade', recvTimeUs: RECV, source: 'live', text, ...over };
}

function refused(text: string): ValidationError {
  try {
    krakenMapper.map(frame(text));
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw new Error(`expected a ValidationError, got ${String(e)}`);
  }
  throw new Error('expected the frame to be refused, but it was mapped');
}

function item(base: Record<string, string>, over: Record<string, string | undefined>): string {
  return `{${Object.entries({ ...base, ...over })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `"${k}":${v as string}`)
    .join(',')}}`;
}

/** A BTC/USD trade update frame, with item fields replaced or removed by raw JSON snippets. */
function trade(over: Record<string, string | undefined> = {}): string {
  const t = item({ symbol: '"BTC/USD"', side: '"buy"', price: '67234.01', qty: '0.0012', ord_type: '"limit"', trade_id: '123456789', timestamp: '"2026-11-29T08:02:13.010918Z"' }, over);
  return `{"channel":"trade","type":"update","data":[${t}]}`;
}

function ticker(over: Record<string, string | undefined> = {}): string {
  const t = item({ symbol: '"BTC/USD"', bid: '67234.0', bid_qty: '0.5', ask: '67234.1', ask_qty: '1.25', last: '67234.1', timestamp: '"2026-11-29T08:02:13.010918Z"' }, over);
  return `{"channel":"ticker","type":"update","data":[${t}]}`;
}

describe('given the documented Kraken trade snapshot (golden frame)', () => {
  it('when mapped then both past trades are events, exactly as derived by hand (side is already the taker side)', () => {
    const base = { v: 1, type: 'trade', venue: 'kraken', symbol: 'MATIC-USD', source: 'live', recvTimeUs: RECV, side: 'buy' } as const;
    const expected: TradeV1[] = [
      {
        ...base,
        id: 'trade:kraken:MATIC-USD:4665846',
        tradeId: '4665846', // "trade_id": 4665846, a JSON integer read as text
        price: '0.5147', // "price": 0.5147, digits as sent
        size: '6423.46326', // "qty": 6423.46326
        venueTimeUs: 1_695_628_116_925_533, // "2023-09-25T07:48:36.925533Z"
      },
      {
        ...base,
        id: 'trade:kraken:MATIC-USD:4665847',
        tradeId: '4665847',
        price: '0.5147',
        size: '1136.19677815', // 12 significant digits: a float would keep them, but only the text is trusted
        venueTimeUs: 1_695_628_176_925_603, // "2023-09-25T07:49:36.925603Z"
      },
    ];
    expect(krakenMapper.map(frame(fixture('trade-snapshot.json')))).toEqual({ events: expected });
  });
});

describe('given the documented Kraken trade update (golden frame)', () => {
  it('when mapped then it is exactly the TradeV1 derived by hand, "qty": 40.0 made canonical from its text', () => {
    const expected: TradeV1 = {
      v: 1,
      type: 'trade',
      id: 'trade:kraken:MATIC-USD:4665906',
      venue: 'kraken',
      symbol: 'MATIC-USD', // "MATIC/USD"
      source: 'live',
      recvTimeUs: RECV,
      tradeId: '4665906',
      price: '0.5117',
      size: '40', // "qty": 40.0 -> no trailing zeros
      side: 'sell', // the taker sold
      venueTimeUs: 1_695_628_177_708_706, // "2023-09-25T07:49:37.708706Z"
    };
    expect(krakenMapper.map(frame(fixture('trade-update.json')))).toEqual({ events: [expected] });
  });
});

describe('given the documented Kraken ticker messages (golden frames)', () => {
  const venueTimeUs = 1_695_632_671_742_648; // "timestamp": "2023-09-25T09:04:31.742648Z"
  const base = { v: 1, type: 'quote', venue: 'kraken', symbol: 'ALGO-USD', source: 'live', recvTimeUs: RECV, venueTimeUs } as const;

  it('when the snapshot is mapped then it is exactly the QuoteV1 derived by hand, with the hash id', () => {
    const expected: QuoteV1 = {
      ...base,
      id: `quote:kraken:ALGO-USD:${venueTimeUs}:36ffb6aff5e3d357`,
      bidPrice: '0.10025', // "bid": 0.10025
      bidSize: '740', // "bid_qty": 740.0
      askPrice: '0.10036', // "ask": 0.10036
      askSize: '1361.44813783', // "ask_qty": 1361.44813783
    };
    expect(krakenMapper.map(frame(fixture('ticker-snapshot.json'), { channel: 'quote' }))).toEqual({ events: [expected] });
  });

  it('when the update is mapped then the new ask and size give a new hash id', () => {
    const expected: QuoteV1 = {
      ...base,
      id: `quote:kraken:ALGO-USD:${venueTimeUs}:f158f2795a1c90fc`,
      bidPrice: '0.10025',
      bidSize: '740',
      askPrice: '0.10035', // "ask": 0.10035
      askSize: '740', // "ask_qty": 740.0
    };
    expect(krakenMapper.map(frame(fixture('ticker-update.json'), { channel: 'quote' }))).toEqual({ events: [expected] });
  });

  it('when the same ticker is received twice at different times then the id is the same (it depends on venue data only)', () => {
    const a = krakenMapper.map(frame(fixture('ticker-update.json'))).events[0];
    const b = krakenMapper.map(frame(fixture('ticker-update.json'), { recvTimeUs: RECV + 1 })).events[0];
    expect(a?.id).toBe(b?.id);
  });
});

describe('given Kraken frames that carry no market data', () => {
  it('when it is the documented heartbeat then it is ignored as heartbeat', () => {
    expect(krakenMapper.map(frame(fixture('heartbeat.json')))).toEqual({ events: [], ignored: 'heartbeat' });
  });

  it('when it is the documented subscribe ack then it is ignored as subscription_ack', () => {
    expect(krakenMapper.map(frame(fixture('trade-subscribe-ack.json')))).toEqual({ events: [], ignored: 'subscription_ack' });
  });

  it('when a subscription is refused then it is ignored as request_error', () => {
    const err = '{"error":"Currency pair not supported BTC/XYZ","method":"subscribe","success":false,"symbol":"BTC/XYZ","time_in":"2023-09-25T09:21:10.428340Z","time_out":"2023-09-25T09:21:10.428375Z"}';
    expect(krakenMapper.map(frame(err))).toEqual({ events: [], ignored: 'request_error' });
  });

  it('when it is a pong then it is ignored as pong', () => {
    expect(krakenMapper.map(frame('{"method":"pong","time_in":"2023-09-25T09:21:10.428340Z","time_out":"2023-09-25T09:21:10.428375Z"}'))).toEqual({ events: [], ignored: 'pong' });
  });

  it('when it is a status update then it is ignored as status', () => {
    const status = '{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":12393906104898154338,"system":"online","version":"2.0.4"}]}';
    expect(krakenMapper.map(frame(status))).toEqual({ events: [], ignored: 'status' });
  });

  it.each([
    ['book', '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":0}]}'],
    ['ohlc', '{"channel":"ohlc","type":"update","data":[]}'],
    ['a numeric channel', '{"channel":7}'],
  ])('when the channel is %s then it is ignored as unknown_channel', (_what, text) => {
    expect(krakenMapper.map(frame(text))).toEqual({ events: [], ignored: 'unknown_channel' });
  });

  it('when a trade frame has no trades then it is ignored as empty_batch', () => {
    expect(krakenMapper.map(frame('{"channel":"trade","type":"update","data":[]}'))).toEqual({ events: [], ignored: 'empty_batch' });
  });
});

describe('given Kraken numbers (decision 3: read from the text, never through a float)', () => {
  it('when a price has more digits than a float holds then every digit is kept', () => {
    const r = krakenMapper.map(frame(trade({ price: '67234.123456789012345' })));
    expect((r.events[0] as TradeV1).price).toBe('67234.123456789012345');
    expect(String(Number('67234.123456789012345'))).not.toBe('67234.123456789012345');
  });

  it('when a quantity uses an exponent then it is made canonical from its digits', () => {
    expect((krakenMapper.map(frame(trade({ qty: '1e-8' }))).events[0] as TradeV1).size).toBe('0.00000001');
    expect((krakenMapper.map(frame(trade({ qty: '1.5E+2' }))).events[0] as TradeV1).size).toBe('150');
  });

  it('when the trade id is above 2^53 then every digit is kept', () => {
    expect(krakenMapper.map(frame(trade({ trade_id: '9007199254740993' }))).events[0]?.id).toBe('trade:kraken:BTC-USD:9007199254740993');
  });

  it('when a price is sent as a string instead of a number then it is read the same way', () => {
    expect((krakenMapper.map(frame(trade({ price: '"67234.01"' }))).events[0] as TradeV1).price).toBe('67234.01');
  });
});

describe('given hostile or malformed Kraken trades (hard rule 3)', () => {
  const cases: Array<[string, string, string, string]> = [
    ['a price as text that is not a number', 'bad_decimal', 'price', trade({ price: '"abc"' })],
    ['price "NaN"', 'bad_decimal', 'price', trade({ price: '"NaN"' })],
    ['price "Infinity"', 'bad_decimal', 'price', trade({ price: '"Infinity"' })],
    ['a huge exponent', 'out_of_range', 'price', trade({ price: '1e300' })],
    ['a tiny exponent', 'bad_decimal', 'qty', trade({ qty: '1e-300' })],
    ['a price above 1e8', 'out_of_range', 'price', trade({ price: '100000000.5' })],
    ['a negative price', 'not_positive', 'price', trade({ price: '-67234.01' })],
    ['a zero quantity', 'not_positive', 'size', trade({ qty: '0.0' })],
    ['a price as an object', 'wrong_type', 'price', trade({ price: '{"v":1}' })],
    ['a price as an array', 'wrong_type', 'price', trade({ price: '[1]' })],
    ['a price as a boolean', 'wrong_type', 'price', trade({ price: 'true' })],
    ['a missing price', 'missing_field', 'price', trade({ price: undefined })],
    ['a null quantity', 'missing_field', 'qty', trade({ qty: 'null' })],
    ['a missing trade_id', 'missing_field', 'trade_id', trade({ trade_id: undefined })],
    ['a fractional trade_id', 'wrong_type', 'trade_id', trade({ trade_id: '1.5' })],
    ['a negative trade_id', 'wrong_type', 'trade_id', trade({ trade_id: '-1' })],
    ['a trade_id of 21 digits', 'wrong_type', 'trade_id', trade({ trade_id: '123456789012345678901' })],
    ['a trade_id that is a word', 'wrong_type', 'trade_id', trade({ trade_id: '"abc"' })],
    ['an unknown side', 'bad_enum', 'side', trade({ side: '"b"' })],
    ['an upper-case side', 'bad_enum', 'side', trade({ side: '"BUY"' })],
    ['a missing side', 'missing_field', 'side', trade({ side: undefined })],
    ['a v1 pair name with no slash', 'bad_symbol', 'symbol', trade({ symbol: '"XBTUSD"' })],
    ['a pair with two slashes', 'bad_symbol', 'symbol', trade({ symbol: '"BTC/USD/X"' })],
    ['a lower-case pair', 'bad_symbol', 'symbol', trade({ symbol: '"btc/usd"' })],
    ['a pair as a number', 'bad_symbol', 'symbol', trade({ symbol: '42' })],
    ['a missing pair', 'missing_field', 'symbol', trade({ symbol: undefined })],
    ['a missing timestamp', 'missing_field', 'timestamp', trade({ timestamp: undefined })],
    ['a timestamp as epoch seconds (v1 style)', 'bad_time', 'timestamp', trade({ timestamp: '1695628177.708706' })],
    ['a timestamp that is not RFC3339', 'bad_time', 'timestamp', trade({ timestamp: '"25/09/2023"' })],
    ['a timestamp as an object', 'wrong_type', 'timestamp', trade({ timestamp: '{}' })],
    ['an unknown message type', 'bad_enum', 'type', '{"channel":"trade","type":"delta","data":[]}'],
    ['no message type', 'missing_field', 'type', '{"channel":"trade","data":[]}'],
    ['data that is an object', 'wrong_type', 'data', '{"channel":"trade","type":"update","data":{}}'],
    ['no data', 'missing_field', 'data', '{"channel":"trade","type":"update"}'],
    ['a data item that is a string', 'wrong_type', 'data[]', '{"channel":"trade","type":"update","data":["x"]}'],
    ['no channel', 'missing_field', 'channel', '{"type":"update","data":[]}'],
  ];
  it.each(cases)('when the frame has %s then it is refused with %s on %s', (_what, code, field, text) => {
    const e = refused(text);
    expect({ code: e.code, field: e.field }).toEqual({ code, field });
  });

  it('when one trade of a batch is bad then the whole frame is refused', () => {
    const good = '{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"ord_type":"limit","trade_id":1,"timestamp":"2026-11-29T08:02:13Z"}';
    const bad = '{"symbol":"BTC/USD","side":"buy","price":0,"qty":1,"ord_type":"limit","trade_id":2,"timestamp":"2026-11-29T08:02:13Z"}';
    expect(refused(`{"channel":"trade","type":"update","data":[${good},${bad}]}`).code).toBe('not_positive');
  });

  it.each([
    ['not JSON', 'hello'],
    ['truncated JSON', '{"channel":"trade","type":"update","data":[{'],
    ['a malformed number', trade({ price: '01.5' })],
    ['a bare minus', trade({ price: '-' })],
    ['an empty frame', ''],
  ])('when the frame is %s then it is refused as bad_json', (_what, text) => {
    expect(refused(text).code).toBe('bad_json');
  });

  it.each([
    ['an array (a v1 frame)', '[0,[["5541.2","0.15","1534614057.321597","s","l",""]],"trade","XBT/USD"]'],
    ['null', 'null'],
    ['a number', '1'],
  ])('when the frame is %s then it is refused as not_object', (_what, text) => {
    expect(refused(text).code).toBe('not_object');
  });
});

describe('given hostile or malformed Kraken tickers', () => {
  const cases: Array<[string, string, string, string]> = [
    ['a crossed book', 'crossed_quote', 'bidPrice', ticker({ bid: '67300' })],
    ['a zero ask size', 'not_positive', 'askSize', ticker({ ask_qty: '0' })],
    ['a negative bid', 'not_positive', 'bidPrice', ticker({ bid: '-1' })],
    ['a huge bid size', 'out_of_range', 'bid_qty', ticker({ bid_qty: '1e20' })],
    ['a missing bid', 'missing_field', 'bid', ticker({ bid: undefined })],
    ['a missing ask_qty', 'missing_field', 'ask_qty', ticker({ ask_qty: undefined })],
    ['an ask as a string that is not a number', 'bad_decimal', 'ask', ticker({ ask: '"x"' })],
    ['a missing timestamp (no receive-time fallback: ids must not depend on our clock)', 'missing_field', 'timestamp', ticker({ timestamp: undefined })],
    ['a bad symbol', 'bad_symbol', 'symbol', ticker({ symbol: '"BTCUSD"' })],
  ];
  it.each(cases)('when the ticker has %s then it is refused with %s on %s', (_what, code, field, text) => {
    const e = refused(text);
    expect({ code: e.code, field: e.field }).toEqual({ code, field });
  });
});

describe('given Kraken pair names', () => {
  it.each([
    ['BTC/USD', 'BTC-USD'],
    ['ETH/BTC', 'ETH-BTC'],
    ['MATIC/GBP', 'MATIC-GBP'],
    ['USDT/USD', 'USDT-USD'],
  ])('when the venue spells %s then the canonical symbol is %s', (venue, canonical) => {
    expect(krakenSymbol(venue)).toBe(canonical);
  });
});
