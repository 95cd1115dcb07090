import { legacyHistoryEntry, legacyLastPrice, legacyUpdateTime, pyFloatRepr, pyFloatReprByExponent } from './legacy-v3';
import { T0, trade } from './fixtures/events';

/*
 * Expected strings are written by hand from Python's float repr rules (Python 3 `repr(float)`, i.e.
 * `format(x, 'r')`): the shortest digit string that round-trips to the same double; positional notation when
 * the decimal exponent e of the first significant digit satisfies -4 <= e < 16, otherwise scientific with at
 * least two exponent digits and an explicit sign ("1e-05", "1.5e+16"); an integral value in positional form
 * keeps ".0" ("60001.0").
 */
describe('given Python float repr of a decimal string', () => {
  const cases: Array<[string, string]> = [
    ['60001', '60001.0'],
    ['60001.0', '60001.0'],
    ['60001.26', '60001.26'],
    ['0.01', '0.01'],
    ['0.0001', '0.0001'], // e = -4: still positional
    ['0.00001', '1e-05'], // e = -5: scientific, two exponent digits
    ['0.00012', '0.00012'], // e = -4
    ['0.000012', '1.2e-05'],
    ['0.000001', '1e-06'],
    ['0.00001234', '1.234e-05'],
    ['0.00000025', '2.5e-07'],
    ['15000000000000000', '1.5e+16'], // e = 16: scientific
    ['1.5e16', '1.5e+16'],
    ['10000000000000000', '1e+16'],
    ['1000000000000000', '1000000000000000.0'], // e = 15: positional
    ['9999999999999998', '9999999999999998.0'],
    ['123456789.12345678', '123456789.12345678'],
    ['0.1', '0.1'],
    ['0.5', '0.5'],
    ['1', '1.0'],
    ['100', '100.0'],
    ['0', '0.0'],
    ['67234.01000000', '67234.01'],
    ['0.30000000000000004', '0.30000000000000004'],
    ['0.1234567890123456789', '0.12345678901234568'], // more digits than a double holds: shortest round-trip
    ['12345678901234567890', '1.2345678901234567e+19'],
    ['1e22', '1e+22'],
    ['1e-100', '1e-100'], // three exponent digits are kept
    ['5e-324', '5e-324'],
    ['-1.5', '-1.5'],
    ['-0.00001', '-1e-05'],
    ['99999.99999999', '99999.99999999'],
  ];
  it.each(cases)('when the decimal is %s then repr is %s', (input, expected) => {
    expect(pyFloatRepr(input)).toBe(expected);
  });

  it('when values sit on either side of the fast path\'s bounds (1e-4, 1e16) or anywhere between, then it equals the general rule', () => {
    const around = (v: number): number[] => {
      const out = [v];
      let lo = v;
      let hi = v;
      for (let i = 0; i < 4; i++) {
        lo = lo - lo * Number.EPSILON; // the doubles just below and above
        hi = hi + hi * Number.EPSILON;
        out.push(lo, hi);
      }
      return out;
    };
    const values = [...around(1e-4), ...around(1e16), ...around(1e15), 9999999999999998];
    let seed = 7;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 20_000; i++) values.push(Number((next() * 10 ** (Math.floor(next() * 26) - 8)).toPrecision(1 + Math.floor(next() * 17))));
    for (const v of values) for (const x of [v, -v]) expect([x, pyFloatRepr(String(x))]).toEqual([x, pyFloatReprByExponent(x)]);
  });

  it.each(['NaN', 'Infinity', '-Infinity', '1e309', 'abc'])('when the text is %s (not a finite number) then it throws', (input) => {
    expect(() => pyFloatRepr(input)).toThrow(/not a finite number/);
  });
});

describe('given a legacy history entry (btc_movement_history / btc_price)', () => {
  it('when the trade is from the default venue then it is byte-exact Python json.dumps with no exchange', () => {
    expect(legacyHistoryEntry(trade({ tradeId: '1', price: '60001.26', size: '0.01', venueTimeUs: T0 }), false)).toBe(
      '{"price": 60001.26, "timestamp": "2026-11-29T08:02:13.010918+00:00", "volume": 0.01}',
    );
  });

  it('when the trade is from another venue then "exchange" comes last', () => {
    expect(legacyHistoryEntry(trade({ venue: 'kraken', symbol: 'BTC-USD', tradeId: '1', price: '60001.26', size: '0.01', venueTimeUs: T0 }), true)).toBe(
      '{"price": 60001.26, "timestamp": "2026-11-29T08:02:13.010918+00:00", "volume": 0.01, "exchange": "kraken"}',
    );
  });

  it('when price is integral and volume tiny then Python float forms appear ("60001.0", "1e-05")', () => {
    expect(legacyHistoryEntry(trade({ tradeId: '1', price: '60001', size: '0.00001', venueTimeUs: T0 }), false)).toBe(
      '{"price": 60001.0, "timestamp": "2026-11-29T08:02:13.010918+00:00", "volume": 1e-05}',
    );
  });

  it('when the venue time is on a whole second then the timestamp still carries six fraction digits', () => {
    // Python's isoformat() would drop ".000000"; Feed keeps one fixed shape so parsers of the old format keep working.
    expect(legacyHistoryEntry(trade({ tradeId: '1', venueTimeUs: 1_795_939_333_000_000 }), false)).toBe(
      '{"price": 60001.26, "timestamp": "2026-11-29T08:02:13.000000+00:00", "volume": 0.01}',
    );
  });

  it('when parsed back as JSON then it holds the trade price, venue time and size', () => {
    const o = JSON.parse(legacyHistoryEntry(trade({ tradeId: '1', price: '59999.5', size: '1.25', venueTimeUs: T0 }), false)) as Record<string, unknown>;
    expect(o).toEqual({ price: 59999.5, timestamp: '2026-11-29T08:02:13.010918+00:00', volume: 1.25 });
    expect(Object.keys(o)).toEqual(['price', 'timestamp', 'volume']);
  });
});

describe('given last_btc_price and last_btc_update_time', () => {
  it('when the trade price is 60001.26 then last_btc_price is "60001.26"', () => {
    expect(legacyLastPrice(trade({ tradeId: '1', price: '60001.26' }))).toBe('60001.26');
  });

  it('when the price is integral then last_btc_price is Python str(float), "60001.0"', () => {
    expect(legacyLastPrice(trade({ tradeId: '1', price: '60001' }))).toBe('60001.0');
  });

  it('when the venue time is T0 then the update time is epoch seconds with six fraction digits', () => {
    expect(legacyUpdateTime(trade({ tradeId: '1', venueTimeUs: T0 }))).toBe('1795939333.010918');
    expect(legacyUpdateTime(trade({ tradeId: '1', venueTimeUs: 1_795_939_333_000_000 }))).toBe('1795939333.000000');
    expect(legacyUpdateTime(trade({ tradeId: '1', venueTimeUs: 1_230_940_800_000_001 }))).toBe('1230940800.000001');
    expect(legacyUpdateTime(trade({ tradeId: '1', venueTimeUs: 1_795_939_333_999_999 }))).toBe('1795939333.999999');
  });

  it('when the update time is read as a number then it is within 1 µs of the venue time', () => {
    const s = legacyUpdateTime(trade({ tradeId: '1', venueTimeUs: T0 }));
    expect(s).toMatch(/^\d{10}\.\d{6}$/);
    expect(Math.abs(Number(s) * 1e6 - T0)).toBeLessThan(1);
  });
});
