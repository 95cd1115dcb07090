import { ValidationError, type QuoteV1, type TradeV1 } from '@feed/price-types';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { coinbaseMapper, coinbaseTakerSide } from './coinbase';
import type { RawFrame } from './mapper';

/*
 * Golden frames for the Coinbase Advanced Trade mapper.
 *
 * fixtures/coinbase/*.json are the example messages of
 *   https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels
 * copied verbatim (see fixtures/coinbase/SOURCES.md). Documented meanings used below, quoted from that page:
 *   market_trades: "A market trades message is of the type snapshot or update, and contains an array of market
 *     trades. Each market trade belongs to a side, which refers to the makers side, and can be of type BUY, or SELL."
 *   ticker: best_bid / best_bid_quantity / best_ask / best_ask_quantity (top of book); the message `timestamp`.
 *   heartbeats: "Real-time server pings to keep all connections open".
 * Every expected event is written by hand from those meanings; the quote hash is decision 1's definition,
 * sha256("<bid>|<bidSize>|<ask>|<askSize>") first 16 hex digits, computed outside the mapper
 * (printf '21931.98|8000.21|21933.98|8038.07770938' | sha256sum).
 */

const FIXTURES = path.join(__dirname, '../../fixtures/coinbase');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

// Our receive time, 2026-11-30T01:33:20Z: after every frame of this file (the documented ones date from 2019-2023,
// the constructed ones from 2026-11-29), since venue time may not run more than 60 s ahead of it (MAX_VENUE_AHEAD_US).
const RECV = 1_796_000_000_000_000;

function frame(text: string, over: Partial<RawFrame> = {}): RawFrame {
  return { venue: 'coinbase', channel: 'trade', recvTimeUs: RECV, source: 'live', text, ...over };
}

function refused(text: string): ValidationError {
  try {
    coinbaseMapper.map(frame(text));
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw new Error(`expected a ValidationError, got ${String(e)}`);
  }
  throw new Error('expected the frame to be refused, but it was mapped');
}

/** A market_trades frame holding the given trade objects (raw JSON snippets). */
function trades(...items: string[]): string {
  return `{"channel":"market_trades","client_id":"","timestamp":"2026-11-29T08:02:13.123456789Z","sequence_num":7,"events":[{"type":"update","trades":[${items.join(',')}]}]}`;
}

/** A BTC-USD trade as raw JSON, with fields replaced or removed. */
function btcTrade(over: Record<string, string | undefined> = {}): string {
  const fields: Record<string, string | undefined> = {
    trade_id: '"912345678"',
    product_id: '"BTC-USD"',
    price: '"67234.01000000"',
    size: '"0.00120000"',
    side: '"SELL"',
    time: '"2026-11-29T08:02:13.010918Z"',
    ...over,
  };
  return `{${Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `"${k}":${v as string}`)
    .join(',')}}`;
}

function ticker(over: Record<string, string | undefined> = {}, timestamp: string | null = '"2026-11-29T08:02:13.123456789Z"'): string {
  const fields: Record<string, string | undefined> = {
    type: '"ticker"',
    product_id: '"BTC-USD"',
    price: '"67234.01"',
    best_bid: '"67234"',
    best_bid_quantity: '"0.5"',
    best_ask: '"67234.01"',
    best_ask_quantity: '"1.25"',
    ...over,
  };
  const body = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `"${k}":${v as string}`)
    .join(',');
  const ts = timestamp === null ? '' : `"timestamp":${timestamp},`;
  return `{"channel":"ticker","client_id":"",${ts}"sequence_num":3,"events":[{"type":"update","tickers":[{${body}}]}]}`;
}

describe('given the documented Coinbase market_trades message (golden frame)', () => {
  it('when mapped then it is exactly the TradeV1 derived by hand, with the maker side "BUY" turned into taker "sell"', () => {
    const expected: TradeV1 = {
      v: 1,
      type: 'trade',
      id: 'trade:coinbase:ETH-USD:000000000', // trade_id kept as opaque text, leading zeros included
      venue: 'coinbase',
      symbol: 'ETH-USD', // product_id is already BASE-QUOTE
      source: 'live',
      recvTimeUs: RECV,
      tradeId: '000000000',
      price: '1260.01',
      size: '0.3',
      side: 'sell', // "side": "BUY" is the MAKER's side: a resting buy was hit, so the taker sold
      venueTimeUs: 1_565_815_347_265_000, // "time": "2019-08-14T20:42:27.265Z" (1565815347 s + 265 ms)
    };
    expect(coinbaseMapper.map(frame(fixture('market-trades.json')))).toEqual({ events: [expected] });
  });

  it('when the maker side is "SELL" then the taker bought', () => {
    const text = fixture('market-trades.json').replace('"side": "BUY"', '"side": "SELL"');
    expect((coinbaseMapper.map(frame(text)).events[0] as TradeV1).side).toBe('buy');
  });

  it('when the frame came from the simulator then the event says so', () => {
    expect(coinbaseMapper.map(frame(fixture('market-trades.json'), { source: 'simulated' })).events[0]?.source).toBe('simulated');
  });
});

describe('given the documented Coinbase ticker message (golden frame)', () => {
  it('when mapped then it is exactly the QuoteV1 derived by hand, with the hash id and the message timestamp as venue time', () => {
    const venueTimeUs = 1_675_974_637_167_359; // "timestamp": "2023-02-09T20:30:37.167359596Z", ns truncated to µs
    const expected: QuoteV1 = {
      v: 1,
      type: 'quote',
      id: `quote:coinbase:BTC-USD:${venueTimeUs}:2e8ee55de543bd41`, // no update id: <venueTimeUs>:<hash>
      venue: 'coinbase',
      symbol: 'BTC-USD',
      source: 'live',
      recvTimeUs: RECV,
      bidPrice: '21931.98', // best_bid
      bidSize: '8000.21', // best_bid_quantity
      askPrice: '21933.98', // best_ask
      askSize: '8038.07770938', // best_ask_quantity
      venueTimeUs,
    };
    expect(coinbaseMapper.map(frame(fixture('ticker.json'), { channel: 'quote' }))).toEqual({ events: [expected] });
  });

  it('when the same ticker arrives twice (two replicas, or a resend) then both give the same id', () => {
    const a = coinbaseMapper.map(frame(fixture('ticker.json'))).events[0];
    const b = coinbaseMapper.map(frame(fixture('ticker.json'), { recvTimeUs: RECV + 5_000 })).events[0];
    expect(a?.id).toBe(b?.id);
  });

  it('when the best bid size changes then the id changes', () => {
    const a = coinbaseMapper.map(frame(ticker())).events[0];
    const b = coinbaseMapper.map(frame(ticker({ best_bid_quantity: '"0.6"' }))).events[0];
    expect(a?.id).not.toBe(b?.id);
  });
});

describe('given Coinbase frames that carry no market data', () => {
  it('when it is the documented heartbeats message then it is ignored as heartbeat', () => {
    expect(coinbaseMapper.map(frame(fixture('heartbeats.json')))).toEqual({ events: [], ignored: 'heartbeat' });
  });

  it('when it is a subscriptions ack then it is ignored as subscription_ack', () => {
    const ack = '{"channel":"subscriptions","client_id":"","timestamp":"2026-11-29T08:02:13Z","sequence_num":1,"events":[{"subscriptions":{"market_trades":["BTC-USD"],"heartbeats":["heartbeats"]}}]}';
    expect(coinbaseMapper.map(frame(ack))).toEqual({ events: [], ignored: 'subscription_ack' });
  });

  it('when it is an error message then it is ignored as venue_error', () => {
    expect(coinbaseMapper.map(frame('{"type":"error","message":"failure to subscribe"}'))).toEqual({ events: [], ignored: 'venue_error' });
  });

  it.each([
    ['ticker_batch', '{"channel":"ticker_batch","events":[]}'],
    ['l2_data', '{"channel":"l2_data","events":[{"type":"snapshot","product_id":"BTC-USD","updates":[]}]}'],
    ['a numeric channel', '{"channel":42,"events":[]}'],
  ])('when the channel is %s then it is ignored as unknown_channel', (_what, text) => {
    expect(coinbaseMapper.map(frame(text))).toEqual({ events: [], ignored: 'unknown_channel' });
  });

  it('when a market_trades frame holds no trade then it is ignored as empty_batch', () => {
    expect(coinbaseMapper.map(frame(trades()))).toEqual({ events: [], ignored: 'empty_batch' });
  });
});

describe('given a batch of several Coinbase trades', () => {
  it('when mapped then every trade becomes one event, in order, each with its own id and inverted side', () => {
    const r = coinbaseMapper.map(frame(trades(btcTrade(), btcTrade({ trade_id: '"912345679"', side: '"BUY"', price: '"67233.5"' }))));
    expect(r.events.map((e) => [e.id, (e as TradeV1).side, (e as TradeV1).price, (e as TradeV1).size])).toEqual([
      ['trade:coinbase:BTC-USD:912345678', 'buy', '67234.01', '0.0012'],
      ['trade:coinbase:BTC-USD:912345679', 'sell', '67233.5', '0.0012'],
    ]);
    expect(r.events[0]).toMatchObject({ venueTimeUs: 1_795_939_333_010_918 }); // 2026-11-29T08:02:13.010918Z
  });

  it('when trades are spread over several events then all are mapped', () => {
    const text = `{"channel":"market_trades","events":[{"type":"snapshot","trades":[${btcTrade()}]},{"type":"update","trades":[${btcTrade({ trade_id: '"2"' })}]}]}`;
    expect(coinbaseMapper.map(frame(text)).events.map((e) => e.id)).toEqual(['trade:coinbase:BTC-USD:912345678', 'trade:coinbase:BTC-USD:2']);
  });

  it('when one trade of a batch is bad then the whole frame is refused (dead-lettered intact, nothing half-applied)', () => {
    const e = refused(trades(btcTrade(), btcTrade({ price: '"-1"' })));
    expect({ code: e.code, field: e.field }).toEqual({ code: 'not_positive', field: 'price' });
  });
});

describe('given hostile or malformed Coinbase trades (hard rule 3)', () => {
  const cases: Array<[string, string, string, string]> = [
    ['a non-numeric price', 'bad_decimal', 'price', trades(btcTrade({ price: '"abc"' }))],
    ['price "NaN"', 'bad_decimal', 'price', trades(btcTrade({ price: '"NaN"' }))],
    ['price "Infinity"', 'bad_decimal', 'price', trades(btcTrade({ price: '"Infinity"' }))],
    ['a negative price', 'not_positive', 'price', trades(btcTrade({ price: '"-67234.01"' }))],
    ['a zero size', 'not_positive', 'size', trades(btcTrade({ size: '"0.00000000"' }))],
    ['an absurd price (above 1e8)', 'out_of_range', 'price', trades(btcTrade({ price: '"100000000.01"' }))],
    ['a price of 16 integer digits', 'out_of_range', 'price', trades(btcTrade({ price: '"1000000000000000"' }))],
    ['a price of 65 characters', 'bad_decimal', 'price', trades(btcTrade({ price: `"${'1'.repeat(65)}"` }))],
    ['a size with 19 fraction digits', 'bad_decimal', 'size', trades(btcTrade({ size: '"0.0000000000000000001"' }))],
    ['a price as an object', 'wrong_type', 'price', trades(btcTrade({ price: '{"v":"1"}' }))],
    ['a price as a boolean', 'wrong_type', 'price', trades(btcTrade({ price: 'true' }))],
    ['a missing price', 'missing_field', 'price', trades(btcTrade({ price: undefined }))],
    ['a null size', 'missing_field', 'size', trades(btcTrade({ size: 'null' }))],
    ['a missing trade_id', 'missing_field', 'trade_id', trades(btcTrade({ trade_id: undefined }))],
    ['a trade_id with a space', 'bad_id', 'trade_id', trades(btcTrade({ trade_id: '"1 2"' }))],
    ['a trade_id of 81 characters', 'bad_id', 'trade_id', trades(btcTrade({ trade_id: `"${'9'.repeat(81)}"` }))],
    ['a trade_id as an array', 'wrong_type', 'trade_id', trades(btcTrade({ trade_id: '[1]' }))],
    ['a lower-case side', 'bad_enum', 'side', trades(btcTrade({ side: '"buy"' }))],
    ['an unknown side', 'bad_enum', 'side', trades(btcTrade({ side: '"UNKNOWN_ORDER_SIDE"' }))],
    ['a missing side', 'missing_field', 'side', trades(btcTrade({ side: undefined }))],
    ['a missing time', 'missing_field', 'time', trades(btcTrade({ time: undefined }))],
    ['a time that is not ISO', 'bad_time', 'time', trades(btcTrade({ time: '"yesterday"' }))],
    ['a time with an offset', 'bad_time', 'time', trades(btcTrade({ time: '"2026-11-29T08:02:13+02:00"' }))],
    ['an impossible date', 'bad_time', 'time', trades(btcTrade({ time: '"2026-02-30T08:02:13Z"' }))],
    ['a time before 2009', 'bad_time', 'time', trades(btcTrade({ time: '"2001-01-01T00:00:00Z"' }))],
    ['a time as epoch ms (a JSON number where the docs say an RFC 3339 string)', 'wrong_type', 'time', trades(btcTrade({ time: '1795939333010' }))],
    ['a time as epoch ms text (not ISO)', 'bad_time', 'time', trades(btcTrade({ time: '"1795939333010"' }))],
    ['a product that is not BASE-QUOTE', 'bad_symbol', 'product_id', trades(btcTrade({ product_id: '"BTCUSD"' }))],
    ['a lower-case product', 'bad_symbol', 'product_id', trades(btcTrade({ product_id: '"btc-usd"' }))],
    ['a missing product', 'missing_field', 'product_id', trades(btcTrade({ product_id: undefined }))],
    ['a trade that is a string', 'wrong_type', 'trades[]', trades('"trade"')],
    ['a null trade', 'missing_field', 'trades[]', trades('null')],
    ['trades that is an object', 'wrong_type', 'trades', '{"channel":"market_trades","events":[{"type":"update","trades":{}}]}'],
    ['an event without trades', 'missing_field', 'trades', '{"channel":"market_trades","events":[{"type":"update"}]}'],
    ['events that is a string', 'wrong_type', 'events', '{"channel":"market_trades","events":"x"}'],
    ['no events', 'missing_field', 'events', '{"channel":"market_trades"}'],
    ['an event that is a number', 'wrong_type', 'events[]', '{"channel":"market_trades","events":[1]}'],
    ['no channel and no type', 'missing_field', 'channel', '{"events":[]}'],
  ];
  it.each(cases)('when the frame has %s then it is refused with %s on %s', (_what, code, field, text) => {
    const e = refused(text);
    expect({ code: e.code, field: e.field }).toEqual({ code, field });
  });

  it.each([
    ['not JSON', 'hello'],
    ['truncated JSON', '{"channel":"market_trades","events":['],
    ['a malformed number', '{"channel":"market_trades","sequence_num":01,"events":[]}'],
    ['an empty frame', ''],
  ])('when the frame is %s then it is refused as bad_json', (_what, text) => {
    expect(refused(text).code).toBe('bad_json');
  });

  it.each([
    ['an array', '[1]'],
    ['a string', '"market_trades"'],
    ['null', 'null'],
  ])('when the frame is %s then it is refused as not_object', (_what, text) => {
    expect(refused(text).code).toBe('not_object');
  });

  it('when a price or the trade id comes as a JSON number (documented as strings) then the frame is refused as wrong_type', () => {
    // A hostile frame must not pass with its types swapped (e2e hostile-venues: a numeric id became a phantom trade).
    expect(() => coinbaseMapper.map(frame(trades(btcTrade({ price: '67234.123456789012345' }))))).toThrow(expect.objectContaining({ code: 'wrong_type', field: 'price' }));
    expect(() => coinbaseMapper.map(frame(trades(btcTrade({ trade_id: '18446744073709551615' }))))).toThrow(expect.objectContaining({ code: 'wrong_type', field: 'trade_id' }));
  });

  it('when the trade id is a digit string far above 2^53 then every digit is kept', () => {
    const r = coinbaseMapper.map(frame(trades(btcTrade({ trade_id: '"18446744073709551615"' }))));
    expect(r.events[0]?.id).toBe('trade:coinbase:BTC-USD:18446744073709551615');
    expect((r.events[0] as TradeV1).price).toBeDefined();
  });
});

describe('given hostile or malformed Coinbase tickers', () => {
  const cases: Array<[string, string, string, string]> = [
    ['a crossed book (bid above ask)', 'crossed_quote', 'bidPrice', ticker({ best_bid: '"67300"' })],
    ['a zero bid size', 'not_positive', 'bidSize', ticker({ best_bid_quantity: '"0"' })],
    ['a negative ask', 'not_positive', 'askPrice', ticker({ best_ask: '"-1"' })],
    ['an absurd ask size', 'out_of_range', 'askSize', ticker({ best_ask_quantity: '"100000001"' })],
    ['a bid "NaN"', 'bad_decimal', 'best_bid', ticker({ best_bid: '"NaN"' })],
    ['an empty bid', 'bad_decimal', 'best_bid', ticker({ best_bid: '""' })],
    ['a missing best_ask (ticker_batch shape)', 'missing_field', 'best_ask', ticker({ best_ask: undefined })],
    ['a bid size as an array', 'wrong_type', 'best_bid_quantity', ticker({ best_bid_quantity: '["1"]' })],
    ['a product that is not a symbol', 'bad_symbol', 'product_id', ticker({ product_id: '"BTC_USD"' })],
    ['no message timestamp', 'missing_field', 'timestamp', ticker({}, null)],
    ['a message timestamp that is garbage', 'bad_time', 'timestamp', ticker({}, '"2026-13-01T00:00:00Z"')],
    ['a message timestamp after 2100', 'bad_time', 'timestamp', ticker({}, '"2101-01-01T00:00:00Z"')],
    ['no tickers', 'missing_field', 'tickers', '{"channel":"ticker","timestamp":"2026-11-29T08:02:13Z","events":[{"type":"update"}]}'],
  ];
  it.each(cases)('when the ticker has %s then it is refused with %s on %s', (_what, code, field, text) => {
    const e = refused(text);
    expect({ code: e.code, field: e.field }).toEqual({ code, field });
  });
});

describe('given the maker-to-taker side rule', () => {
  it.each([
    ['BUY', 'sell'],
    ['SELL', 'buy'],
  ])('when Coinbase says the maker side is %s then the taker side is %s', (maker, taker) => {
    expect(coinbaseTakerSide(maker)).toBe(taker);
  });
});
