import { ConfigReader } from '@feed/config';
import { fromLimbFields, limbText, notionalScaled, volumeScaled, vwapOf } from './candle-math';
import { assembleSeries, parseBar, rolling24h, statsWindow, type StoredBar } from './candle-read';
import { DEFAULT_CANDLE_SETTINGS, readCandleSettings } from './candle-settings';

const S0 = 1_795_939_320; // 2026-11-29T08:02:00Z
const settings = { closeDelayMs: 2_000, finalityMs: 60_000 };

function bar(start: number, over: Partial<StoredBar> = {}): StoredBar {
  return { start, open: '100', high: '110', low: '90', close: '105', trades: 3, volume: 2n * 10n ** 18n, notional: 205n * 10n ** 36n, firstUs: start * 1e6 + 1, lastUs: start * 1e6 + 2, revision: 0, late: 0, ...over };
}

describe('given limb arithmetic', () => {
  it('when a value is split into base-1e9 limbs and the limb fields are added up then the exact integer comes back', () => {
    const v = 123_456_789_012_345_678_901_234_567_890n;
    expect(limbText(v)).toBe('0:234567890,1:345678901,2:456789012,3:123');
    expect(limbText(10n ** 18n)).toBe('2:1');
    expect(limbText(0n)).toBe('');
    // HINCRBY leaves limbs above 1e9 (no carries): the reader recombines any magnitude
    expect(fromLimbFields({ v0: '1999999999', v1: '5', n: '7', vx: '1' }, 'v')).toBe(1_999_999_999n + 5n * 1_000_000_000n);
  });

  it('when volume and notional are scaled then they are exact integers at 1e18 and 1e36', () => {
    expect(volumeScaled('0.000000000000000001')).toBe(1n);
    expect(notionalScaled('60001.26', '0.01')).toBe(60_001_26n * 10n ** 16n * 10n ** 16n);
  });
});

describe('given a VWAP to serve', () => {
  it('when notional / volume has more than 12 decimals then it is rounded half up, and null without volume', () => {
    // notional 1 (x1e36) over volume 3 (x1e18): 0.333333333333|33...
    expect(vwapOf(10n ** 36n, 3n * 10n ** 18n)).toBe('0.333333333333');
    expect(vwapOf(2n * 10n ** 36n, 3n * 10n ** 18n)).toBe('0.666666666667');
    expect(vwapOf(205n * 10n ** 36n, 2n * 10n ** 18n)).toBe('102.5');
    expect(vwapOf(0n, 0n)).toBeNull();
  });
});

describe('given stored bars and a watermark', () => {
  it('when a slot has no bar and is closed then it is a flat empty bar at the previous close', () => {
    const out = assembleSeries({ intervalSec: 60, fromSec: S0, toSec: S0 + 240, bars: [bar(S0), bar(S0 + 120, { close: '107' })], prevClose: null, watermarkUs: (S0 + 240) * 1e6 + 2_000_000, settings });
    expect(out.map((c) => [c.start, c.empty, c.open, c.close, c.volume, c.closed])).toEqual([
      ['2026-11-29T08:02:00.000000Z', false, '100', '105', '2', true],
      ['2026-11-29T08:03:00.000000Z', true, '105', '105', '0', true],
      ['2026-11-29T08:04:00.000000Z', false, '100', '107', '2', true],
      ['2026-11-29T08:05:00.000000Z', true, '107', '107', '0', true],
    ]);
    expect(out[1]).toMatchObject({ high: '105', low: '105', vwap: null, trades: 0, firstTradeTime: null });
    expect(out[0]).toMatchObject({ vwap: '102.5', end: '2026-11-29T08:03:00.000000Z' });
  });

  it('when the watermark has not passed end + close delay then a bar is open, and an open slot without trades is not shown', () => {
    const wm = (S0 + 120) * 1e6 + 1_999_999; // 1 µs short of closing the 08:03 bar
    const out = assembleSeries({ intervalSec: 60, fromSec: S0, toSec: S0 + 180, bars: [bar(S0)], prevClose: null, watermarkUs: wm, settings });
    expect(out.map((c) => [c.start.slice(11, 16), c.closed, c.final])).toEqual([['08:02', true, true]]);
    const later = assembleSeries({ intervalSec: 60, fromSec: S0, toSec: S0 + 180, bars: [bar(S0)], prevClose: null, watermarkUs: wm + 1, settings });
    expect(later.map((c) => c.start.slice(11, 16))).toEqual(['08:02', '08:03']);
  });

  it('when the watermark passes end + finality then the bar is final', () => {
    const out = assembleSeries({ intervalSec: 60, fromSec: S0, toSec: S0 + 60, bars: [bar(S0)], prevClose: null, watermarkUs: (S0 + 60) * 1e6 + 60_000_000, settings });
    expect(out[0]).toMatchObject({ closed: true, final: true });
  });

  it('when the range starts with empty slots then they take the close before the range, or are left out without one', () => {
    const base = { intervalSec: 60, fromSec: S0, toSec: S0 + 120, bars: [bar(S0 + 60)], watermarkUs: (S0 + 600) * 1e6, settings };
    expect(assembleSeries({ ...base, prevClose: '99.5' }).map((c) => [c.open, c.empty])).toEqual([['99.5', true], ['100', false]]);
    expect(assembleSeries({ ...base, prevClose: null }).map((c) => c.empty)).toEqual([false]);
  });

  it('when a bar holds only late trades then it is served as empty with its late count', () => {
    const out = assembleSeries({ intervalSec: 1, fromSec: S0, toSec: S0 + 1, bars: [bar(S0, { trades: 0, open: null, high: null, low: null, close: null, volume: 0n, notional: 0n, late: 2 })], prevClose: '50', watermarkUs: (S0 + 100) * 1e6, settings });
    expect(out).toEqual([expect.objectContaining({ empty: true, open: '50', lateTrades: 2 })]);
  });

  it('when a bar hash is read then its fields decode, and an empty hash is no bar', () => {
    expect(parseBar(S0, { ok: 'a', o: '1.5', ck: 'b', c: '2', h: '2', l: '1.5', n: '2', ft: '10', lt: '20', r: '1', v0: '5', q1: '3' })).toEqual({
      start: S0, open: '1.5', high: '2', low: '1.5', close: '2', trades: 2, volume: 5n, notional: 3_000_000_000n, firstUs: 10, lastUs: 20, revision: 1, late: 0,
    });
    expect(parseBar(S0, {})).toBeUndefined();
  });
});

describe('given 1m bars and a watermark for 24 h statistics', () => {
  const wm = (S0 + 30) * 1e6; // inside the 08:02 minute
  it('when computed then open is the earliest bar open, last the newest close, extremes and exact volume, change and change %', () => {
    const { fromSec, toSec } = statsWindow(wm);
    expect([fromSec, toSec]).toEqual([S0 - 86_400, S0 + 60]);
    const bars = [
      bar(S0 - 86_460, { open: '1', close: '1', high: '1000', low: '1' }), // one minute before the window: ignored
      bar(S0 - 86_400, { open: '200', high: '210', low: '190', close: '205' }),
      bar(S0 - 600, { open: '205', high: '250', low: '150.5', close: '240' }),
      bar(S0, { open: '240', high: '241', low: '239', close: '230.123' }),
    ];
    expect(rolling24h(bars, wm)).toEqual({
      from: '2026-11-28T08:02:00.000000Z', to: '2026-11-29T08:03:00.000000Z', open: '200', high: '250', low: '150.5', last: '230.123', volume: '6', vwap: '102.5', trades: 9, change: '30.123', changePct: '15.0615',
    });
  });

  it('when the price fell then change is negative and the percentage rounds half away from zero', () => {
    const s = rolling24h([bar(S0 - 60, { open: '3' }), bar(S0, { close: '2' })], wm);
    expect([s.change, s.changePct]).toEqual(['-1', '-33.3333']);
    const t = rolling24h([bar(S0, { open: '8', close: '7.99999' })], wm); // -0.000125 % -> -0.0001
    expect(t.changePct).toBe('-0.0001');
  });

  it('when the window holds no trade then prices are null and volume 0', () => {
    expect(rolling24h([], wm)).toMatchObject({ open: null, last: null, change: null, changePct: null, volume: '0', vwap: null, trades: 0 });
  });
});

describe('given candle configuration', () => {
  it('when nothing is set then the defaults apply; overrides parse; bad values fail loud', () => {
    expect(readCandleSettings(new ConfigReader({}))).toEqual(DEFAULT_CANDLE_SETTINGS);
    const s = readCandleSettings(new ConfigReader({ CANDLE_CLOSE_DELAY_MS: '100', CANDLE_FINALITY_MS: '500', CANDLE_RETENTION: '1s=60, 1d=10' }));
    expect(s).toMatchObject({ closeDelayMs: 100, finalityMs: 500, maxFutureMs: 60_000, retention: { '1s': 60, '1d': 10, '1m': 10_080 } });
    const bad = (env: Record<string, string>) => () => {
      const r = new ConfigReader(env);
      readCandleSettings(r);
      r.done();
    };
    expect(bad({ CANDLE_CLOSE_DELAY_MS: '5000', CANDLE_FINALITY_MS: '1000' })).toThrow(/CANDLE_FINALITY_MS/);
    expect(bad({ CANDLE_RETENTION: '2m=5' })).toThrow(/CANDLE_RETENTION/);
    expect(bad({ CANDLE_RETENTION: '1m=100' })).toThrow(/1441/);
  });
});
