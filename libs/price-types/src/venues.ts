import { ValidationError } from './errors';

/** Venue ids as they appear in events, subjects and Redis keys. Lower-case, stable. */
export const VENUES = ['binance', 'coinbase', 'kraken', 'bitstamp', 'okx', 'bybit'] as const;
export type VenueId = (typeof VENUES)[number];

const VENUE_SET: ReadonlySet<string> = new Set(VENUES);

export function isVenueId(v: unknown): v is VenueId {
  return typeof v === 'string' && VENUE_SET.has(v);
}

export function assertVenueId(v: unknown, field = 'venue'): VenueId {
  if (!isVenueId(v)) throw new ValidationError('bad_venue', field, `unknown venue ${JSON.stringify(v)}`);
  return v;
}

/** Where an event came from (decision 7): a real venue, or the built-in venue simulator. */
export const SOURCES = ['live', 'simulated'] as const;
export type Source = (typeof SOURCES)[number];

export function isSource(v: unknown): v is Source {
  return v === 'live' || v === 'simulated';
}
