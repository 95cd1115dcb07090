import { fromScaled, isoFromUs, toScaled } from '@feed/price-types';
import { fromLimbFields, volumeText, vwapOf } from './candle-math';
import type { CandleSettings } from './candle-settings';

/** One stored bar as the apply script left it (candle-lua.ts), decoded. `trades` 0 = only late trades counted. */
export interface StoredBar {
  /** Bar start, epoch seconds. */
  start: number;
  open: string | null;
  high: string | null;
  low: string | null;
  close: string | null;
  trades: number;
  volume: bigint;
  notional: bigint;
  firstUs: number | null;
  lastUs: number | null;
  revision: number;
  late: number;
}

/** A bar hash -> StoredBar, or undefined when the key is gone (deleted by retention between two reads). */
export function parseBar(start: number, hash: Readonly<Record<string, string>> | null | undefined): StoredBar | undefined {
  if (!hash || Object.keys(hash).length === 0) return undefined;
  const num = (f: string): number => (hash[f] === undefined ? 0 : Number(hash[f]));
  const trades = num('n');
  return {
    start,
    open: trades > 0 ? (hash['o'] ?? null) : null,
    high: trades > 0 ? (hash['h'] ?? null) : null,
    low: trades > 0 ? (hash['l'] ?? null) : null,
    close: trades > 0 ? (hash['c'] ?? null) : null,
    trades,
    volume: fromLimbFields(hash, 'v'),
    notional: fromLimbFields(hash, 'q'),
    firstUs: hash['ft'] === undefined ? null : Number(hash['ft']),
    lastUs: hash['lt'] === undefined ? null : Number(hash['lt']),
    revision: num('r'),
    late: num('x'),
  };
}

/** A candle as served (REST and WebSocket). Prices and volume are canonical decimals; times ISO-8601 UTC. */
export interface CandleView {
  start: string;
  end: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  /** Volume-weighted average price, exact notional / volume rounded half up to 12 decimals; null for an empty bar. */
  vwap: string | null;
  trades: number;
  firstTradeTime: string | null;
  lastTradeTime: string | null;
  /** No trade in the interval: a flat bar at the previous close. */
  empty: boolean;
  /** The event-time watermark passed end + close delay: further trades can only come as revisions. */
  closed: boolean;
  /** The watermark passed end + finality horizon: the bar can no longer change (later trades count as late). */
  final: boolean;
  /** Trades applied to the bar after it closed (each received at or after end + close delay). */
  revision: number;
  /** Trades received after the finality horizon: counted here, not in the bar's prices or volume. */
  lateTrades: number;
}

export interface SeriesRequest {
  intervalSec: number;
  /** First bar start (epoch s, aligned to the interval) and the exclusive end of the range. */
  fromSec: number;
  toSec: number;
  /** Stored bars with start in [fromSec, toSec), any order. */
  bars: StoredBar[];
  /** Close of the newest stored bar with trades before fromSec, if any: the level of leading empty bars. */
  prevClose: string | null;
  /** Event-time watermark (max heartbeat receive time of the streams feeding the series), epoch µs; null = none. */
  watermarkUs: number | null;
  settings: Pick<CandleSettings, 'closeDelayMs' | 'finalityMs'>;
}

/**
 * Bars of one series over a range, with the empty bars filled in: a slot without trades appears as a flat bar at
 * the previous close once it is CLOSED by event time (watermark >= end + close delay) and some earlier bar gives
 * its level; an open slot without trades (the current bar before its first trade) is not shown. A pure function
 * of stored bars and the watermark, both projections of the log, so a replay serves the same candles.
 */
export function assembleSeries(r: SeriesRequest): CandleView[] {
  const byStart = new Map(r.bars.map((b) => [b.start, b]));
  const closeUs = r.settings.closeDelayMs * 1000;
  const finalUs = r.settings.finalityMs * 1000;
  const out: CandleView[] = [];
  let prev = r.prevClose;
  for (let s = r.fromSec; s < r.toSec; s += r.intervalSec) {
    const endUs = (s + r.intervalSec) * 1_000_000;
    const closed = r.watermarkUs !== null && r.watermarkUs >= endUs + closeUs;
    const final = r.watermarkUs !== null && r.watermarkUs >= endUs + finalUs;
    const b = byStart.get(s);
    const times = { start: isoFromUs(s * 1_000_000), end: isoFromUs(endUs) };
    if (b && b.trades > 0 && b.open && b.high && b.low && b.close) {
      out.push({
        ...times,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: volumeText(b.volume),
        vwap: vwapOf(b.notional, b.volume),
        trades: b.trades,
        firstTradeTime: b.firstUs === null ? null : isoFromUs(b.firstUs),
        lastTradeTime: b.lastUs === null ? null : isoFromUs(b.lastUs),
        empty: false,
        closed,
        final,
        revision: b.revision,
        lateTrades: b.late,
      });
      prev = b.close;
    } else if (closed && prev !== null) {
      out.push({ ...times, open: prev, high: prev, low: prev, close: prev, volume: '0', vwap: null, trades: 0, firstTradeTime: null, lastTradeTime: null, empty: true, closed, final, revision: 0, lateTrades: b?.late ?? 0 });
    }
  }
  return out;
}

/** 24 h statistics of one series (or, later, of the index: any source of 1m bars). */
export interface RollingStats {
  /** Window [from, to): the 1 441 one-minute bars from the one holding the watermark back 24 h. */
  from: string;
  to: string;
  /** First and last trade prices in the window; null when the window holds no trade. */
  open: string | null;
  high: string | null;
  low: string | null;
  last: string | null;
  volume: string;
  vwap: string | null;
  trades: number;
  /** last - open (exact), and that as a percentage of open rounded half away from zero to 4 decimals. */
  change: string | null;
  changePct: string | null;
}

/** The minute bars the 24 h statistics read for a watermark: [fromSec, toSec) in epoch seconds. */
export function statsWindow(watermarkUs: number): { fromSec: number; toSec: number } {
  const minute = Math.floor(watermarkUs / 60_000_000) * 60;
  return { fromSec: minute - 86_400, toSec: minute + 60 };
}

const CMP_SCALE = 18;

function decCmp(a: string, b: string): number {
  const x = toScaled(a, CMP_SCALE);
  const y = toScaled(b, CMP_SCALE);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Rolling 24 h statistics from the 1m bars of the window (statsWindow): open = the open of the earliest bar with
 * trades, last = the close of the newest, high / low = extremes, volume and VWAP exact from the limb sums. Judged
 * against the event-time watermark, so a replay gives the same figures.
 */
export function rolling24h(bars: StoredBar[], watermarkUs: number): RollingStats {
  const { fromSec, toSec } = statsWindow(watermarkUs);
  const inWindow = bars.filter((b) => b.start >= fromSec && b.start < toSec && b.trades > 0).sort((a, b) => a.start - b.start);
  let volume = 0n;
  let notional = 0n;
  let trades = 0;
  let high: string | null = null;
  let low: string | null = null;
  for (const b of inWindow) {
    volume += b.volume;
    notional += b.notional;
    trades += b.trades;
    if (b.high !== null && (high === null || decCmp(b.high, high) > 0)) high = b.high;
    if (b.low !== null && (low === null || decCmp(b.low, low) < 0)) low = b.low;
  }
  const open = inWindow[0]?.open ?? null;
  const last = inWindow[inWindow.length - 1]?.close ?? null;
  let change: string | null = null;
  let changePct: string | null = null;
  if (open !== null && last !== null) {
    const o = toScaled(open, CMP_SCALE);
    const d = toScaled(last, CMP_SCALE) - o;
    change = fromScaled(d, CMP_SCALE);
    // percentage with 4 decimals: d * 100 * 10^4 / o, rounded half away from zero
    const num = d * 1_000_000n;
    const q = num / o;
    const rem = num % o;
    const abs = (v: bigint) => (v < 0n ? -v : v);
    const rounded = abs(rem) * 2n >= o ? q + (num < 0n ? -1n : 1n) : q;
    changePct = fromScaled(rounded, 4);
  }
  return {
    from: isoFromUs(fromSec * 1_000_000),
    to: isoFromUs(toSec * 1_000_000),
    open,
    high,
    low,
    last,
    volume: volumeText(volume),
    vwap: vwapOf(notional, volume),
    trades,
    change,
    changePct,
  };
}
