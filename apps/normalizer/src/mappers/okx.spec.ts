import { ValidationError, type QuoteV1, type TradeV1 } from '@feed/price-types';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RawFrame } from './mapper';
import { okxMapper } from './okx';

/*
 * Golden frames for the OKX v5 mapper, copied verbatim from OKX's API documentation,
 *   https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-trades-channel
 *     fixtures/okx/trades.json          "Push Data Example" of WS / Trades channel
 *     fixtures/okx/subscribe-ack.json   its "Successful Response Example"
 *     fixtures/okx/subscribe-error.json its "Failure Response Example"
 *   https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel
 *     fixtures/okx/bbo-tbt.json         "Push Data Example of bbo-tbt channel" (instId BCH-USDT-SWAP, as documented)
 * Documented meanings used: tradeId "The last trade ID in the trades aggregation", px "Trade price", sz "Trade
 * quantity" (base currency for spot), side "Trade side of taker", ts "Filled time, Unix timestamp format in
 * milliseconds", count "The count of trades aggregated"; bbo-tbt asks/bids [price, quantity, "0", orders], ts "the
 * timestamp when the push is triggered" (bbo-tbt), seqId "Sequence ID of the current message".
 * Every expected event is written by hand from those meanings, never by running the mapper.
 */

const FIXTURES = path.join(__dirname, '../../fixtures/okx');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

const RECV = 1_795_939_333_212_345;

function frame(text: string, over: Partial<RawFrame> = {}): RawFrame {
  return { venue: 'okx', channel: 'trade', recvTimeUs: RECV, source: 'live', text, ...over };
}

function refused(text: string): ValidationError {
  try {
    okxMapper.map(frame(text));
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw new Error(`expected a ValidationError, got ${String(e)}`);
  }
  throw new Error('expected the frame to be refused, but it was mapped');
}

/** One BTC-USDT trade item with fields replaced or removed by raw JSON snippets. */
function tradeItem(over: Record<string, string | undefined> = {}): string {
  const fields: Record<string, string | undefined> = {
    instId: '"BTC-USDT"',
    tradeId: '"130639474"',
    px: '"42219.9"',
    sz: '"0.12060306"',
    side: '"buy"',
    ts: '"1630048897897"',
    count: '"3"',
    source: '"0"',
    seqId: '1234',
    ...over,
  };
  return `{${Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `"${k}":${v as string}`)
    .join(',')}}`;
}

const trades = (...items: string[]): string => `{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[${items.join(',')}]}`;

function bbo(asks: string, bids: string, extra = '"ts":"1670324386802","seqId":363996337', instId = '"BTC-USDT"'): string {
  return `{"arg":{"channel":"bbo-tbt","instId":${instId}},"data":[{"asks":${asks},"bids":${bids},${extra}}]}`;
}

describe('given the documented OKX trades push (golden)', () => {
  it('when mapped then it is the TradeV1 derived by hand (taker side as given, ms -> µs, the aggregate as one trade)', () => {
    const expected: TradeV1 = {
      v: 1,
      type: 'trade',
      id: 'trade:okx:BTC-USDT:130639474', // tradeId: the last fill of the aggregation (count 3: fills ...472-474)
      venue: 'okx',
      symbol: 'BTC-USDT', // instId, USDT (not USD)
      source: 'live',
      recvTimeUs: RECV,
      tradeId: '130639474',
      price: '42219.9', // px
      size: '0.12060306', // sz: total of the 3 aggregated fills, base currency
      side: 'buy', // "Trade side of taker"
      venueTimeUs: 1_630_048_897_897_000, // ts "1630048897897" ms
    };
    // fills: count "3" -> the event stands for fills 130639472..130639474 (what the gap tracker reads).
    expect(okxMapper.map(frame(fixture('trades.json')))).toEqual({ events: [expected], fills: [3] });
  });

  it('when count is absent it counts as one fill; when it is not an unsigned integer the frame is refused', () => {
    const noCount = tradeItem({ count: undefined });
    expect(okxMapper.map(frame(trades(noCount))).fills).toEqual([1]);
    expect(() => okxMapper.map(frame(trades(tradeItem({ count: '"x"' }))))).toThrow(expect.objectContaining({ code: 'wrong_type', field: 'count' }));
  });

  it('when a push carries two trades then both are mapped, in order', () => {
    const r = okxMapper.map(frame(trades(tradeItem(), tradeItem({ tradeId: '"130639475"', side: '"sell"', px: '"42219.80"', count: '"1"' }))));
    expect(r.events.map((e) => [e.id, (e as TradeV1).side, (e as TradeV1).price])).toEqual([
      ['trade:okx:BTC-USDT:130639474', 'buy', '42219.9'],
      ['trade:okx:BTC-USDT:130639475', 'sell', '42219.8'],
    ]);
  });

  it('when a trade has no count field then it is still mapped (count is not used by the mapper)', () => {
    expect(okxMapper.map(frame(trades(tradeItem({ count: undefined })))).events).toHaveLength(1);
  });
});

describe('given the documented OKX bbo-tbt push (golden)', () => {
  it('when mapped verbatim then it is refused: the documented example is a swap (BCH-USDT-SWAP), not a spot symbol', () => {
    const e = refused(fixture('bbo-tbt.json'));
    expect({ code: e.code, field: e.field }).toEqual({ code: 'bad_symbol', field: 'instId' });
  });

  it('when the documented push is for the spot instId BTC-USDT then the quote is its top level with seqId as update id', () => {
    const text = fixture('bbo-tbt.json').replace('"BCH-USDT-SWAP"', '"BTC-USDT"');
    const expected: QuoteV1 = {
      v: 1,
      type: 'quote',
      id: 'quote:okx:BTC-USDT:363996337', // seqId
      venue: 'okx',
      symbol: 'BTC-USDT', // arg.instId (bbo-tbt data has no instId)
      source: 'live',
      recvTimeUs: RECV,
      bidPrice: '111.05', // bids[0] ["111.05","57745","0","2"]
      bidSize: '57745',
      askPrice: '111.06', // asks[0] ["111.06","55154","0","2"]
      askSize: '55154',
      venueTimeUs: 1_670_324_386_802_000, // ts "1670324386802" ms
      updateId: '363996337',
    };
    expect(okxMapper.map(frame(text, { channel: 'quote' }))).toEqual({ events: [expected] });
  });

  it('when one side of the book is empty then no quote is made and the frame is ignored as one_sided_book', () => {
    expect(okxMapper.map(frame(bbo('[]', '[["111.05","57745","0","2"]]')))).toEqual({ events: [], ignored: 'one_sided_book' });
  });

  it.each([
    ['a crossed book', bbo('[["111.04","1","0","1"]]', '[["111.05","1","0","1"]]'), 'crossed_quote', 'bidPrice'],
    ['no seqId', bbo('[["111.06","1","0","1"]]', '[["111.05","1","0","1"]]', '"ts":"1670324386802"'), 'missing_field', 'seqId'],
    ['a negative seqId', bbo('[["111.06","1","0","1"]]', '[["111.05","1","0","1"]]', '"ts":"1670324386802","seqId":-1'), 'wrong_type', 'seqId'],
    ['a ts in seconds', bbo('[["111.06","1","0","1"]]', '[["111.05","1","0","1"]]', '"ts":"1670324386","seqId":1'), 'bad_time', 'ts'],
    ['asks as a string', bbo('"111.06"', '[["111.05","1","0","1"]]'), 'wrong_type', 'asks'],
    ['a level as an object', bbo('[{"px":"111.06"}]', '[["111.05","1","0","1"]]'), 'wrong_type', 'asks[0]'],
    ['a zero size', bbo('[["111.06","0","0","1"]]', '[["111.05","1","0","1"]]'), 'not_positive', 'askSize'],
    ['an Infinity price', bbo('[["Infinity","1","0","1"]]', '[["111.05","1","0","1"]]'), 'bad_decimal', 'asks[0][0]'],
    ['a futures instId', bbo('[["111.06","1","0","1"]]', '[["111.05","1","0","1"]]', '"ts":"1670324386802","seqId":1', '"BTC-USD-191227"'), 'bad_symbol', 'instId'],
    ['no instId', bbo('[["111.06","1","0","1"]]', '[["111.05","1","0","1"]]', '"ts":"1670324386802","seqId":1', 'null'), 'missing_field', 'instId'],
  ])('when the bbo-tbt push has %s then it is refused with %s on %s', (_what, text, code, field) => {
    const e = refused(text);
    expect({ code: e.code, field: e.field }).toEqual({ code, field });
  });
});

describe('given OKX frames that carry no market data', () => {
  it('when the text is the keepalive reply "pong" then it is ignored as pong', () => {
    expect(okxMapper.map(frame('pong', { channel: 'other' }))).toEqual({ events: [], ignored: 'pong' });
  });

  it.each([
    ['subscribe-ack.json', 'subscription_ack'],
    ['subscribe-error.json', 'venue_error'],
  ])('when the documented response %s arrives then it is ignored as %s', (name, reason) => {
    expect(okxMapper.map(frame(fixture(name), { channel: 'other' }))).toEqual({ events: [], ignored: reason });
  });

  it.each([
    ['{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade."}', 'unknown_event'],
    ['{"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[]}', 'unknown_channel'],
    ['{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[]}', 'empty_data'],
    ['{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[]}', 'empty_data'],
  ])('when the frame is %s then it is ignored as %s', (text, reason) => {
    expect(okxMapper.map(frame(text))).toEqual({ events: [], ignored: reason });
  });
});

describe('given hostile or malformed OKX trade frames (hard rule 3)', () => {
  const cases: Array<[string, string, string, string]> = [
    ['no px', 'missing_field', 'px', trades(tradeItem({ px: undefined }))],
    ['px as an object', 'wrong_type', 'px', trades(tradeItem({ px: '{"a":1}' }))],
    ['px as a boolean', 'wrong_type', 'px', trades(tradeItem({ px: 'false' }))],
    ['px "NaN"', 'bad_decimal', 'px', trades(tradeItem({ px: '"NaN"' }))],
    ['a hex px', 'bad_decimal', 'px', trades(tradeItem({ px: '"0x10"' }))],
    ['a negative px', 'not_positive', 'price', trades(tradeItem({ px: '"-1"' }))],
    ['an absurd px', 'out_of_range', 'price', trades(tradeItem({ px: '"999999999"' }))],
    ['a huge sz', 'out_of_range', 'sz', trades(tradeItem({ sz: '"99999999999999999999"' }))],
    ['a zero sz', 'not_positive', 'size', trades(tradeItem({ sz: '"0.000"' }))],
    ['side "taker"', 'bad_enum', 'side', trades(tradeItem({ side: '"taker"' }))],
    ['side "BUY"', 'bad_enum', 'side', trades(tradeItem({ side: '"BUY"' }))],
    ['no side', 'missing_field', 'side', trades(tradeItem({ side: undefined }))],
    ['no tradeId', 'missing_field', 'tradeId', trades(tradeItem({ tradeId: undefined }))],
    ['a tradeId with a space', 'bad_id', 'tradeId', trades(tradeItem({ tradeId: '"13 4"' }))],
    ['a tradeId of 81 characters', 'bad_id', 'tradeId', trades(tradeItem({ tradeId: `"${'1'.repeat(81)}"` }))],
    ['tradeId as an array', 'wrong_type', 'tradeId', trades(tradeItem({ tradeId: '["1"]' }))],
    ['no ts', 'missing_field', 'ts', trades(tradeItem({ ts: undefined }))],
    ['a ts of text', 'wrong_type', 'ts', trades(tradeItem({ ts: '"now"' }))],
    ['a ts after 2100', 'bad_time', 'ts', trades(tradeItem({ ts: '"4102444800001"' }))],
    ['a ts of 30 digits', 'wrong_type', 'ts', trades(tradeItem({ ts: `"${'9'.repeat(30)}"` }))],
    ['a swap instId', 'bad_symbol', 'instId', trades(tradeItem({ instId: '"BTC-USDT-SWAP"' }))],
    ['a lower-case instId', 'bad_symbol', 'instId', trades(tradeItem({ instId: '"btc-usdt"' }))],
    ['no instId', 'missing_field', 'instId', trades(tradeItem({ instId: undefined }))],
    ['a trade that is a number', 'wrong_type', 'data[0]', trades('5')],
    ['a good trade then a bad one', 'bad_decimal', 'px', trades(tradeItem(), tradeItem({ px: '"x"' }))],
    ['data as an object', 'wrong_type', 'data', '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":{}}'],
    ['no data', 'missing_field', 'data', '{"arg":{"channel":"trades","instId":"BTC-USDT"}}'],
    ['no arg', 'missing_field', 'arg', '{"data":[]}'],
    ['arg as a string', 'wrong_type', 'arg', '{"arg":"trades","data":[]}'],
    ['arg without channel', 'missing_field', 'channel', '{"arg":{"instId":"BTC-USDT"},"data":[]}'],
    ['not JSON', 'bad_json', '$', 'ping pong'],
    ['a malformed number', 'bad_json', '$', trades(tradeItem({ seqId: '01' }))],
    ['an array', 'not_object', '$', '[]'],
    ['a JSON string', 'not_object', '$', '"pong"'],
  ];
  it.each(cases)('when the frame has %s then it is refused with %s on %s', (_what, code, field, text) => {
    const e = refused(text);
    expect({ code: e.code, field: e.field }).toEqual({ code, field });
  });
});
