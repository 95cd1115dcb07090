import type { Source, Symbol, TradeV1, VenueId } from '@feed/price-types';

/**
 * A venue's public REST recent-trades endpoint, used to repair declared gaps. Repaired trades carry the SAME ids
 * as the venue's WebSocket trades, so they pass the same dedupe everywhere (a repaired trade that another replica
 * delivered too is not a duplicate anywhere). One file per venue that has detectable gaps; registered in index.ts.
 */
export interface RestTradesVenue {
  venue: VenueId;
  /** The endpoint's documentation. */
  doc: string;
  /** The venue's public REST base URL (used for live streams only; simulated streams need `<VENUE>_REST_URL`). */
  defaultBaseUrl: string;
  /** The request for the most recent trades of `symbol`, as many as the endpoint gives. */
  url(baseUrl: string, symbol: Symbol): string;
  /** The response body -> validated trades (ValidationError on a malformed answer). */
  parse(text: string, symbol: Symbol, recvTimeUs: number, source: Source): TradeV1[];
}

export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}
