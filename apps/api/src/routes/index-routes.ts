import { STATS_WINDOW_S, type IndexValueV1 } from '@feed/projections';
import { isoFromUs, nowUs as wallClockUs } from '@feed/price-types';
import type { Request, Response } from 'express';
import type { IndexReader } from '../read/index-store';
import { statsFromMinutes } from '../read/index-stats';
import { INDEX_RANGE_MAX_S, parseIndexRange } from './index-params';
import { parseSymbol } from './params';

export interface IndexRouteDeps {
  reader: IndexReader;
  /** Index symbols this deployment computes (INDEX_CONSTITUENTS); others are 404 unknown_symbol. */
  symbols: ReadonlySet<string>;
  /** The newest value is `stale` when its grid second is older than this (PRICE_STALE_AFTER_MS). */
  staleAfterMs: number;
  nowUs?: () => number;
}

/** An index value as the API shows it: the stored value plus its instant and venue times in ISO-8601 UTC. */
export function indexView(v: IndexValueV1) {
  return {
    ...v,
    asOf: isoFromUs(v.t * 1e6),
    constituents: v.constituents.map((c) => ({ ...c, venueTime: c.venueTimeUs === null ? null : isoFromUs(c.venueTimeUs) })),
  };
}

/** GET /v1/index and /v1/index/history. Validation errors are thrown and answered by the app's error handler. */
export function indexRoutes(d: IndexRouteDeps) {
  const now = d.nowUs ?? wallClockUs;
  return {
    /** GET /v1/index?symbol= : the newest value with its constituents, `stale` judged against the wall clock. */
    latest: async (req: Request, res: Response): Promise<void> => {
      const symbol = parseSymbol(req.query, d.symbols);
      const v = await d.reader.latest(symbol);
      if (!v) {
        res.set('cache-control', 'no-store').json({ symbol, price: null, asOf: null, stale: true, degraded: true, included: 0, constituents: [] });
        return;
      }
      const stale = v.price === null || now() - v.t * 1e6 > d.staleAfterMs * 1000;
      res.set('cache-control', 'no-store').json({ ...indexView(v), stale });
    },
    /**
     * GET /v1/index/stats?symbol= : rolling 24 h open/high/low/last/change of the index, from the minute bars of the
     * last 24 h before the watermark (minute granularity: the window starts at a whole minute).
     */
    stats: async (req: Request, res: Response): Promise<void> => {
      const symbol = parseSymbol(req.query, d.symbols);
      const w = await d.reader.watermark(symbol);
      const bars = w === undefined ? [] : await d.reader.minutes(symbol, w - STATS_WINDOW_S - 59, w);
      const st = statsFromMinutes(bars);
      const first = bars[0];
      if (w === undefined || !st || !first) {
        res.set('cache-control', 'no-store').json({ symbol, window: null, asOf: null, stale: true, open: null, high: null, low: null, last: null, change: null, changePct: null, seconds: 0 });
        return;
      }
      const stale = now() - w * 1e6 > d.staleAfterMs * 1000;
      res.set('cache-control', 'no-store').json({ symbol, window: { from: isoFromUs(first.m * 1e6), to: isoFromUs(w * 1e6) }, asOf: isoFromUs(w * 1e6), stale, ...st });
    },
    /** GET /v1/index/history?symbol=&from=&to= : one value per grid second that has one, oldest first. */
    history: async (req: Request, res: Response): Promise<void> => {
      const symbol = parseSymbol(req.query, d.symbols);
      const { from, to } = parseIndexRange(req.query, Math.floor(now() / 1e6));
      const values = await d.reader.range(symbol, from, to, INDEX_RANGE_MAX_S + 1);
      res.set('cache-control', 'no-store').json({ symbol, from: isoFromUs(from * 1e6), to: isoFromUs(to * 1e6), values: values.map(indexView) });
    },
  };
}
