import { isoFromUs, nowUs as wallClockUs } from '@feed/price-types';
import type { Request, Response } from 'express';
import { summarizeCompleteness } from '../read/completeness';
import { tradeView } from '../read/format';
import { latestPrices, summarizeStatus, venuePrice } from '../read/staleness';
import type { ProjectionReader } from '../read/store';
import { parseLimit, parseSymbol } from './params';

export interface MarketRouteDeps {
  reader: ProjectionReader;
  symbols: ReadonlySet<string>;
  priceStaleAfterMs: number;
  /** Wall clock in epoch µs (injected so staleness is testable). */
  nowUs?: () => number;
}

/** REST market-data handlers. Validation errors are thrown and answered by the app's error handler. */
export function marketRoutes(d: MarketRouteDeps) {
  const now = d.nowUs ?? wallClockUs;
  const staleAfterUs = d.priceStaleAfterMs * 1000;
  return {
    /** GET /v1/prices/latest?symbol= */
    latest: async (req: Request, res: Response): Promise<void> => {
      const symbol = parseSymbol(req.query, d.symbols);
      const snaps = await d.reader.latest(symbol);
      const t = now();
      const venues = snaps.map((s) => venuePrice(s.trade, summarizeStatus(s.statuses, t, staleAfterUs), t, staleAfterUs, s.quote));
      res.set('cache-control', 'no-store').json(latestPrices(symbol, venues));
    },
    /**
     * GET /v1/venues: every stream (venue, symbol, channel) with BOTH states: its connection state (the best across
     * ingest instances heard from recently, with staleness) and its completeness (complete, repairing, gap, or
     * untracked, with gap counts), the venue time of its newest event, and each ingest's own view.
     */
    venues: async (_req: Request, res: Response): Promise<void> => {
      const t = now();
      const streams = (await d.reader.streams([...d.symbols])).map((s) => {
        const summary = summarizeStatus(s.records, t, staleAfterUs);
        const lastFrameUs = s.records.reduce<number | null>((m, r) => (r.lastFrameUs !== null && (m === null || r.lastFrameUs > m) ? r.lastFrameUs : m), null);
        return {
          venue: s.venue,
          symbol: s.symbol,
          channel: s.channel,
          state: summary.state,
          stale: summary.state !== 'live' || summary.freshestUs === null || t - summary.freshestUs > staleAfterUs,
          lastEventTime: s.latestVenueTimeUs === null ? null : isoFromUs(s.latestVenueTimeUs),
          lastFrameTime: lastFrameUs === null ? null : isoFromUs(lastFrameUs),
          completeness: summarizeCompleteness(s.venue, s.channel, s.gapRecords),
          ingests: s.records.map((r) => ({ ingestId: r.ingestId, state: r.state, heardAt: isoFromUs(r.recvTimeUs), lastFrameTime: r.lastFrameUs === null ? null : isoFromUs(r.lastFrameUs), frames: r.frames })),
        };
      });
      res.set('cache-control', 'no-store').json({ asOf: isoFromUs(t), streams });
    },
    /** GET /v1/trades?symbol=&limit= : newest first. */
    trades: async (req: Request, res: Response): Promise<void> => {
      const symbol = parseSymbol(req.query, d.symbols);
      const limit = parseLimit(req.query);
      const trades = await d.reader.recentTrades(symbol, limit);
      res.set('cache-control', 'no-store').json({ symbol, trades: trades.map(tradeView) });
    },
  };
}
