import type { Keys } from '@feed/keys';
import { VENUES } from '@feed/price-types';
import {
  COMPOSITE_VENUE,
  assembleSeries,
  intervalSeconds,
  parseBar,
  rolling24h,
  statsWindow,
  type CandleInterval,
  type CandleSettings,
  type CandleView,
  type RollingStats,
  type StoredBar,
} from '@feed/projections';
import type { Redis } from 'ioredis';
import { command, execPipeline, readWithFallback, routingOf } from './redis-read';
import type { ReadRouting } from './read-switch';

export interface CandleSeries {
  symbol: string;
  /** null = the composite of every venue of the symbol. */
  venue: string | null;
  interval: CandleInterval;
  /** Event-time watermark of the series (max heartbeat receive time of its streams), epoch µs; null = none yet. */
  watermarkUs: number | null;
  candles: CandleView[];
}

export interface StatsSnapshot {
  symbol: string;
  venue: string | null;
  watermarkUs: number | null;
  /** null when no heartbeat has been seen yet (no event time to judge the window against). */
  stats: RollingStats | null;
}

/**
 * Reads candles and 24 h statistics, both pure functions of projected state (bars, series indexes and the status
 * hashes the watermark comes from): a replayed Redis serves the same answers. Two round trips per series: the
 * index range plus the previous bar and the watermark, then the bars themselves.
 */
export class CandleReader {
  private readonly routing: ReadRouting;

  /** `source`: one Redis, or the read switch; every public read is one readWithFallback (redis-read.ts). */
  constructor(
    source: Redis | ReadRouting,
    private readonly keys: Keys,
    readonly settings: CandleSettings,
  ) {
    this.routing = routingOf(source);
  }

  /** Max `<ingest>:t` (status receive time) over the trade and quote streams of the venue, or of every venue. */
  watermark(symbol: string, venue: string | null): Promise<number | null> {
    return readWithFallback(this.routing, (r) => this.watermarkOn(r, symbol, venue));
  }

  private async watermarkOn(r: Redis, symbol: string, venue: string | null): Promise<number | null> {
    const p = r.pipeline();
    this.queueWatermark(p, symbol, venue);
    return watermarkOf(await execPipeline(p));
  }

  /**
   * `simulated` when the newest trade of the venue (or of any venue, for the composite) came from the simulator,
   * else `live` (decision 7: simulated data is labelled as such wherever it is shown).
   */
  async source(symbol: string, venue: string | null): Promise<'live' | 'simulated'> {
    const res = await readWithFallback(this.routing, (r) => {
      const p = r.pipeline();
      for (const v of venue === null ? VENUES : [venue]) p.hget(this.keys.latestTrade(symbol, v), 'v');
      return execPipeline(p);
    });
    return res.some((j) => typeof j === 'string' && j.includes('"source":"simulated"')) ? 'simulated' : 'live';
  }

  /** Bars with start in [fromSec, toSec) (aligned to the interval by the caller), empty bars filled in. */
  series(symbol: string, venue: string | null, interval: CandleInterval, fromSec: number, toSec: number, knownWatermarkUs?: number | null): Promise<CandleSeries> {
    return readWithFallback(this.routing, (r) => this.seriesOn(r, symbol, venue, interval, fromSec, toSec, knownWatermarkUs));
  }

  private async seriesOn(r: Redis, symbol: string, venue: string | null, interval: CandleInterval, fromSec: number, toSec: number, knownWatermarkUs?: number | null): Promise<CandleSeries> {
    const scope = venue ?? COMPOSITE_VENUE;
    const idx = this.keys.candleIndex(symbol, scope, interval);
    const p = r.pipeline();
    p.zrangebyscore(idx, fromSec, `(${toSec}`);
    p.zrevrangebyscore(idx, `(${fromSec}`, '-inf', 'LIMIT', 0, 8);
    if (knownWatermarkUs === undefined) this.queueWatermark(p, symbol, venue);
    const res = await execPipeline(p);
    const starts = (res[0] as string[]).map(Number);
    const before = (res[1] as string[]).map(Number);
    const watermarkUs = knownWatermarkUs === undefined ? watermarkOf(res.slice(2)) : knownWatermarkUs;
    const bars = await this.readBars(r, symbol, scope, interval, [...starts, ...before]);
    const inRange = bars.filter((b) => b.start >= fromSec);
    // the level of leading empty bars: the newest earlier bar with trades (up to 8 back: bars holding only late
    // trades are rare; beyond that the leading slots are left out rather than guessed)
    const prev = bars.filter((b) => b.start < fromSec && b.trades > 0).sort((a, b) => b.start - a.start)[0];
    const candles = assembleSeries({ intervalSec: intervalSeconds(interval), fromSec, toSec, bars: inRange, prevClose: prev?.close ?? null, watermarkUs, settings: this.settings });
    return { symbol, venue, interval, watermarkUs, candles };
  }

  /** Rolling 24 h statistics from the 1m bars against the watermark (RollingStats documents the rules). */
  stats(symbol: string, venue: string | null): Promise<StatsSnapshot> {
    return readWithFallback(this.routing, (r) => this.statsOn(r, symbol, venue));
  }

  private async statsOn(r: Redis, symbol: string, venue: string | null): Promise<StatsSnapshot> {
    const watermarkUs = await this.watermarkOn(r, symbol, venue);
    if (watermarkUs === null) return { symbol, venue, watermarkUs, stats: null };
    const { fromSec, toSec } = statsWindow(watermarkUs);
    const scope = venue ?? COMPOSITE_VENUE;
    const starts = await command(r.zrangebyscore(this.keys.candleIndex(symbol, scope, '1m'), fromSec, `(${toSec}`));
    const bars = await this.readBars(r, symbol, scope, '1m', starts.map(Number));
    return { symbol, venue, watermarkUs, stats: rolling24h(bars, watermarkUs) };
  }

  private async readBars(r: Redis, symbol: string, scope: string, interval: CandleInterval, starts: number[]): Promise<StoredBar[]> {
    if (starts.length === 0) return [];
    const p = r.pipeline();
    for (const s of starts) p.hgetall(this.keys.candleBar(symbol, scope, interval, s));
    const res = await execPipeline(p);
    const out: StoredBar[] = [];
    starts.forEach((s, i) => {
      const b = parseBar(s, res[i] as Record<string, string>);
      if (b) out.push(b);
    });
    return out;
  }

  private queueWatermark(p: ReturnType<Redis['pipeline']>, symbol: string, venue: string | null): void {
    for (const v of venue === null ? VENUES : [venue]) {
      p.hgetall(this.keys.status(symbol, v, 'trade'));
      p.hgetall(this.keys.status(symbol, v, 'quote'));
    }
  }
}

/** Status hashes -> the greatest receive time among their `<ingest>:t` fields. */
function watermarkOf(hashes: unknown[]): number | null {
  let max: number | null = null;
  for (const h of hashes) {
    for (const [field, value] of Object.entries((h ?? {}) as Record<string, string>)) {
      if (!field.endsWith(':t')) continue;
      const t = Number(value);
      if (Number.isSafeInteger(t) && (max === null || t > max)) max = t;
    }
  }
  return max;
}
