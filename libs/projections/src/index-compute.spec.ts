import { computeIndexValue, equalWeight, midPrice, minuteBars, serializeIndexMinute, serializeIndexValue, type IndexParams, type IndexValueV1 } from './index-compute';
import { parseIndexConstituents } from './index-settings';

/*
 * The index rules, one by one, on the pure reference (index-compute.ts). The Lua script is checked against the
 * same function in index-projection.spec.ts, so every rule here holds for the stored values too.
 */

const T = 1_795_939_333; // grid second
const AT = T * 1_000_000;
const P: IndexParams = { staleMs: 10_000, maxDeviationBps: 500, minConstituents: 2 };

/** An input member as stored: 16-digit venue time, venue, id, then the price. */
function m(ageUs: number, price: string, venue = 'x', id = '1'): string {
  return `${String(AT - ageUs).padStart(16, '0')}:${venue}:${id}|${price}|L`;
}

type Inputs = Record<string, { q?: string; t?: string }>;

function index(inputs: Inputs, p: IndexParams = P, venues = Object.keys(inputs)) {
  return computeIndexValue('BTC-USD', T, venues, (venue, kind) => inputs[venue]?.[kind], p);
}

describe('median', () => {
  it('given three fresh constituents when the index is computed then it is the middle price', () => {
    const v = index({ a: { q: m(1, '100.5') }, b: { q: m(1, '101') }, c: { q: m(1, '100') } });
    expect(v.price).toBe('100.5');
    expect(v.included).toBe(3);
    expect(v.degraded).toBe(false);
  });

  it('given four fresh constituents when the index is computed then it is the exact mean of the two middle prices', () => {
    const v = index({ a: { q: m(1, '100.01') }, b: { q: m(1, '100.02') }, c: { q: m(1, '100') }, d: { q: m(1, '100.03') } });
    expect(v.price).toBe('100.015');
  });

  it('given prices with many decimals when the mean of the middle two is taken then no digit is lost (no float)', () => {
    const v = index({ a: { q: m(1, '67234.123456789012345678') }, b: { q: m(1, '67234.123456789012345677') } });
    expect(v.price).toBe('67234.1234567890123456775');
  });

  it('given a quote when its mid is taken then it is exact', () => {
    expect(midPrice('60001.25', '60001.26')).toBe('60001.255');
    expect(midPrice('0.00000001', '0.00000002')).toBe('0.000000015');
  });
});

describe('quote mid preferred over last trade', () => {
  it('given a fresh quote and a newer fresh trade when computed then the quote mid is used', () => {
    const v = index({ a: { q: m(2_000, '100'), t: m(1_000, '100.2') }, b: { q: m(1, '100') } });
    expect(v.constituents[0]).toMatchObject({ venue: 'a', kind: 'mid', price: '100', ageUs: 2_000 });
  });

  it('given a stale quote and a fresh trade when computed then the trade price is used', () => {
    const v = index({ a: { q: m(20_000_000, '99'), t: m(1_000, '100.2') }, b: { q: m(1, '100') } });
    expect(v.constituents[0]).toMatchObject({ venue: 'a', kind: 'trade', price: '100.2', included: true, reason: null });
  });
});

describe('staleness gate', () => {
  it('given an input exactly stale-window old when computed then it is still fresh', () => {
    const v = index({ a: { q: m(10_000_000, '100') }, b: { q: m(1, '100') } });
    expect(v.constituents[0]?.reason).toBeNull();
  });

  it('given an input older than the stale window when computed then it is excluded as stale with its price and age shown', () => {
    const v = index({ a: { q: m(10_000_001, '100'), t: m(12_000_000, '90') }, b: { q: m(1, '101') }, c: { q: m(1, '102') } });
    expect(v.constituents[0]).toEqual({ venue: 'a', source: 'live', kind: 'mid', price: '100', venueTimeUs: AT - 10_000_001, ageUs: 10_000_001, weight: '0', included: false, reason: 'stale' });
    expect(v.price).toBe('101.5');
    expect(v.included).toBe(2);
  });

  it('given a venue with no input in the lookback when computed then it is excluded as no_data', () => {
    const v = index({ a: {}, b: { q: m(1, '101') }, c: { q: m(1, '102') } });
    expect(v.constituents[0]).toEqual({ venue: 'a', source: null, kind: null, price: null, venueTimeUs: null, ageUs: null, weight: '0', included: false, reason: 'no_data' });
  });
});

describe('deviation gate', () => {
  it('given one venue more than the deviation away from the median when computed then it is excluded and the rest make the index', () => {
    const v = index({ a: { q: m(1, '100') }, b: { q: m(1, '100.2') }, c: { q: m(1, '106') } });
    expect(v.referenceMedian).toBe('100.2');
    expect(v.constituents.map((c) => [c.venue, c.included, c.reason])).toEqual([
      ['a', true, null],
      ['b', true, null],
      ['c', false, 'deviation'],
    ]);
    expect(v.price).toBe('100.1');
  });

  it('given a venue exactly at the deviation limit when computed then it stays included (the gate is "more than")', () => {
    // median 100, 5 % = 5: 105 is exactly at the limit.
    const v = index({ a: { q: m(1, '95.5') }, b: { q: m(1, '100') }, c: { q: m(1, '105') } });
    expect(v.constituents.every((c) => c.included)).toBe(true);
    const w = index({ a: { q: m(1, '95.5') }, b: { q: m(1, '100') }, c: { q: m(1, '105.00000001') } });
    expect(w.constituents[2]?.reason).toBe('deviation');
  });

  it('given two venues far apart when computed then both deviate from their mean, nothing is included and the value is null and degraded', () => {
    const v = index({ a: { q: m(1, '100') }, b: { q: m(1, '120') } });
    expect(v.referenceMedian).toBe('110');
    expect(v.price).toBeNull();
    expect(v.included).toBe(0);
    expect(v.degraded).toBe(true);
  });
});

describe('degraded and weights', () => {
  it('given fewer included constituents than the minimum when computed then the value is published but flagged degraded', () => {
    const v = index({ a: { q: m(1, '100') }, b: { q: m(20_000_000, '100') }, c: {} });
    expect(v.price).toBe('100');
    expect(v.included).toBe(1);
    expect(v.degraded).toBe(true);
    expect(v.constituents[0]?.weight).toBe('1');
  });

  it('given three included when computed then each weighs 1/3 (six decimals) and excluded ones weigh 0', () => {
    const v = index({ a: { q: m(1, '100') }, b: { q: m(1, '100') }, c: { q: m(1, '100') }, d: { q: m(1, '200') } });
    expect(v.constituents.map((c) => c.weight)).toEqual(['0.333333', '0.333333', '0.333333', '0']);
    expect([1, 2, 3, 4, 6].map(equalWeight)).toEqual(['1', '0.5', '0.333333', '0.25', '0.166667']);
  });

  it('given no fresh constituent when computed then price and reference are null', () => {
    const v = index({ a: { q: m(20_000_000, '100') }, b: {} });
    expect(v).toMatchObject({ price: null, referenceMedian: null, included: 0, degraded: true });
  });
});

describe('serialization', () => {
  it('given a value when serialized then the key order is fixed and the gate parameters are recorded', () => {
    const v = index({ a: { q: m(1, '100') } }, { staleMs: 5_000, maxDeviationBps: 300, minConstituents: 1 });
    expect(serializeIndexValue(v)).toBe(
      `{"v":1,"symbol":"BTC-USD","t":${T},"price":"100","source":"live","degraded":false,"included":1,"referenceMedian":"100","method":{"staleMs":5000,"maxDeviationBps":300,"minConstituents":1},` +
        `"constituents":[{"venue":"a","source":"live","kind":"mid","price":"100","venueTimeUs":${AT - 1},"ageUs":1,"weight":"1","included":true,"reason":null}]}`,
    );
  });
});

describe('INDEX_CONSTITUENTS', () => {
  it('given the default form when parsed then each index lists its venues in order', () => {
    expect(parseIndexConstituents('BTC-USD=coinbase,kraken,bitstamp;BTC-USDT=binance,okx,bybit')).toEqual({
      indices: [
        { symbol: 'BTC-USD', venues: ['coinbase', 'kraken', 'bitstamp'] },
        { symbol: 'BTC-USDT', venues: ['binance', 'okx', 'bybit'] },
      ],
      problems: [],
    });
  });

  it('given malformed entries when parsed then every problem is reported', () => {
    const r = parseIndexConstituents('btc-usd=coinbase;BTC-USD=nasdaq,kraken,kraken;BTC-USD=okx');
    expect(r.problems).toEqual([
      'INDEX_CONSTITUENTS entry "btc-usd=coinbase" is not SYMBOL=venue,venue (e.g. BTC-USD=coinbase,kraken)',
      'INDEX_CONSTITUENTS BTC-USD: unknown venue(s) nasdaq',
      'INDEX_CONSTITUENTS BTC-USD: a venue is listed twice',
      'INDEX_CONSTITUENTS names BTC-USD twice',
    ]);
  });
});

describe('source (decision 7)', () => {
  it('given one simulated constituent input when computed then it and the value are marked simulated', () => {
    const sim = m(1, '101').replace(/\|L$/, '|S');
    const v = index({ a: { q: m(1, '100') }, b: { q: sim }, c: {} });
    expect(v.constituents.map((c) => c.source)).toEqual(['live', 'simulated', null]);
    expect(v.source).toBe('simulated');
    expect(index({ a: { q: m(1, '100') }, c: {} }).source).toBe('live');
  });
});

describe('minute bars (24 h statistics)', () => {
  const at = (t: number, price: string | null): IndexValueV1 => ({ ...index({ a: { q: m(1, '1') } }), t, price });

  it('given priced and unpriced seconds in two minutes when barred then open/high/low/close/n come from the priced ones in time order', () => {
    const base = 1_795_939_260; // a whole minute
    const bars = minuteBars([at(base + 5, '100.5'), at(base + 1, '101'), at(base + 3, null), at(base + 59, '99.99'), at(base + 61, '102')]);
    expect(bars).toEqual([
      { m: base, open: '101', high: '101', low: '99.99', close: '99.99', n: 3 },
      { m: base + 60, open: '102', high: '102', low: '102', close: '102', n: 1 },
    ]);
    expect(serializeIndexMinute(bars[1] as (typeof bars)[number])).toBe(`{"m":${base + 60},"open":"102","high":"102","low":"102","close":"102","n":1}`);
  });

  it('given a minute with no priced value when barred then it has no bar', () => {
    expect(minuteBars([at(1_795_939_260, null)])).toEqual([]);
  });
});
