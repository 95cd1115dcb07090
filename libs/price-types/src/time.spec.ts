import { ValidationError } from './errors';
import { MAX_TIME_US, MIN_TIME_US, assertTimeUs, isoFromUs, isTimeUs, msToUs, nowUs, usFromIso } from './time';

function refusal(fn: () => unknown): { code: string; field: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

const T = 1_795_939_333_010_918; // 2026-11-29T08:02:13.010918Z

describe('time bounds', () => {
  it('are 2009-01-03 and 2100-01-01 in µs, both exact integers', () => {
    expect(new Date(MIN_TIME_US / 1000).toISOString()).toBe('2009-01-03T00:00:00.000Z');
    expect(new Date(MAX_TIME_US / 1000).toISOString()).toBe('2100-01-01T00:00:00.000Z');
    expect(Number.isSafeInteger(MIN_TIME_US)).toBe(true);
    expect(Number.isSafeInteger(MAX_TIME_US)).toBe(true);
  });
});

describe('isTimeUs / assertTimeUs', () => {
  it('accepts integer µs within the bounds, inclusive', () => {
    for (const v of [MIN_TIME_US, MAX_TIME_US, T, 1_700_000_000_000_000]) {
      expect(isTimeUs(v)).toBe(true);
      expect(assertTimeUs(v, 'venueTimeUs')).toBe(v);
    }
  });

  it.each([
    ['one µs before 2009-01-03', MIN_TIME_US - 1],
    ['one µs after 2100-01-01', MAX_TIME_US + 1],
    ['ms-looking value 1.7e12 (it is 1970 in µs)', 1.7e12],
    ['Binance ms time 1795939333010', 1_795_939_333_010],
    ['seconds 1795939333', 1_795_939_333],
    ['ns-looking value 1.7e18', 1.7e18],
    ['zero', 0],
    ['negative', -T],
    ['non-integer', T + 0.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['above MAX_SAFE_INTEGER', 2 ** 60],
  ])('refuses %s as bad_time', (_label, v) => {
    expect(isTimeUs(v)).toBe(false);
    expect(refusal(() => assertTimeUs(v, 'venueTimeUs'))).toEqual({ code: 'bad_time', field: 'venueTimeUs' });
  });

  it.each([
    ['a numeric string', String(T)],
    ['an ISO string', '2026-11-29T08:02:13.010918Z'],
    ['a bigint', BigInt(T)],
    ['null', null],
    ['undefined', undefined],
    ['a Date', new Date(T / 1000)],
    ['an array', [T]],
  ])('refuses %s as wrong_type', (_label, v) => {
    expect(isTimeUs(v)).toBe(false);
    expect(refusal(() => assertTimeUs(v, 'recvTimeUs'))).toEqual({ code: 'wrong_type', field: 'recvTimeUs' });
  });
});

describe('msToUs / nowUs', () => {
  it('converts ms to µs as an exact integer', () => {
    expect(msToUs(1_795_939_333_010)).toBe(1_795_939_333_010_000);
    expect(msToUs(0)).toBe(0);
    expect(isTimeUs(msToUs(1_795_939_333_010))).toBe(true);
  });

  it('nowUs is an integer µs close to Date.now() and within bounds', () => {
    const before = Date.now() * 1000;
    const n = nowUs();
    const after = Date.now() * 1000;
    expect(Number.isSafeInteger(n)).toBe(true);
    expect(isTimeUs(n)).toBe(true);
    // performance.timeOrigin may drift a little from the wall clock; allow a generous second.
    expect(n).toBeGreaterThanOrEqual(before - 1_000_000);
    expect(n).toBeLessThanOrEqual(after + 1_000_000);
  });
});

describe('formatting', () => {
  it('isoFromUs gives ISO-8601 UTC with six fraction digits and Z', () => {
    expect(isoFromUs(T)).toBe('2026-11-29T08:02:13.010918Z');
    expect(isoFromUs(1_795_939_333_000_000)).toBe('2026-11-29T08:02:13.000000Z');
    expect(isoFromUs(1_795_939_333_000_001)).toBe('2026-11-29T08:02:13.000001Z');
    expect(isoFromUs(1_795_939_333_999_999)).toBe('2026-11-29T08:02:13.999999Z');
    expect(isoFromUs(MIN_TIME_US)).toBe('2009-01-03T00:00:00.000000Z');
  });

  it('when calls jump between seconds, back in time and across days, every text equals the Date-based formatting', () => {
    const ref = (us: number) => `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}Z`;
    const values: number[] = [];
    let seed = 11;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 5_000; i++) {
      // Mostly neighbours in time (the cached second), sometimes a jump anywhere between 2009 and 2100.
      const base = i % 7 === 0 ? MIN_TIME_US + Math.floor(next() * (MAX_TIME_US - MIN_TIME_US)) : (values[i - 1] ?? T);
      values.push(Math.min(MAX_TIME_US, base + Math.floor((next() - 0.4) * 3_000_000)));
    }
    for (const v of values) expect([v, isoFromUs(v)]).toEqual([v, ref(v)]);
  });

  it('formats and parses back exactly for many µs values (no float seconds anywhere)', () => {
    for (let k = 0; k < 1000; k++) {
      const v = 1_795_939_333_000_000 + k * 997;
      const iso = isoFromUs(v);
      expect(usFromIso(iso)).toBe(v);
    }
  });
});

describe('usFromIso', () => {
  it.each([
    ['2026-11-29T08:02:13.010Z', 1_795_939_333_010_000], // 3 digits (Kraken-like ms)
    ['2026-11-29T08:02:13.010918Z', 1_795_939_333_010_918], // 6 digits (Coinbase)
    ['2026-11-29T08:02:13.010918123Z', 1_795_939_333_010_918], // 9 digits: truncated, not rounded
    ['2026-11-29T08:02:13.010918999Z', 1_795_939_333_010_918],
    ['2026-11-29T08:02:13.1Z', 1_795_939_333_100_000],
    ['2026-11-29T08:02:13Z', 1_795_939_333_000_000],
    ['2026-11-29T08:02:13.010918+00:00', 1_795_939_333_010_918],
    ['2026-11-29T08:02:13.010918-00:00', 1_795_939_333_010_918],
    ['2009-01-03T00:00:00Z', MIN_TIME_US],
    ['2024-02-29T12:00:00Z', 1_709_208_000_000_000], // leap day
  ])('%s -> %d', (text, us) => {
    expect(usFromIso(text)).toBe(us);
  });

  it('round-trips isoFromUs', () => {
    expect(isoFromUs(usFromIso('2026-11-29T08:02:13.010918Z'))).toBe('2026-11-29T08:02:13.010918Z');
    expect(usFromIso(isoFromUs(T))).toBe(T);
    expect(isoFromUs(usFromIso('2026-11-29T08:02:13.010Z'))).toBe('2026-11-29T08:02:13.010000Z');
    expect(isoFromUs(usFromIso('2026-11-29T08:02:13.010918123Z'))).toBe('2026-11-29T08:02:13.010918Z');
  });

  it.each([
    [''],
    ['2026-11-29'],
    ['2026-11-29T08:02:13'], // no zone: local time is ambiguous
    ['2026-11-29 08:02:13Z'],
    ['2026-11-29T08:02:13.Z'],
    ['2026-11-29T08:02:13.0109181234Z'], // 10 fraction digits
    ['2026-11-29T08:02:13.010918+01:00'], // only UTC is accepted
    ['2026-11-29T08:02:13.010918z'],
    ['2026-11-29T08:02:13,010918Z'],
    [' 2026-11-29T08:02:13Z'],
    ['2026-11-29T08:02:13Z\n'],
    ['1795939333010918'],
    ['2026-13-01T00:00:00Z'], // month 13
    ['2026-11-29T25:00:00Z'],
    ['2026-11-29T08:60:00Z'],
    ['2026-11-29T08:02:60Z'], // no leap seconds
    ['2026-02-30T00:00:00Z'], // no Feb 30 (must not roll over into March)
    ['2026-02-29T00:00:00Z'], // 2026 is not a leap year
    ['2026-04-31T00:00:00Z'], // April has 30 days
    ['2026-11-29T24:00:00Z'], // not the next day's midnight
    ['2008-12-31T23:59:59.999999Z'], // before the lower bound
    ['2100-01-01T00:00:00.000001Z'], // after the upper bound
  ])('refuses %j as bad_time', (text) => {
    expect(refusal(() => usFromIso(text, 'time'))).toEqual({ code: 'bad_time', field: 'time' });
  });

  it('names the field it was given', () => {
    expect(refusal(() => usFromIso('nope', 'T'))).toEqual({ code: 'bad_time', field: 'T' });
    expect(refusal(() => usFromIso('nope'))).toEqual({ code: 'bad_time', field: 'time' });
  });
});
