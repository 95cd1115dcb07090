import { MAX_DECIMAL_TEXT } from './decimal';
import { ValidationError } from './errors';
import { quoteHashId } from './ids';
import { MAX_PRICE, MAX_SIZE, MAX_VENUE_AHEAD_US, decodeEvent, positiveDecimal, validateEvent, validateGap, validateQuote, validateStatus, validateTrade } from './validate';

function refusal(fn: () => unknown): { code: string; field: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

type Obj = Record<string, unknown>;
const without = (o: Obj, k: string): Obj => {
  const c = { ...o };
  delete c[k];
  return c;
};

const T = 1_795_939_333_010_918; // 2026-11-29T08:02:13.010918Z
const RECV = T + 1_532;

const BASE_KEYS = ['v', 'id', 'venue', 'symbol', 'source', 'recvTimeUs'];

function trade(over: Obj = {}): Obj {
  return {
    v: 1,
    type: 'trade',
    id: 'trade:binance:BTC-USDT:9007199254740993',
    venue: 'binance',
    symbol: 'BTC-USDT',
    source: 'live',
    recvTimeUs: RECV,
    tradeId: '9007199254740993',
    price: '67234.01',
    size: '0.0012',
    side: 'buy',
    venueTimeUs: T,
    ...over,
  };
}
const TRADE_KEYS = [...BASE_KEYS, 'type', 'tradeId', 'price', 'size', 'side', 'venueTimeUs'];

const Q = { bidPrice: '67234.01', bidSize: '1.5', askPrice: '67234.02', askSize: '0.25' };
const QHASH = quoteHashId(T, Q.bidPrice, Q.bidSize, Q.askPrice, Q.askSize);
/** A quote from a venue without update ids (hash form of the id). */
function quote(over: Obj = {}): Obj {
  return {
    v: 1,
    type: 'quote',
    id: `quote:kraken:BTC-USD:${QHASH}`,
    venue: 'kraken',
    symbol: 'BTC-USD',
    source: 'simulated',
    recvTimeUs: RECV,
    ...Q,
    venueTimeUs: T,
    ...over,
  };
}
/** A quote from a venue with update ids (Binance bookTicker `u`). */
function quoteWithUpdateId(over: Obj = {}): Obj {
  return quote({ id: 'quote:binance:BTC-USDT:400900217', venue: 'binance', symbol: 'BTC-USDT', updateId: '400900217', ...over });
}
const QUOTE_KEYS = [...BASE_KEYS, 'type', 'bidPrice', 'bidSize', 'askPrice', 'askSize', 'venueTimeUs'];

function status(over: Obj = {}): Obj {
  return {
    v: 1,
    type: 'status',
    id: 'status:coinbase:BTC-USD:ingest-1:1795939333',
    venue: 'coinbase',
    symbol: 'BTC-USD',
    source: 'live',
    recvTimeUs: RECV,
    channel: 'trade',
    kind: 'heartbeat',
    state: 'live',
    ingestId: 'ingest-1',
    lastFrameUs: T,
    frames: 1234,
    ...over,
  };
}
const STATUS_KEYS = [...BASE_KEYS, 'type', 'channel', 'kind', 'state', 'ingestId', 'lastFrameUs', 'frames'];

function gap(over: Obj = {}): Obj {
  return {
    v: 1,
    type: 'gap',
    id: 'gap:okx:BTC-USDT:100:105',
    venue: 'okx',
    symbol: 'BTC-USDT',
    source: 'live',
    recvTimeUs: RECV,
    channel: 'trade',
    afterId: '100',
    beforeId: '105',
    missing: 4,
    detectedAtUs: RECV,
    state: 'detected',
    ...over,
  };
}
const GAP_KEYS = [...BASE_KEYS, 'type', 'channel', 'afterId', 'beforeId', 'missing', 'detectedAtUs', 'state'];

const sorted = (xs: string[]): string[] => [...xs].sort();

describe('bounds', () => {
  it('MAX_PRICE and MAX_SIZE are canonical decimals', () => {
    expect(MAX_PRICE).toBe('100000000');
    expect(MAX_SIZE).toBe('100000000');
  });
});

describe('positiveDecimal', () => {
  it('returns canonical positive decimals up to and including the bound', () => {
    expect(positiveDecimal('67234.01', 'price', MAX_PRICE)).toBe('67234.01');
    expect(positiveDecimal('0.00000001', 'size', MAX_SIZE)).toBe('0.00000001');
    expect(positiveDecimal('0.000000000000000001', 'size', MAX_SIZE)).toBe('0.000000000000000001');
    expect(positiveDecimal(MAX_PRICE, 'price', MAX_PRICE)).toBe(MAX_PRICE);
  });

  it.each([
    ['67234.01000000', 'bad_decimal'],
    ['1.50', 'bad_decimal'],
    ['.5', 'bad_decimal'],
    ['01', 'bad_decimal'],
    ['+1', 'bad_decimal'],
    ['1e-8', 'bad_decimal'],
    ['1E+3', 'bad_decimal'],
    ['-0.000', 'bad_decimal'],
    ['-0', 'bad_decimal'],
    ['NaN', 'bad_decimal'],
    ['Infinity', 'bad_decimal'],
    ['-Infinity', 'bad_decimal'],
    ['', 'bad_decimal'],
    ['1.2.3', 'bad_decimal'],
    ['0x10', 'bad_decimal'],
    ['1'.repeat(MAX_DECIMAL_TEXT + 1), 'bad_decimal'],
    ['0.0000000000000000001', 'bad_decimal'],
    ['0', 'not_positive'],
    ['-1', 'not_positive'],
    ['-67234.01', 'not_positive'],
    ['100000000.00000001', 'out_of_range'],
    ['100000001', 'out_of_range'],
    ['1000000000000000', 'out_of_range'],
  ])('%j -> %s', (v, code) => {
    expect(refusal(() => positiveDecimal(v, 'price', MAX_PRICE))).toEqual({ code, field: 'price' });
  });

  it.each([[67234.01], [1], [null], [undefined], [NaN], [Infinity], [{}], [['1']], [1n]])('refuses %p as wrong_type', (v) => {
    expect(refusal(() => positiveDecimal(v, 'size', MAX_SIZE))).toEqual({ code: 'wrong_type', field: 'size' });
  });
});

describe('validateTrade', () => {
  it('accepts a valid trade and returns a fresh object with exactly the known fields', () => {
    const input = trade();
    const snapshot = JSON.stringify(input);
    const t = validateTrade(input);
    expect(t).toEqual(input);
    expect(t).not.toBe(input);
    expect(sorted(Object.keys(t))).toEqual(sorted(TRADE_KEYS));
    expect(JSON.stringify(input)).toBe(snapshot); // input not mutated
  });

  it('keeps an optional W3C traceId (after the other fields) and round-trips it through JSON', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const t = validateTrade(trade({ traceId }));
    expect(t.traceId).toBe(traceId);
    expect(sorted(Object.keys(t))).toEqual(sorted([...TRADE_KEYS, 'traceId']));
    expect(decodeEvent(JSON.stringify(t))).toEqual(t);
    expect(validateTrade(trade({ traceId: null }))).not.toHaveProperty('traceId');
    expect(validateTrade(trade())).not.toHaveProperty('traceId');
  });

  it.each([
    ['upper-case hex', '4BF92F3577B34DA6A3CE929D0E0E4736'],
    ['too short', '4bf92f3577b34da6a3ce929d0e0e473'],
    ['non-hex', 'zbf92f3577b34da6a3ce929d0e0e4736'],
    ['all zero (W3C invalid)', '0'.repeat(32)],
    ['a number', 42],
    ['a whole traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
  ])('refuses a bad traceId (%s) with bad_trace_id', (_what, traceId) => {
    expect(refusal(() => validateTrade(trade({ traceId })))).toEqual({ code: 'bad_trace_id', field: 'traceId' });
  });

  it('accepts every side, every source and the price/size bounds', () => {
    for (const side of ['buy', 'sell', 'unknown']) expect(validateTrade(trade({ side })).side).toBe(side);
    for (const source of ['live', 'simulated']) expect(validateTrade(trade({ source })).source).toBe(source);
    expect(validateTrade(trade({ price: MAX_PRICE, size: MAX_SIZE })).price).toBe(MAX_PRICE);
    expect(validateTrade(trade({ size: '0.00000001' })).size).toBe('0.00000001');
  });

  it('ignores unknown extra fields and drops them from the result', () => {
    const t = validateTrade(trade({ extra: 1, note: 'x', nested: { a: 1 }, isBestMatch: true, updateId: '7' }));
    expect(sorted(Object.keys(t))).toEqual(sorted(TRADE_KEYS));
    expect(t).not.toHaveProperty('extra');
    expect(t).not.toHaveProperty('nested');
    expect(t).not.toHaveProperty('updateId');
  });

  it('keeps a trade id above 2^53 exact', () => {
    expect(validateTrade(trade()).tradeId).toBe('9007199254740993');
  });

  it('accepts a non-numeric venue trade id', () => {
    const t = validateTrade(trade({ id: 'trade:bybit:BTC-USDT:a1b2c3d4-e5f6-7890', venue: 'bybit', tradeId: 'a1b2c3d4-e5f6-7890' }));
    expect(t.tradeId).toBe('a1b2c3d4-e5f6-7890');
  });

  it('turns a safe integer trade id into its text', () => {
    const t = validateTrade(trade({ id: 'trade:binance:BTC-USDT:5123456789', tradeId: 5123456789 }));
    expect(t.tradeId).toBe('5123456789');
  });

  it.each(TRADE_KEYS.filter((k) => k !== 'type'))('refuses a trade without %s as missing_field', (k) => {
    expect(refusal(() => validateTrade(without(trade(), k)))).toEqual({ code: 'missing_field', field: k });
    expect(refusal(() => validateTrade(trade({ [k]: null })))).toEqual({ code: 'missing_field', field: k });
  });

  it.each([
    ['id', 42],
    ['id', ['trade:binance:BTC-USDT:9007199254740993']],
    ['recvTimeUs', String(RECV)],
    ['venueTimeUs', String(T)],
    ['price', 67234.01],
    ['size', 0.0012],
    ['tradeId', true],
    ['tradeId', { id: 1 }],
  ])('refuses %s of the wrong type (%p) as wrong_type', (k, v) => {
    expect(refusal(() => validateTrade(trade({ [k]: v })))).toEqual({ code: 'wrong_type', field: k });
  });

  it.each([
    ['v', 2, 'bad_enum'],
    ['v', 0, 'bad_enum'],
    ['v', '1', 'bad_enum'],
    ['v', 1.0000001, 'bad_enum'],
    ['source', 'sim', 'bad_enum'],
    ['source', 'LIVE', 'bad_enum'],
    ['source', true, 'bad_enum'],
    ['side', 'BUY', 'bad_enum'],
    ['side', 'b', 'bad_enum'],
    ['side', 1, 'bad_enum'],
    ['venue', 'Binance', 'bad_venue'],
    ['venue', 'ftx', 'bad_venue'],
    ['venue', 7, 'bad_venue'],
    ['symbol', 'BTCUSDT', 'bad_symbol'],
    ['symbol', 'btc-usdt', 'bad_symbol'],
    ['symbol', 'BTC/USDT', 'bad_symbol'],
    ['recvTimeUs', 1.7e12, 'bad_time'],
    ['recvTimeUs', RECV + 0.5, 'bad_time'],
    ['recvTimeUs', NaN, 'bad_time'],
    ['venueTimeUs', 1_795_939_333_010, 'bad_time'], // ms, not µs
    ['venueTimeUs', Infinity, 'bad_time'],
    ['venueTimeUs', -T, 'bad_time'],
  ])('refuses %s = %p as %s', (k, v, code) => {
    expect(refusal(() => validateTrade(trade({ [k]: v })))).toEqual({ code, field: k });
  });

  describe.each(['price', 'size'])('%s', (k) => {
    it.each([
      ['1.50', 'bad_decimal'], // non-canonical: the log carries canonical text only
      ['67234.01000000', 'bad_decimal'],
      ['0.00120000', 'bad_decimal'],
      ['1e-8', 'bad_decimal'],
      ['1E+3', 'bad_decimal'],
      ['.5', 'bad_decimal'],
      ['007', 'bad_decimal'],
      ['-0.000', 'bad_decimal'],
      ['NaN', 'bad_decimal'],
      ['Infinity', 'bad_decimal'],
      ['-Infinity', 'bad_decimal'],
      ['', 'bad_decimal'],
      ['1.2.3', 'bad_decimal'],
      ['0x10', 'bad_decimal'],
      ['9'.repeat(MAX_DECIMAL_TEXT + 1), 'bad_decimal'],
      ['0.' + '0'.repeat(18) + '1', 'bad_decimal'],
      ['0', 'not_positive'],
      ['-1', 'not_positive'],
      ['-0.0012', 'not_positive'],
      ['100000000.00000001', 'out_of_range'],
      ['123456789', 'out_of_range'],
      ['1000000000000000', 'out_of_range'],
    ])('%j -> %s', (v, code) => {
      expect(refusal(() => validateTrade(trade({ [k]: v })))).toEqual({ code, field: k });
    });
  });

  it.each([
    ['another trade id', 'trade:binance:BTC-USDT:9007199254740992'],
    ['another venue', 'trade:coinbase:BTC-USDT:9007199254740993'],
    ['another quote currency', 'trade:binance:BTC-USD:9007199254740993'],
    ['another type', 'quote:binance:BTC-USDT:9007199254740993'],
    ['missing parts', '9007199254740993'],
    ['trailing space', 'trade:binance:BTC-USDT:9007199254740993 '],
    ['over 200 characters', 'trade:binance:BTC-USDT:' + '1'.repeat(200)],
  ])('refuses an event id with %s as bad_id', (_label, id) => {
    expect(refusal(() => validateTrade(trade({ id })))).toEqual({ code: 'bad_id', field: 'id' });
  });

  it.each([
    ['empty', ''],
    ['with a space', '12 34'],
    ['negative number', -1],
    ['fractional number', 1.5],
    ['unsafe number', 2 ** 53],
  ])('refuses a %s trade id as bad_id', (_label, tradeId) => {
    expect(refusal(() => validateTrade(trade({ tradeId })))).toEqual({ code: 'bad_id', field: 'tradeId' });
  });

  it.each([[null], [undefined], [42], ['trade'], [[]], [[trade()]], [true]])('refuses %p as not_object', (v) => {
    expect(refusal(() => validateTrade(v))).toEqual({ code: 'not_object', field: '$' });
  });
});

describe('validateQuote', () => {
  it('accepts a quote with the hash id and returns exactly the known fields', () => {
    const q = validateQuote(quote({ extra: 'dropped' }));
    expect(q).toEqual(without(quote(), 'extra'));
    expect(sorted(Object.keys(q))).toEqual(sorted(QUOTE_KEYS));
    expect(q).not.toHaveProperty('updateId');
  });

  it('accepts a quote with a venue update id, and keeps it', () => {
    const q = validateQuote(quoteWithUpdateId());
    expect(q.updateId).toBe('400900217');
    expect(sorted(Object.keys(q))).toEqual(sorted([...QUOTE_KEYS, 'updateId']));
  });

  it('turns a safe integer update id into its text', () => {
    expect(validateQuote(quoteWithUpdateId({ updateId: 400900217 })).updateId).toBe('400900217');
  });

  it('treats a null update id as absent', () => {
    expect(validateQuote(quote({ updateId: null }))).not.toHaveProperty('updateId');
  });

  it('accepts a locked book (bid == ask) but refuses a crossed one', () => {
    const locked = { bidPrice: '67234.01', askPrice: '67234.01' };
    const lockedId = `quote:kraken:BTC-USD:${quoteHashId(T, locked.bidPrice, Q.bidSize, locked.askPrice, Q.askSize)}`;
    expect(validateQuote(quote({ ...locked, id: lockedId })).bidPrice).toBe('67234.01');
    expect(refusal(() => validateQuote(quote({ bidPrice: '67234.03' })))).toEqual({ code: 'crossed_quote', field: 'bidPrice' });
    // compared as decimals, not as strings: "9.5" > "10" as text, but 9.5 < 10
    const b = { bidPrice: '9.5', askPrice: '10' };
    const bId = `quote:kraken:BTC-USD:${quoteHashId(T, b.bidPrice, Q.bidSize, b.askPrice, Q.askSize)}`;
    expect(validateQuote(quote({ ...b, id: bId })).askPrice).toBe('10');
    expect(refusal(() => validateQuote(quote({ bidPrice: '10', askPrice: '9.5' })))).toEqual({ code: 'crossed_quote', field: 'bidPrice' });
  });

  it.each(QUOTE_KEYS.filter((k) => k !== 'type'))('refuses a quote without %s as missing_field', (k) => {
    expect(refusal(() => validateQuote(without(quote(), k)))).toEqual({ code: 'missing_field', field: k });
  });

  describe.each(['bidPrice', 'bidSize', 'askPrice', 'askSize'])('%s', (k) => {
    it.each([
      ['1.50', 'bad_decimal'],
      ['NaN', 'bad_decimal'],
      ['Infinity', 'bad_decimal'],
      ['0', 'not_positive'],
      ['-1', 'not_positive'],
      ['100000000.1', 'out_of_range'],
    ])('%j -> %s', (v, code) => {
      expect(refusal(() => validateQuote(quote({ [k]: v })))).toEqual({ code, field: k });
    });
    it('refuses a number as wrong_type', () => {
      expect(refusal(() => validateQuote(quote({ [k]: 1 })))).toEqual({ code: 'wrong_type', field: k });
    });
  });

  it.each([
    ['another type', `trade:kraken:BTC-USD:${QHASH}`],
    ['another venue', `quote:coinbase:BTC-USD:${QHASH}`],
    ['another symbol', `quote:kraken:BTC-USDT:${QHASH}`],
    ['an empty venue id', 'quote:kraken:BTC-USD:'],
    ['a hash of other prices', `quote:kraken:BTC-USD:${quoteHashId(T, '1', '1', '2', '2')}`],
    ['a hash at another time', `quote:kraken:BTC-USD:${quoteHashId(T + 1, Q.bidPrice, Q.bidSize, Q.askPrice, Q.askSize)}`],
    ['an update id the quote does not carry', 'quote:kraken:BTC-USD:400900217'],
  ])('refuses a hash-form quote id with %s as bad_id', (_label, id) => {
    expect(refusal(() => validateQuote(quote({ id })))).toEqual({ code: 'bad_id', field: 'id' });
  });

  it('refuses a quote whose id does not end with its update id', () => {
    expect(refusal(() => validateQuote(quoteWithUpdateId({ updateId: '400900218' })))).toEqual({ code: 'bad_id', field: 'id' });
    expect(refusal(() => validateQuote(quoteWithUpdateId({ id: `quote:binance:BTC-USDT:${QHASH}` })))).toEqual({ code: 'bad_id', field: 'id' });
  });

  it('refuses a malformed update id', () => {
    expect(refusal(() => validateQuote(quoteWithUpdateId({ updateId: 'a b' })))).toEqual({ code: 'bad_id', field: 'updateId' });
    expect(refusal(() => validateQuote(quoteWithUpdateId({ updateId: 2 ** 53 })))).toEqual({ code: 'bad_id', field: 'updateId' });
    expect(refusal(() => validateQuote(quoteWithUpdateId({ updateId: true })))).toEqual({ code: 'wrong_type', field: 'updateId' });
  });
});

describe('validateStatus', () => {
  it('accepts a heartbeat and returns exactly the known fields', () => {
    const s = validateStatus(status({ extra: 1 }));
    expect(s).toEqual(status());
    expect(sorted(Object.keys(s))).toEqual(sorted(STATUS_KEYS));
  });

  it('accepts a change with a reason, truncated to 200 characters', () => {
    expect(validateStatus(status({ kind: 'change', state: 'stale', reason: 'silent 5000 ms' })).reason).toBe('silent 5000 ms');
    expect(validateStatus(status({ kind: 'change', reason: 'x'.repeat(1000) })).reason).toBe('x'.repeat(200));
    expect(validateStatus(status({ reason: 42 }))).not.toHaveProperty('reason');
  });

  it('accepts every state and channel', () => {
    for (const state of ['live', 'stale', 'reconnecting', 'down']) expect(validateStatus(status({ state })).state).toBe(state);
    for (const channel of ['trade', 'quote']) expect(validateStatus(status({ channel })).channel).toBe(channel);
  });

  it('takes a missing or null lastFrameUs as null (no frame yet)', () => {
    expect(validateStatus(status({ lastFrameUs: null })).lastFrameUs).toBeNull();
    expect(validateStatus(without(status(), 'lastFrameUs')).lastFrameUs).toBeNull();
  });

  it('accepts zero frames', () => {
    expect(validateStatus(status({ frames: 0 })).frames).toBe(0);
  });

  it.each(['v', 'id', 'venue', 'symbol', 'source', 'recvTimeUs', 'channel', 'kind', 'state', 'ingestId', 'frames'])('refuses a status without %s as missing_field', (k) => {
    expect(refusal(() => validateStatus(without(status(), k)))).toEqual({ code: 'missing_field', field: k });
  });

  it.each([
    ['frames', -1, 'out_of_range'],
    ['frames', 1.5, 'out_of_range'],
    ['frames', 2 ** 53, 'out_of_range'],
    ['frames', NaN, 'out_of_range'],
    ['frames', '5', 'wrong_type'],
    ['lastFrameUs', 1.7e12, 'bad_time'],
    ['lastFrameUs', String(T), 'wrong_type'],
    ['channel', 'book', 'bad_enum'],
    ['kind', 'beat', 'bad_enum'],
    ['state', 'gap', 'bad_enum'],
    ['ingestId', 'ingest 1', 'bad_id'],
    ['ingestId', '', 'bad_id'],
    ['id', 'status:coinbase:BTC-USDT:ingest-1:1795939333', 'bad_id'],
    ['id', 'trade:coinbase:BTC-USD:ingest-1:1795939333', 'bad_id'],
  ])('refuses %s = %p as %s', (k, v, code) => {
    expect(refusal(() => validateStatus(status({ [k]: v })))).toEqual({ code, field: k });
  });
});

describe('validateGap', () => {
  it('accepts a gap and returns exactly the known fields', () => {
    const g = validateGap(gap({ extra: [1] }));
    expect(g).toEqual(gap());
    expect(sorted(Object.keys(g))).toEqual(sorted(GAP_KEYS));
  });

  it('takes a missing or null count as null (ids do not allow counting)', () => {
    expect(validateGap(gap({ missing: null })).missing).toBeNull();
    expect(validateGap(without(gap(), 'missing')).missing).toBeNull();
  });

  it('accepts every state', () => {
    for (const state of ['detected', 'repaired', 'unrepaired']) expect(validateGap(gap({ state })).state).toBe(state);
  });

  it.each(['v', 'id', 'venue', 'symbol', 'source', 'recvTimeUs', 'channel', 'afterId', 'beforeId', 'detectedAtUs', 'state'])('refuses a gap without %s as missing_field', (k) => {
    expect(refusal(() => validateGap(without(gap(), k)))).toEqual({ code: 'missing_field', field: k });
  });

  it.each([
    ['missing', 0, 'out_of_range'],
    ['missing', -3, 'out_of_range'],
    ['missing', 1.5, 'out_of_range'],
    ['missing', Infinity, 'out_of_range'],
    ['missing', '4', 'wrong_type'],
    ['detectedAtUs', 1.7e12, 'bad_time'],
    ['afterId', 'a b', 'bad_id'],
    ['beforeId', 1.5, 'bad_id'],
    ['afterId', {}, 'wrong_type'],
    ['channel', 'book', 'bad_enum'],
    ['state', 'fixed', 'bad_enum'],
    ['id', 'gap:okx:BTC-USD:100:105', 'bad_id'],
  ])('refuses %s = %p as %s', (k, v, code) => {
    expect(refusal(() => validateGap(gap({ [k]: v })))).toEqual({ code, field: k });
  });
});

describe('validateEvent', () => {
  it('dispatches on type', () => {
    expect(validateEvent(trade()).type).toBe('trade');
    expect(validateEvent(quote()).type).toBe('quote');
    expect(validateEvent(status()).type).toBe('status');
    expect(validateEvent(gap()).type).toBe('gap');
    expect(validateEvent(trade())).toEqual(validateTrade(trade()));
  });

  it.each([['trades'], ['Trade'], ['book'], [''], [1], [null], [undefined]])('refuses type %p as bad_enum', (type) => {
    expect(refusal(() => validateEvent(trade({ type })))).toEqual({ code: 'bad_enum', field: 'type' });
  });

  it('refuses a body that does not match its declared type', () => {
    expect(refusal(() => validateEvent(trade({ type: 'quote' })))).toEqual({ code: 'missing_field', field: 'bidPrice' });
  });

  it('refuses wrong schema versions before anything else', () => {
    expect(refusal(() => validateEvent(trade({ v: 2, price: 'garbage' })))).toEqual({ code: 'bad_enum', field: 'v' });
  });

  it.each([[null], [[]], ['{}'], [7]])('refuses %p as not_object', (v) => {
    expect(refusal(() => validateEvent(v))).toEqual({ code: 'not_object', field: '$' });
  });
});

describe('decodeEvent', () => {
  const json = JSON.stringify(trade());

  it('parses text, Buffer and Uint8Array alike', () => {
    const expected = validateTrade(trade());
    expect(decodeEvent(json)).toEqual(expected);
    expect(decodeEvent(Buffer.from(json))).toEqual(expected);
    expect(decodeEvent(new TextEncoder().encode(json))).toEqual(expected);
  });

  it('reads a Uint8Array view at a non-zero offset of a larger buffer (as NATS delivers payloads)', () => {
    const bytes = new TextEncoder().encode(`XXXX${json}YYYY`);
    const view = bytes.subarray(4, bytes.length - 4);
    expect(view.byteOffset).toBe(4);
    expect(decodeEvent(view)).toEqual(validateTrade(trade()));
    // a small Buffer lives in Node's shared pool at some offset
    const pooled = Buffer.from(json);
    expect(decodeEvent(new Uint8Array(pooled.buffer, pooled.byteOffset, pooled.byteLength))).toEqual(validateTrade(trade()));
  });

  it('decodes multi-byte UTF-8', () => {
    const s = decodeEvent(Buffer.from(JSON.stringify(status({ kind: 'change', reason: 'fermé 🔌 — 1006' }))));
    expect(s.type === 'status' && s.reason).toBe('fermé 🔌 — 1006');
  });

  it('round-trips a validated event through JSON', () => {
    for (const e of [trade(), quote(), quoteWithUpdateId(), status(), gap()]) {
      const once = validateEvent(e);
      expect(decodeEvent(JSON.stringify(once))).toEqual(once);
    }
  });

  it.each([[''], ['{'], ['not json'], ['{"v":1,}'], [`${json}x`], ["{'v':1}"], ['NaN'], ['\u0000']])('refuses %j as bad_json', (text) => {
    expect(refusal(() => decodeEvent(text))).toEqual({ code: 'bad_json', field: '$' });
    expect(refusal(() => decodeEvent(Buffer.from(text)))).toEqual({ code: 'bad_json', field: '$' });
  });

  it('refuses an empty or invalid-UTF-8 buffer as bad_json', () => {
    expect(refusal(() => decodeEvent(new Uint8Array(0)))).toEqual({ code: 'bad_json', field: '$' });
    expect(refusal(() => decodeEvent(new Uint8Array([0xff, 0xfe, 0x7b])))).toEqual({ code: 'bad_json', field: '$' });
  });

  it('refuses valid JSON that is not an object as not_object', () => {
    for (const text of ['null', '[]', '"trade"', '42', 'true']) expect(refusal(() => decodeEvent(text))).toEqual({ code: 'not_object', field: '$' });
  });

  it('refuses a JSON number trade id above 2^53 (JSON.parse already changed it) as bad_id', () => {
    const text = json.replace('"tradeId":"9007199254740993"', '"tradeId":9007199254740993');
    expect(text).toContain('"tradeId":9007199254740993');
    expect(refusal(() => decodeEvent(text))).toEqual({ code: 'bad_id', field: 'tradeId' });
  });

  it('refuses a JSON number price (prices travel as canonical text) as wrong_type', () => {
    const text = json.replace('"price":"67234.01"', '"price":67234.01');
    expect(refusal(() => decodeEvent(text))).toEqual({ code: 'wrong_type', field: 'price' });
  });

  it('does not let "__proto__" in the input reach the result or Object.prototype', () => {
    const text = json.replace('{', '{"__proto__":{"polluted":true,"price":"1"},');
    const t = decodeEvent(text) as unknown as Obj;
    expect(t['polluted']).toBeUndefined();
    expect(t['price']).toBe('67234.01');
    expect(({} as Obj)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
  });

  it('ignores and drops unknown fields from newer producers', () => {
    const text = json.replace('{', '{"v2hint":"x","fee":{"amount":"0.1"},');
    const t = decodeEvent(text);
    expect(sorted(Object.keys(t))).toEqual(sorted(TRADE_KEYS));
  });
});

describe('venue time ahead of receive time (MAX_VENUE_AHEAD_US)', () => {
  it('Given a trade or quote whose venue time is up to 60 s after receive time Then it is accepted (venue clocks run a little ahead)', () => {
    expect(validateTrade(trade({ venueTimeUs: RECV + MAX_VENUE_AHEAD_US })).venueTimeUs).toBe(RECV + MAX_VENUE_AHEAD_US);
    const t = RECV + 59_000_000;
    expect(validateQuote(quote({ venueTimeUs: t, id: `quote:kraken:BTC-USD:${quoteHashId(t, Q.bidPrice, Q.bidSize, Q.askPrice, Q.askSize)}` })).venueTimeUs).toBe(t);
  });

  it('Given a venue time more than 60 s after receive time (a year 2099 stamp) Then it is refused as future_time: it would stay the latest forever', () => {
    expect(refusal(() => validateTrade(trade({ venueTimeUs: RECV + MAX_VENUE_AHEAD_US + 1 })))).toEqual({ code: 'future_time', field: 'venueTimeUs' });
    expect(refusal(() => validateTrade(trade({ venueTimeUs: 4_070_908_800_000_000 })))).toEqual({ code: 'future_time', field: 'venueTimeUs' });
    const t = RECV + 3_600_000_000;
    expect(refusal(() => validateQuote(quote({ venueTimeUs: t, id: `quote:kraken:BTC-USD:${quoteHashId(t, Q.bidPrice, Q.bidSize, Q.askPrice, Q.askSize)}` })))).toEqual({ code: 'future_time', field: 'venueTimeUs' });
  });
});
