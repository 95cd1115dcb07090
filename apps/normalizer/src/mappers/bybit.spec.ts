import { ValidationError, type QuoteV1, type TradeV1 } from '@feed/price-types';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bybitMapper, bybitSymbol } from './bybit';
import type { RawFrame } from './mapper';

/*
 * Golden frames for the Bybit v5 spot mapper, copied from Bybit's API documentation (source of the pages:
 * github.com/bybit-exchange/docs, commit c06c966594af03d7384aa8c77adbeefc10a2fc0d):
 *   https://bybit-exchange.github.io/docs/v5/websocket/public/trade      -> fixtures/bybit/public-trade.json
 *     ("Response Example", verbatim)
 *   https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook  -> fixtures/bybit/orderbook-snapshot.json
 *     ("Response Example", verbatim except the two `...,` elision lines, removed because JSON has none; the page's
 *     example is an orderbook.50 snapshot: same payload shape as orderbook.1)
 *   https://bybit-exchange.github.io/docs/v5/ws/connect                  -> fixtures/bybit/pong.json and
 *     subscribe-ack.json (the "Spot" tabs of "Pong message example of public channels" and "Topic subscription
 *     response message example", verbatim)
 * Documented meanings used: T "The timestamp (ms) that the order is filled", s "Symbol name", S "Side of taker.
 * Buy,Sell", v "Trade size", p "Trade price", i "Trade ID" (string); orderbook b "Bids" / a "Asks" [price, size]
 * sorted best first in snapshots, u "Update ID", seq "Cross sequence", ts "The timestamp (ms) that the system
 * generates the data".
 * Every expected event is written by hand from those meanings, never by running the mapper.
 */

const FIXTURES = path.join(__dirname, '../../fixtures/bybit');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

const RECV = 1_795_939_333_212_345;

function frame(text: string, over: Partial<RawFrame> = {}): RawFrame {
  return { venue: 'bybit', channel: 'trade', recvTimeUs: RECV, source: 'live', text, ...over };
}

function refused(text: string): ValidationError {
  try {
    bybitMapper.map(frame(text));
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw new Error(`expected a ValidationError, got ${String(e)}`);
  }
  throw new Error('expected the frame to be refused, but it was mapped');
}

function tradeItem(over: Record<string, string | undefined> = {}): string {
  const fields: Record<string, string | undefined> = {
    T: '1795939333010',
    s: '"BTCUSDT"',
    S: '"Sell"',
    v: '"0.010000"',
    p: '"97001.20"',
    L: '"MinusTick"',
    i: '"2290000000036455162"',
    BT: 'false',
    ...over,
  };
  return `{${Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `"${k}":${v as string}`)
    .join(',')}}`;
}

const trades = (...items: string[]): string => `{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1795939333012,"data":[${items.join(',')}]}`;

function ob(type: string, b: string, a: string, tail = '"u":18521289,"seq":7961638725', extra = ''): string {
  return `{"topic":"orderbook.1.BTCUSDT","type":"${type}","ts":1795939333020,"data":{"s":"BTCUSDT","b":${b},"a":${a},${tail}}${extra}}`;
}

describe('given the documented Bybit publicTrade push (golden)', () => {
  it('when mapped then it is the TradeV1 derived by hand: taker side S, opaque id i, T in ms', () => {
    const expected: TradeV1 = {
      v: 1,
      type: 'trade',
      id: 'trade:bybit:BTC-USDT:20f43950-d8dd-5b31-9112-a178eb6023af', // i: a UUID, kept opaque
      venue: 'bybit',
      symbol: 'BTC-USDT', // s "BTCUSDT"
      source: 'live',
      recvTimeUs: RECV,
      tradeId: '20f43950-d8dd-5b31-9112-a178eb6023af',
      price: '16578.5', // p "16578.50"
      size: '0.001', // v "0.001"
      side: 'buy', // S "Buy": side of taker
      venueTimeUs: 1_672_304_486_865_000, // T 1672304486865 ms
    };
    expect(bybitMapper.map(frame(fixture('public-trade.json')))).toEqual({ events: [expected] });
  });

  it('when a push carries several trades (numeric-looking ids too) then each is mapped in order, S "Sell" -> sell', () => {
    const r = bybitMapper.map(frame(trades(tradeItem(), tradeItem({ i: '"2290000000036455163"', S: '"Buy"' }))));
    expect(r.events.map((e) => [e.id, (e as TradeV1).side, (e as TradeV1).size])).toEqual([
      ['trade:bybit:BTC-USDT:2290000000036455162', 'sell', '0.01'],
      ['trade:bybit:BTC-USDT:2290000000036455163', 'buy', '0.01'],
    ]);
  });
});

describe('given the documented Bybit orderbook snapshot (golden)', () => {
  it('when mapped then the quote is b[0] / a[0] with update id "<u>-<seq>" and ts as venue time', () => {
    const expected: QuoteV1 = {
      v: 1,
      type: 'quote',
      id: 'quote:bybit:BTC-USDT:18521288-7961638724',
      venue: 'bybit',
      symbol: 'BTC-USDT', // data.s
      source: 'live',
      recvTimeUs: RECV,
      bidPrice: '16493.5', // b[0] ["16493.50", "0.006"]
      bidSize: '0.006',
      askPrice: '16611', // a[0] ["16611.00", "0.029"]
      askSize: '0.029',
      venueTimeUs: 1_672_304_484_978_000, // ts 1672304484978 (no cts in the example)
      updateId: '18521288-7961638724', // u 18521288, seq 7961638724 (see bybit.ts for why both)
    };
    expect(bybitMapper.map(frame(fixture('orderbook-snapshot.json'), { channel: 'quote' }))).toEqual({ events: [expected] });
  });

  it('when cts (matching-engine time) is present then it is the venue time', () => {
    const r = bybitMapper.map(frame(ob('snapshot', '[["97000.10","0.5"]]', '[["97000.20","0.7"]]', undefined, ',"cts":1795939333017')));
    expect(r.events[0]).toMatchObject({ venueTimeUs: 1_795_939_333_017_000, id: 'quote:bybit:BTC-USDT:18521289-7961638725' });
  });

  it('when the book service restarted (u = 1) then the quote id still differs from the first one ever seen with u = 1', () => {
    const before = bybitMapper.map(frame(ob('snapshot', '[["1.1","1"]]', '[["1.2","1"]]', '"u":1,"seq":100'))).events[0];
    const after = bybitMapper.map(frame(ob('snapshot', '[["1.1","1"]]', '[["1.2","1"]]', '"u":1,"seq":900'))).events[0];
    expect([before?.id, after?.id]).toEqual(['quote:bybit:BTC-USDT:1-100', 'quote:bybit:BTC-USDT:1-900']);
  });

  it('when a delta states one complete level per side then it is a quote', () => {
    const r = bybitMapper.map(frame(ob('delta', '[["97000.10","0.5"]]', '[["97000.20","0.7"]]')));
    expect(r.events[0]).toMatchObject({ bidPrice: '97000.1', bidSize: '0.5', askPrice: '97000.2', askSize: '0.7' });
  });

  it.each([
    ['only the bid side', ob('delta', '[["97000.10","0.5"]]', '[]')],
    ['a deletion (size 0)', ob('delta', '[["97000.10","0"]]', '[["97000.20","0.7"]]')],
    ['two levels on one side', ob('delta', '[["97000.10","0"],["97000.00","1"]]', '[["97000.20","0.7"]]')],
  ])('when a delta carries %s then it is ignored as book_delta_partial (the mapper keeps no book)', (_what, text) => {
    expect(bybitMapper.map(frame(text))).toEqual({ events: [], ignored: 'book_delta_partial' });
  });

  it('when a snapshot has an empty side then it is ignored as one_sided_book', () => {
    expect(bybitMapper.map(frame(ob('snapshot', '[]', '[["1.2","1"]]')))).toEqual({ events: [], ignored: 'one_sided_book' });
  });

  it.each([
    ['no seq', ob('snapshot', '[["1.1","1"]]', '[["1.2","1"]]', '"u":5'), 'missing_field', 'seq'],
    ['no u', ob('snapshot', '[["1.1","1"]]', '[["1.2","1"]]', '"seq":5'), 'missing_field', 'u'],
    ['u as text', ob('snapshot', '[["1.1","1"]]', '[["1.2","1"]]', '"u":"five","seq":5'), 'wrong_type', 'u'],
    ['an unknown type', ob('partial', '[["1.1","1"]]', '[["1.2","1"]]'), 'bad_enum', 'type'],
    ['a crossed book', ob('snapshot', '[["1.3","1"]]', '[["1.2","1"]]'), 'crossed_quote', 'bidPrice'],
    ['b as an object', ob('snapshot', '{}', '[["1.2","1"]]'), 'wrong_type', 'b'],
    ['a level that is a number', ob('snapshot', '[7]', '[["1.2","1"]]'), 'wrong_type', 'b[0]'],
    ['a price of 1e9', ob('snapshot', '[["1.1","1"]]', '[["1000000000","1"]]'), 'out_of_range', 'askPrice'],
    ['a negative size', ob('snapshot', '[["1.1","-1"]]', '[["1.2","1"]]'), 'not_positive', 'bidSize'],
    ['a cts before 2009', ob('snapshot', '[["1.1","1"]]', '[["1.2","1"]]', undefined, ',"cts":1'), 'bad_time', 'cts'],
    ['no data', '{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1795939333020}', 'missing_field', 'data'],
    ['an unknown quote coin', '{"topic":"orderbook.1.BTCXYZ","type":"snapshot","ts":1795939333020,"data":{"s":"BTCXYZ","b":[],"a":[],"u":1,"seq":1}}', 'bad_symbol', 's'],
  ])('when the orderbook push has %s then it is refused with %s on %s', (_what, text, code, field) => {
    const e = refused(text);
    expect({ code: e.code, field: e.field }).toEqual({ code, field });
  });
});

describe('given Bybit frames that carry no market data', () => {
  it.each([
    ['pong.json', 'pong'],
    ['subscribe-ack.json', 'subscription_ack'],
  ])('when the documented reply %s arrives then it is ignored as %s', (name, reason) => {
    expect(bybitMapper.map(frame(fixture(name), { channel: 'other' }))).toEqual({ events: [], ignored: reason });
  });

  it.each([
    ['{"success":false,"ret_msg":"Invalid symbol :[BTCXYZ]","conn_id":"x","op":"subscribe"}', 'venue_error'],
    ['{"op":"pong","args":["1672916271846"]}', 'pong'],
    ['{"op":"auth","success":true}', 'unknown_op'],
    ['{"topic":"tickers.BTCUSDT","type":"snapshot","ts":1,"data":{}}', 'unknown_topic'],
    ['{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[]}', 'empty_data'],
  ])('when the frame is %s then it is ignored as %s', (text, reason) => {
    expect(bybitMapper.map(frame(text))).toEqual({ events: [], ignored: reason });
  });
});

describe('given hostile or malformed Bybit trade frames (hard rule 3)', () => {
  const cases: Array<[string, string, string, string]> = [
    ['no p', 'missing_field', 'p', trades(tradeItem({ p: undefined }))],
    ['p as an array', 'wrong_type', 'p', trades(tradeItem({ p: '["1"]' }))],
    ['p "NaN"', 'bad_decimal', 'p', trades(tradeItem({ p: '"NaN"' }))],
    ['p "1.2.3"', 'bad_decimal', 'p', trades(tradeItem({ p: '"1.2.3"' }))],
    ['a negative p', 'not_positive', 'price', trades(tradeItem({ p: '"-97001.20"' }))],
    ['an absurd p', 'out_of_range', 'price', trades(tradeItem({ p: '"123456789"' }))],
    ['a 100-digit v', 'bad_decimal', 'v', trades(tradeItem({ v: `"${'9'.repeat(100)}"` }))],
    ['a zero v', 'not_positive', 'size', trades(tradeItem({ v: '"0"' }))],
    ['S "buy" (wrong case)', 'bad_enum', 'S', trades(tradeItem({ S: '"buy"' }))],
    ['S as a number', 'bad_enum', 'S', trades(tradeItem({ S: '1' }))],
    ['no S', 'missing_field', 'S', trades(tradeItem({ S: undefined }))],
    ['no i', 'missing_field', 'i', trades(tradeItem({ i: undefined }))],
    ['i with a slash', 'bad_id', 'i', trades(tradeItem({ i: '"a/b"' }))],
    ['i as an object', 'wrong_type', 'i', trades(tradeItem({ i: '{}' }))],
    ['an empty i', 'bad_id', 'i', trades(tradeItem({ i: '""' }))],
    ['no T', 'missing_field', 'T', trades(tradeItem({ T: undefined }))],
    ['T as text', 'wrong_type', 'T', trades(tradeItem({ T: '"soon"' }))],
    ['T in seconds', 'bad_time', 'T', trades(tradeItem({ T: '1795939333' }))],
    ['a fractional T', 'wrong_type', 'T', trades(tradeItem({ T: '1795939333010.5' }))],
    ['no s', 'missing_field', 's', trades(tradeItem({ s: undefined }))],
    ['an unknown quote coin', 'bad_symbol', 's', trades(tradeItem({ s: '"BTCXYZ"' }))],
    ['a symbol that is only a quote coin', 'bad_symbol', 's', trades(tradeItem({ s: '"USDT"' }))],
    ['a trade that is a string', 'wrong_type', 'data[0]', trades('"trade"')],
    ['data as an object', 'wrong_type', 'data', '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":{}}'],
    ['topic as an array', 'wrong_type', 'topic', '{"topic":["publicTrade.BTCUSDT"],"data":[]}'],
    ['neither topic nor op', 'missing_field', 'topic', '{"data":[]}'],
    ['not JSON', 'bad_json', '$', '{"topic":'],
    ['an array', 'not_object', '$', '[{"topic":"publicTrade.BTCUSDT"}]'],
  ];
  it.each(cases)('when the frame has %s then it is refused with %s on %s', (_what, code, field, text) => {
    const e = refused(text);
    expect({ code: e.code, field: e.field }).toEqual({ code, field });
  });
});

describe('given Bybit spot symbols', () => {
  it.each([
    ['BTCUSDT', 'BTC-USDT'],
    ['BTCUSDC', 'BTC-USDC'],
    ['ETHBTC', 'ETH-BTC'],
    ['BTCEUR', 'BTC-EUR'],
  ])('when the venue spells %s then the canonical symbol is %s', (venue, canonical) => {
    expect(bybitSymbol(venue)).toBe(canonical);
  });
});
