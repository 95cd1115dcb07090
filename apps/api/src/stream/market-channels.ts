import { isoFromUs, isVenueId, nowUs as wallClockUs } from '@feed/price-types';
import { CANDLE_INTERVAL_NAMES, intervalSeconds, isCandleInterval, type CandleInterval } from '@feed/projections';
import type { CandleReader } from '../read/candles-store';
import { statsBody } from '../routes/candles';
import type { PolledChannel } from './polled-channels';

export interface MarketChannelDeps {
  reader: CandleReader;
  /** The MD stream sequence the api has read up to: every pushed item carries a sequence (decision 11). */
  lastSeq: () => number;
  /** A series whose watermark is older than this (wall clock) is pushed with stale: true. */
  staleAfterMs: number;
  nowUs?: () => number;
}

function venueParam(venue: string | undefined): string | null | { error: string } {
  if (venue === undefined) return null;
  return isVenueId(venue) ? venue : { error: `venue ${venue} is not a known venue (omit it for the composite)` };
}

/** Item envelope of a polled market item: sequence, source, staleness and event-time `asOf` (decision 11). */
function envelope(d: MarketChannelDeps, watermarkUs: number | null, source: string) {
  const now = (d.nowUs ?? wallClockUs)();
  return { seq: d.lastSeq(), source, stale: watermarkUs === null || now - watermarkUs > d.staleAfterMs * 1000 };
}

/**
 * `candles`: the bar holding the series' watermark and the one before it (so a client sees the previous bar close
 * and any revision of it), re-sent when they change. Subscribe with symbol, interval and optionally venue.
 */
export function candleChannel(d: MarketChannelDeps): PolledChannel {
  return {
    name: 'candles',
    frameType: 'candles',
    topic(symbol, venue, interval) {
      const v = venueParam(venue);
      if (v !== null && typeof v === 'object') return v;
      if (!isCandleInterval(interval)) return { error: `interval must be one of ${CANDLE_INTERVAL_NAMES.join(', ')}` };
      return { key: `${symbol}|${v ?? ''}|${interval}`, echo: { symbol, venue: v, interval } };
    },
    async read(topics) {
      const out = new Map<string, Array<{ id: string; json: string }>>();
      await Promise.all(
        topics.map(async (key) => {
          const [symbol = '', v = '', iv = '1m'] = key.split('|');
          const venue = v === '' ? null : v;
          const interval = iv as CandleInterval;
          const sec = intervalSeconds(interval);
          const [wm, source] = await Promise.all([d.reader.watermark(symbol, venue), d.reader.source(symbol, venue)]);
          if (wm === null) {
            out.set(key, []);
            return;
          }
          const toSec = Math.floor(wm / 1e6 / sec) * sec + sec;
          const s = await d.reader.series(symbol, venue, interval, toSec - 2 * sec, toSec, wm);
          const env = envelope(d, wm, source);
          const asOf = isoFromUs(wm);
          out.set(
            key,
            s.candles.map((c) => ({ id: c.start, json: JSON.stringify({ ...env, asOf, channel: 'candles', symbol, venue, interval, ...c }) })),
          );
        }),
      );
      return out;
    },
  };
}

/** `stats`: rolling 24 h statistics of a symbol (composite, or one venue), re-sent when they change. */
export function statsChannel(d: MarketChannelDeps): PolledChannel {
  return {
    name: 'stats',
    frameType: 'stats',
    topic(symbol, venue, interval) {
      const v = venueParam(venue);
      if (v !== null && typeof v === 'object') return v;
      if (interval !== undefined) return { error: 'the stats channel takes no interval' };
      return { key: `${symbol}|${v ?? ''}`, echo: { symbol, venue: v } };
    },
    async read(topics) {
      const out = new Map<string, Array<{ id: string; json: string }>>();
      await Promise.all(
        topics.map(async (key) => {
          const [symbol = '', v = ''] = key.split('|');
          const venue = v === '' ? null : v;
          const [snap, source] = await Promise.all([d.reader.stats(symbol, venue), d.reader.source(symbol, venue)]);
          if (snap.watermarkUs === null) {
            out.set(key, []);
            return;
          }
          out.set(key, [{ id: 'stats', json: JSON.stringify({ ...envelope(d, snap.watermarkUs, source), channel: 'stats', ...statsBody(snap) }) }]);
        }),
      );
      return out;
    },
  };
}
