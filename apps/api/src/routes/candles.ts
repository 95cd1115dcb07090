import { isoFromUs, nowUs as wallClockUs } from '@feed/price-types';
import { intervalSeconds } from '@feed/projections';
import type { Request, Response } from 'express';
import type { CandleReader, CandleSeries, StatsSnapshot } from '../read/candles-store';
import { parseInterval, parseRange, parseVenue } from './candle-params';
import { parseSymbol } from './params';

export interface CandleRouteDeps {
  reader: CandleReader;
  symbols: ReadonlySet<string>;
  nowUs?: () => number;
}

/** Response body of GET /v1/candles (and the items of the WebSocket `candles` channel, one bar each). */
export function candlesBody(s: CandleSeries, closeDelayMs: number, finalityMs: number) {
  return {
    symbol: s.symbol,
    venue: s.venue,
    interval: s.interval,
    asOf: s.watermarkUs === null ? null : isoFromUs(s.watermarkUs),
    closeDelayMs,
    finalityMs,
    candles: s.candles,
  };
}

export function statsBody(s: StatsSnapshot) {
  return { symbol: s.symbol, venue: s.venue, asOf: s.watermarkUs === null ? null : isoFromUs(s.watermarkUs), ...(s.stats ?? { open: null, high: null, low: null, last: null, volume: '0', vwap: null, trades: 0, change: null, changePct: null }) };
}

/** REST candle and statistics handlers; validation errors are thrown and answered by the app's error handler. */
export function candleRoutes(d: CandleRouteDeps) {
  const now = d.nowUs ?? wallClockUs;
  return {
    /** GET /v1/candles?symbol=&venue=&interval=&from=&to=&limit= (composite without venue). */
    candles: async (req: Request, res: Response): Promise<void> => {
      const symbol = parseSymbol(req.query, d.symbols);
      const venue = parseVenue(req.query);
      const interval = parseInterval(req.query);
      const iv = intervalSeconds(interval);
      // validate everything before touching Redis; the default end needs the watermark only when `to` is absent
      parseRange(req.query, iv, 0);
      const wm = req.query['to'] === undefined || req.query['from'] === undefined ? await d.reader.watermark(symbol, venue) : undefined;
      const { fromSec, toSec } = parseRange(req.query, iv, wm ?? now());
      const s = await d.reader.series(symbol, venue, interval, fromSec, toSec, wm);
      res.set('cache-control', 'no-store').json(candlesBody(s, d.reader.settings.closeDelayMs, d.reader.settings.finalityMs));
    },
    /** GET /v1/stats?symbol=&venue= : rolling 24 h statistics (composite without venue). */
    stats: async (req: Request, res: Response): Promise<void> => {
      const symbol = parseSymbol(req.query, d.symbols);
      const venue = parseVenue(req.query);
      res.set('cache-control', 'no-store').json(statsBody(await d.reader.stats(symbol, venue)));
    },
  };
}
