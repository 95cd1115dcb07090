import { ValidationError } from './errors';
import { assertVenueEventId, eventId, parseEventId, quoteHashId } from './ids';

function refusal(fn: () => unknown): { code: string; field: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

const T = 1_795_939_333_010_918;

describe('assertVenueEventId', () => {
  it.each([
    ['12345'],
    ['0'],
    ['9007199254740993'], // 2^53 + 1: kept exactly as text
    ['18446744073709551615'], // 2^64 - 1
    ['a1b2c3d4-e5f6-7890-abcd-ef1234567890'], // Coinbase/Bybit style UUID
    ['TXID-ABC_def.123'],
    [`${T}:825240ec46b14797`], // quote hash form contains ':'
    ['x'.repeat(80)],
  ])('accepts the string id %j unchanged', (id) => {
    expect(assertVenueEventId(id, 'tradeId')).toBe(id);
  });

  it('keeps an id above 2^53 exact because it stays text', () => {
    const id = assertVenueEventId('9007199254740993', 'tradeId');
    expect(id).toBe('9007199254740993');
    expect(String(Number(id))).not.toBe(id); // what a number round trip would have done
  });

  it('accepts safe non-negative integer numbers and returns their decimal text', () => {
    expect(assertVenueEventId(0, 'tradeId')).toBe('0');
    expect(assertVenueEventId(5_123_456_789, 'tradeId')).toBe('5123456789');
    expect(assertVenueEventId(Number.MAX_SAFE_INTEGER, 'tradeId')).toBe('9007199254740991');
  });

  it('refuses a JSON number id above 2^53 (its digits are already lost) as bad_id', () => {
    const parsed = (JSON.parse('{"t":9007199254740993}') as { t: number }).t;
    expect(parsed).toBe(9007199254740992); // JSON.parse silently changed the id
    expect(refusal(() => assertVenueEventId(parsed, 'tradeId'))).toEqual({ code: 'bad_id', field: 'tradeId' });
    expect(refusal(() => assertVenueEventId(2 ** 53, 'tradeId'))).toEqual({ code: 'bad_id', field: 'tradeId' });
    expect(refusal(() => assertVenueEventId(1e21, 'tradeId'))).toEqual({ code: 'bad_id', field: 'tradeId' });
  });

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
  ])('refuses a %s number as bad_id', (_label, v) => {
    expect(refusal(() => assertVenueEventId(v, 'tradeId'))).toEqual({ code: 'bad_id', field: 'tradeId' });
  });

  it.each([
    ['empty', ''],
    ['over-long', 'x'.repeat(81)],
    ['space', '12 34'],
    ['slash', '12/34'],
    ['NATS wildcard *', '12*'],
    ['NATS wildcard >', '12>'],
    ['newline', '1234\n'],
    ['quote', '12"34'],
    ['non-ASCII', 'ïd'],
    ['huge', '1'.repeat(1_000_000)],
  ])('refuses a string id with %s as bad_id', (_label, v) => {
    expect(refusal(() => assertVenueEventId(v, 'updateId'))).toEqual({ code: 'bad_id', field: 'updateId' });
  });

  it.each([[null], [undefined], [true], [{}], [['1']], [12n]])('refuses %p as wrong_type', (v) => {
    expect(refusal(() => assertVenueEventId(v, 'tradeId'))).toEqual({ code: 'wrong_type', field: 'tradeId' });
  });
});

describe('eventId', () => {
  it('is <type>:<venue>:<symbol>:<venue id>', () => {
    expect(eventId('trade', 'binance', 'BTC-USDT', '9007199254740993')).toBe('trade:binance:BTC-USDT:9007199254740993');
    expect(eventId('quote', 'kraken', 'BTC-USD', `${T}:825240ec46b14797`)).toBe(`quote:kraken:BTC-USD:${T}:825240ec46b14797`);
  });

  it('differs by quote currency and by venue', () => {
    expect(eventId('trade', 'binance', 'BTC-USDT', '1')).not.toBe(eventId('trade', 'binance', 'BTC-USD', '1'));
    expect(eventId('trade', 'binance', 'BTC-USD', '1')).not.toBe(eventId('trade', 'coinbase', 'BTC-USD', '1'));
    expect(eventId('trade', 'binance', 'BTC-USD', '1')).not.toBe(eventId('quote', 'binance', 'BTC-USD', '1'));
  });
});

describe('quoteHashId', () => {
  const args = [T, '67234.01', '1.5', '67234.02', '0.25'] as const;

  it('is <venueTimeUs>:<16 hex digits>, pinned (changing it breaks dedupe across releases)', () => {
    expect(quoteHashId(...args)).toBe(`${T}:825240ec46b14797`);
    expect(quoteHashId(...args)).toMatch(/^\d+:[0-9a-f]{16}$/);
  });

  it('is deterministic', () => {
    const a = quoteHashId(...args);
    for (let i = 0; i < 10; i++) expect(quoteHashId(...args)).toBe(a);
  });

  it('changes with each field', () => {
    const base = quoteHashId(...args);
    const variants = [
      quoteHashId(T + 1, '67234.01', '1.5', '67234.02', '0.25'),
      quoteHashId(T, '67234.02', '1.5', '67234.02', '0.25'),
      quoteHashId(T, '67234.01', '1.51', '67234.02', '0.25'),
      quoteHashId(T, '67234.01', '1.5', '67234.03', '0.25'),
      quoteHashId(T, '67234.01', '1.5', '67234.02', '0.26'),
      // the same numbers in other positions
      quoteHashId(T, '67234.02', '0.25', '67234.01', '1.5'),
      quoteHashId(T, '67234.01', '67234.02', '1.5', '0.25'),
    ];
    for (const v of variants) expect(v).not.toBe(base);
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('does not confuse field boundaries ("1|2" vs "12")', () => {
    expect(quoteHashId(T, '1', '23', '4', '5')).not.toBe(quoteHashId(T, '12', '3', '4', '5'));
  });

  it('passes assertVenueEventId, so it can be the venue-id part of an event id', () => {
    const id = quoteHashId(...args);
    expect(assertVenueEventId(id, 'id')).toBe(id);
  });
});

describe('parseEventId', () => {
  it('splits a trade id', () => {
    expect(parseEventId('trade:binance:BTC-USDT:9007199254740993')).toEqual({
      type: 'trade',
      venue: 'binance',
      symbol: 'BTC-USDT',
      venueEventId: '9007199254740993',
    });
  });

  it("keeps ':' inside the venue id (quote hash form)", () => {
    const venueEventId = quoteHashId(T, '67234.01', '1.5', '67234.02', '0.25');
    const id = eventId('quote', 'kraken', 'BTC-USD', venueEventId);
    expect(parseEventId(id)).toEqual({ type: 'quote', venue: 'kraken', symbol: 'BTC-USD', venueEventId });
    expect(parseEventId('status:coinbase:BTC-USD:ingest-1:a:b:c')?.venueEventId).toBe('ingest-1:a:b:c');
  });

  it('round-trips eventId', () => {
    for (const [t, v, s, x] of [
      ['trade', 'binance', 'BTC-USDT', '1'],
      ['gap', 'okx', 'BTC-USDT', '10:20'],
      ['status', 'bybit', 'BTC-USDT', 'ingest-a:1795939333'],
    ] as const) {
      expect(parseEventId(eventId(t, v, s, x))).toEqual({ type: t, venue: v, symbol: s, venueEventId: x });
    }
  });

  it('returns null when there are fewer than four parts', () => {
    expect(parseEventId('')).toBeNull();
    expect(parseEventId('trade')).toBeNull();
    expect(parseEventId('trade:binance')).toBeNull();
    expect(parseEventId('trade:binance:BTC-USDT')).toBeNull();
  });

  it('allows an empty venue id part (the validators, not the parser, reject it)', () => {
    expect(parseEventId('trade:binance:BTC-USDT:')).toEqual({ type: 'trade', venue: 'binance', symbol: 'BTC-USDT', venueEventId: '' });
  });
});
