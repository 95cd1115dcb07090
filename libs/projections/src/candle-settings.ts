import type { ConfigReader } from '@feed/config';

/**
 * The served candle intervals. Every interval divides the next (1s | 1m | 5m | 15m | 1h | 4h | 1d) and all are
 * aligned to the Unix epoch, i.e. to UTC midnight, so a 1s bar lies in exactly one bar of every larger interval.
 */
export const CANDLE_INTERVALS = [
  { name: '1s', seconds: 1 },
  { name: '1m', seconds: 60 },
  { name: '5m', seconds: 300 },
  { name: '15m', seconds: 900 },
  { name: '1h', seconds: 3_600 },
  { name: '4h', seconds: 14_400 },
  { name: '1d', seconds: 86_400 },
] as const;

export type CandleInterval = (typeof CANDLE_INTERVALS)[number]['name'];

export const CANDLE_INTERVAL_NAMES: readonly CandleInterval[] = CANDLE_INTERVALS.map((i) => i.name);

export function isCandleInterval(s: unknown): s is CandleInterval {
  return typeof s === 'string' && (CANDLE_INTERVAL_NAMES as readonly string[]).includes(s);
}

export function intervalSeconds(name: CandleInterval): number {
  return (CANDLE_INTERVALS.find((i) => i.name === name) as { seconds: number }).seconds;
}

/** The "venue" of the composite series: every venue of the symbol together. */
export const COMPOSITE_VENUE = 'all';

/**
 * Bars kept per series and interval (decision 10: a stated bound per key family). A bar is removed once it is
 * more than `retention` bars older than the newest bar of its series, judged by event time when the series is
 * written, so a replay keeps exactly the same bars. Defaults: 1s for 2 h, 1m for 7 d (the 24 h statistics read
 * 1m bars, so at least 1 441 are required), 5m for 30 d, 15m for 90 d, 1h for 1 y, 4h for 2 y, 1d for 10 y.
 */
export const DEFAULT_CANDLE_RETENTION: Readonly<Record<CandleInterval, number>> = {
  '1s': 7_200,
  '1m': 10_080,
  '5m': 8_640,
  '15m': 8_640,
  '1h': 8_760,
  '4h': 4_380,
  '1d': 3_650,
};

/** 1m bars the 24 h statistics read: the bar holding the watermark and the 1 440 minutes before it. */
export const STATS_MINUTE_BARS = 1_441;

export interface CandleSettings {
  /**
   * A bar counts as closed once the watermark (event time) is this far past its end; a trade RECEIVED at or after
   * that point revises the bar (its revision number counts such trades).
   */
  closeDelayMs: number;
  /** Finality horizon: a trade received this long after its bar's end no longer changes the bar; it is counted as late. */
  finalityMs: number;
  /**
   * A trade whose venue time is more than this AHEAD of its own receive time is kept out of the candles (counted as
   * skipped): a venue clock that far off, or a hostile timestamp, would otherwise open a bar in the future and push
   * every series' retention cut past its real bars. Judged from the event alone, so replays agree.
   */
  maxFutureMs: number;
  retention: Readonly<Record<CandleInterval, number>>;
}

export const DEFAULT_CANDLE_SETTINGS: CandleSettings = { closeDelayMs: 2_000, finalityMs: 60_000, maxFutureMs: 60_000, retention: DEFAULT_CANDLE_RETENTION };

/**
 * CANDLE_CLOSE_DELAY_MS (default 2000), CANDLE_FINALITY_MS (default 60000, >= the close delay), CANDLE_MAX_FUTURE_MS
 * (default 60000), CANDLE_RETENTION
 * (optional overrides as `interval=bars` pairs, e.g. `1s=3600,1m=20160`). Read by the persister, the replay tool
 * and the api alike: bars computed live, rebuilt by a replay and judged closed by the api use the same rules.
 */
export function readCandleSettings(r: ConfigReader): CandleSettings {
  const closeDelayMs = r.int('CANDLE_CLOSE_DELAY_MS', { default: DEFAULT_CANDLE_SETTINGS.closeDelayMs, min: 0, max: 3_600_000 });
  const finalityMs = r.int('CANDLE_FINALITY_MS', { default: DEFAULT_CANDLE_SETTINGS.finalityMs, min: 0, max: 7 * 86_400_000 });
  if (finalityMs < closeDelayMs) r.problem('CANDLE_FINALITY_MS must be >= CANDLE_CLOSE_DELAY_MS');
  const maxFutureMs = r.int('CANDLE_MAX_FUTURE_MS', { default: DEFAULT_CANDLE_SETTINGS.maxFutureMs, min: 0, max: 86_400_000 });
  const retention: Record<CandleInterval, number> = { ...DEFAULT_CANDLE_RETENTION };
  for (const entry of r.list('CANDLE_RETENTION', { default: [] })) {
    const m = /^([0-9]+[smhd])=([1-9][0-9]{0,6})$/.exec(entry);
    if (!m || !isCandleInterval(m[1])) {
      r.problem(`CANDLE_RETENTION entry ${JSON.stringify(entry)} is not interval=bars with interval in ${CANDLE_INTERVAL_NAMES.join(', ')}`);
      continue;
    }
    retention[m[1]] = Number(m[2]);
  }
  if (retention['1m'] < STATS_MINUTE_BARS) r.problem(`CANDLE_RETENTION 1m must keep at least ${STATS_MINUTE_BARS} bars (the 24 h statistics read them)`);
  return { closeDelayMs, finalityMs, maxFutureMs, retention };
}
