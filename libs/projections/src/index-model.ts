import type { MarketEventV1 } from '@feed/price-types';
import { computeIndexValue, minuteBars, type IndexMinuteV1, type IndexValueV1 } from './index-compute';
import { indexEffects } from './index-projection';
import { lookbackSeconds, type IndexSettings } from './index-settings';

export interface ModelIndexState {
  /** Newest grid second reached, or undefined when no constituent heartbeat was seen. */
  watermark: number | undefined;
  /** Values in grid order, exactly what the script's history holds at the end. */
  history: IndexValueV1[];
  /** Minute bars of the retained history (older bars, final before the events' end, are not modelled). */
  minutes: IndexMinuteV1[];
}

/** The 24 h statistics window: minute bars are kept while they overlap it. */
export const STATS_WINDOW_S = 86_400;

/** First retained grid second for watermark w: W - H rounded down to a whole minute. */
export function retainedFrom(w: number, historySeconds: number): number {
  const x = w - historySeconds;
  return x - (((x % 60) + 60) % 60);
}

/**
 * The index's final state as a function of a SET of events (order and repetition do not matter), computed in
 * memory without Redis: what tests compare the projection with (Lua vs this model), and what an end-to-end test
 * computes from the events it reads back off the MD log.
 */
export function modelIndexState(events: Iterable<MarketEventV1>, s: IndexSettings): Map<string, ModelIndexState> {
  const lb = lookbackSeconds(s);
  const wm = new Map<string, number>();
  /** symbol -> `venue|kind` -> bucket -> max member */
  const regs = new Map<string, Map<string, Map<number, string>>>();
  for (const ev of events) {
    for (const e of indexEffects(ev, s)) {
      if (e.kind === 'watermark') wm.set(e.symbol, Math.max(wm.get(e.symbol) ?? -Infinity, e.second));
      else if (e.kind === 'input') {
        let bySym = regs.get(e.symbol);
        if (!bySym) regs.set(e.symbol, (bySym = new Map()));
        const k = `${e.venue}|${e.input}`;
        let byBucket = bySym.get(k);
        if (!byBucket) bySym.set(k, (byBucket = new Map()));
        const cur = byBucket.get(e.bucket);
        if (cur === undefined || cur < e.member) byBucket.set(e.bucket, e.member);
      }
    }
  }
  const out = new Map<string, ModelIndexState>();
  for (const idx of s.indices) {
    const w = wm.get(idx.symbol);
    const bySym = regs.get(idx.symbol) ?? new Map<string, Map<number, string>>();
    const history: IndexValueV1[] = [];
    if (w !== undefined) {
      const newest = (t: number) => (venue: string, kind: 'q' | 't'): string | undefined => {
        const byBucket = bySym.get(`${venue}|${kind}`);
        if (!byBucket) return undefined;
        for (let b = t; b >= t - lb; b--) {
          const m = byBucket.get(b);
          if (m !== undefined) return m;
        }
        return undefined;
      };
      const buckets = new Set<number>();
      for (const byBucket of bySym.values()) for (const b of byBucket.keys()) buckets.add(b);
      for (let t = retainedFrom(w, s.historySeconds); t <= w; t++) {
        let any = false;
        for (let b = t - lb; b <= t && !any; b++) any = buckets.has(b);
        if (any) history.push(computeIndexValue(idx.symbol, t, idx.venues, newest(t), s));
      }
    }
    const minutes = w === undefined ? [] : minuteBars(history).filter((b) => b.m > w - STATS_WINDOW_S - 60);
    out.set(idx.symbol, { watermark: w, history, minutes });
  }
  return out;
}
