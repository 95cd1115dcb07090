import type { ConfigReader } from '@feed/config';
import { isSymbol, isVenueId, type VenueId } from '@feed/price-types';

/**
 * Settings of the composite index (docs/index-methodology.md). Read once by every applier of the log (persister,
 * replay tool): the index is a pure function of the log AND of these settings, so a replay with other settings
 * rebuilds other values. Each stored value records the gate parameters it was computed with.
 */
export interface IndexSettings {
  enabled: boolean;
  /** Index symbol -> the venues whose stream of the SAME symbol feed it (no implicit USD/USDT conversion). */
  indices: ReadonlyArray<{ symbol: string; venues: readonly VenueId[] }>;
  /** A constituent whose newest input is older than this (event time, at the grid second) is excluded: `stale`. */
  staleMs: number;
  /** How far back a grid second looks for inputs (>= staleMs); older constituents show as `no_data`. */
  lookbackMs: number;
  /** A constituent farther than this from the median of the fresh ones (basis points of it) is excluded. */
  maxDeviationBps: number;
  /** Fewer included constituents than this: the value is still published, flagged `degraded`. */
  minConstituents: number;
  /** Grid seconds of history kept behind the watermark (and inputs for history + lookback). */
  historySeconds: number;
  /** The watermark trails the heartbeats' receive time by this much, so inputs in flight are seldom late. */
  watermarkDelayMs: number;
  /** Inputs whose venue time is more than this ahead of their own receive time are refused (`future`). */
  maxAheadMs: number;
}

export const DEFAULT_INDEX_CONSTITUENTS = 'BTC-USD=coinbase,kraken,bitstamp;BTC-USDT=binance,okx,bybit';

/**
 * `INDEX_CONSTITUENTS`: `SYMBOL=venue,venue;SYMBOL=venue,...`. Returns the parsed list and the problems found
 * (empty when valid), so the config reader can report every problem at once.
 */
export function parseIndexConstituents(text: string): { indices: IndexSettings['indices']; problems: string[] } {
  const problems: string[] = [];
  const indices: Array<{ symbol: string; venues: VenueId[] }> = [];
  for (const part of text.split(';').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const symbol = eq === -1 ? part : part.slice(0, eq).trim();
    if (eq === -1 || !isSymbol(symbol)) {
      problems.push(`INDEX_CONSTITUENTS entry ${JSON.stringify(part)} is not SYMBOL=venue,venue (e.g. BTC-USD=coinbase,kraken)`);
      continue;
    }
    if (indices.some((i) => i.symbol === symbol)) problems.push(`INDEX_CONSTITUENTS names ${symbol} twice`);
    const venues = part.slice(eq + 1).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const bad = venues.filter((v) => !isVenueId(v));
    if (bad.length > 0) problems.push(`INDEX_CONSTITUENTS ${symbol}: unknown venue(s) ${bad.join(', ')}`);
    if (venues.length === 0) problems.push(`INDEX_CONSTITUENTS ${symbol}: no venue`);
    if (new Set(venues).size !== venues.length) problems.push(`INDEX_CONSTITUENTS ${symbol}: a venue is listed twice`);
    indices.push({ symbol, venues: venues.filter(isVenueId) });
  }
  return { indices, problems };
}

export function readIndexSettings(r: ConfigReader): IndexSettings {
  const enabled = r.bool('INDEX_ENABLED', { default: true });
  const { indices, problems } = parseIndexConstituents(r.string('INDEX_CONSTITUENTS', { default: DEFAULT_INDEX_CONSTITUENTS }));
  for (const p of problems) r.problem(p);
  const s: IndexSettings = {
    enabled,
    indices,
    staleMs: r.int('INDEX_STALE_MS', { default: 10_000, min: 1, max: 3_600_000 }),
    lookbackMs: r.int('INDEX_LOOKBACK_MS', { default: 60_000, min: 1_000, max: 3_600_000 }),
    maxDeviationBps: r.int('INDEX_MAX_DEVIATION_BPS', { default: 500, min: 1, max: 10_000 }),
    minConstituents: r.int('INDEX_MIN_CONSTITUENTS', { default: 2, min: 1, max: 6 }),
    historySeconds: r.int('INDEX_HISTORY_S', { default: 3_600, min: 60, max: 7 * 86_400 }),
    watermarkDelayMs: r.int('INDEX_WATERMARK_DELAY_MS', { default: 1_000, min: 0, max: 60_000 }),
    maxAheadMs: r.int('INDEX_MAX_AHEAD_MS', { default: 5_000, min: 0, max: 3_600_000 }),
  };
  if (s.lookbackMs < s.staleMs) r.problem('INDEX_LOOKBACK_MS must be >= INDEX_STALE_MS');
  if (enabled && indices.length === 0) r.problem('INDEX_CONSTITUENTS names no index (set INDEX_ENABLED=false to turn the index off)');
  return s;
}

/** Lookback in whole grid seconds: a grid second T reads input buckets [T - lookbackSeconds, T]. */
export function lookbackSeconds(s: Pick<IndexSettings, 'lookbackMs'>): number {
  return Math.ceil(s.lookbackMs / 1000);
}
