import { MAX_TIME_US, MIN_TIME_US, isVenueId, usFromIso } from '@feed/price-types';
import { CANDLE_INTERVAL_NAMES, isCandleInterval, type CandleInterval } from '@feed/projections';
import { BadRequestError } from '../errors';
import type { Query } from './params';

/** Most bars one request may ask for; a longer range is a 400 that says how to split it. */
export const CANDLES_MAX = 1_000;
export const CANDLES_DEFAULT = 100;

function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new BadRequestError(`${name} must be given once, as a plain value`, name);
  return v;
}

/** `interval`: one of the served intervals; default 1m. */
export function parseInterval(q: Query): CandleInterval {
  const s = single(q, 'interval');
  if (s === undefined) return '1m';
  if (!isCandleInterval(s)) throw new BadRequestError(`interval must be one of ${CANDLE_INTERVAL_NAMES.join(', ')}`, 'interval');
  return s;
}

/** `venue`: optional, a known venue id; absent = the composite of every venue. */
export function parseVenue(q: Query): string | null {
  const s = single(q, 'venue');
  if (s === undefined) return null;
  if (!isVenueId(s)) throw new BadRequestError(`venue ${JSON.stringify(s.slice(0, 40))} is not a known venue (omit it for the composite)`, 'venue');
  return s;
}

/** A time: ISO-8601 UTC ("2026-11-29T08:02:13Z", "+00:00" accepted) or epoch milliseconds in plain digits. */
export function parseTime(q: Query, name: string): number | undefined {
  const s = single(q, name);
  if (s === undefined) return undefined;
  let us: number;
  if (/^\d{1,16}$/.test(s)) us = Number(s) * 1000;
  else {
    try {
      us = usFromIso(s, name);
    } catch {
      throw new BadRequestError(`${name} must be an ISO-8601 UTC time or epoch milliseconds`, name);
    }
  }
  if (us < MIN_TIME_US || us > MAX_TIME_US) throw new BadRequestError(`${name} is outside the supported time range`, name);
  return us;
}

function parseCount(q: Query): number | undefined {
  const s = single(q, 'limit');
  if (s === undefined) return undefined;
  if (!/^[1-9]\d{0,3}$/.test(s) || Number(s) > CANDLES_MAX) throw new BadRequestError(`limit must be an integer from 1 to ${CANDLES_MAX}`, 'limit');
  return Number(s);
}

/**
 * The bar range [fromSec, toSec) of a candle request, aligned to the interval: `from` rounds down to its bar, `to`
 * (exclusive) up. Without `to` the range ends after the bar holding `defaultToUs` (the series' event-time watermark,
 * or the wall clock when there is none); without `from` it holds `limit` bars (default 100). At most 1 000 bars.
 */
export function parseRange(q: Query, intervalSec: number, defaultToUs: number): { fromSec: number; toSec: number } {
  const fromUs = parseTime(q, 'from');
  const toUs = parseTime(q, 'to');
  const limit = parseCount(q);
  if (fromUs !== undefined && toUs !== undefined && limit !== undefined) throw new BadRequestError('give at most two of from, to and limit', 'limit');
  const down = (us: number) => Math.floor(us / 1e6 / intervalSec) * intervalSec;
  const up = (us: number) => Math.ceil(us / 1e6 / intervalSec) * intervalSec;
  const n = limit ?? CANDLES_DEFAULT;
  let fromSec: number;
  let toSec: number;
  if (fromUs !== undefined && toUs !== undefined) {
    fromSec = down(fromUs);
    toSec = up(toUs);
  } else if (fromUs !== undefined) {
    fromSec = down(fromUs);
    toSec = fromSec + n * intervalSec;
  } else {
    toSec = toUs !== undefined ? up(toUs) : down(defaultToUs) + intervalSec;
    fromSec = toSec - n * intervalSec;
  }
  if (toSec <= fromSec) throw new BadRequestError('from must be before to', 'from');
  const bars = (toSec - fromSec) / intervalSec;
  if (bars > CANDLES_MAX) throw new BadRequestError(`the range holds ${bars} bars; at most ${CANDLES_MAX} per request: narrow from/to or use a larger interval`, 'to');
  return { fromSec, toSec };
}
