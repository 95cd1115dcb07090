import { isoFromUs, type ConnectionState, type QuoteV1, type TradeV1 } from '@feed/price-types';

export type VenueState = ConnectionState | 'unknown';

/** One ingest instance's latest word on a stream, as the persister keeps it in the status hash. */
export interface IngestStatus {
  state: ConnectionState;
  /** Receive time of that status event (our clock). */
  recvTimeUs: number;
}

export interface StatusSummary {
  state: VenueState;
  /** Freshest status event across ingest instances, or null when there is none. */
  freshestUs: number | null;
  /** Freshest status event that said `live`, among those that count (see summarizeStatus). */
  liveUs: number | null;
}

const RANK: Record<ConnectionState, number> = { live: 0, stale: 1, reconnecting: 2, down: 3 };
const STATES = new Set<string>(Object.keys(RANK));

/**
 * Reads the status hash `{<ingestId>: StreamStatusV1 JSON, <ingestId>:t: recvTimeUs}`. Values that are not a
 * status object (the `:t` companions, anything corrupt) are skipped: an ingest id may itself contain ':', so
 * the JSON value, not the field name, says what a field is. The JSON's own recvTimeUs equals the `:t` field.
 */
export function parseStatusHash(hash: Readonly<Record<string, string>>): IngestStatus[] {
  const out: IngestStatus[] = [];
  for (const v of Object.values(hash)) {
    if (!v.startsWith('{')) continue;
    try {
      const o = JSON.parse(v) as { state?: unknown; recvTimeUs?: unknown };
      if (typeof o.state === 'string' && STATES.has(o.state) && typeof o.recvTimeUs === 'number' && Number.isFinite(o.recvTimeUs)) {
        out.push({ state: o.state as ConnectionState, recvTimeUs: o.recvTimeUs });
      }
    } catch {
      // a corrupt entry says nothing about the stream
    }
  }
  return out;
}

/**
 * The best connection state across ingest instances (live > stale > reconnecting > down; none -> unknown).
 * Only instances heard from within `staleAfterUs` count when there are any: an ingest that died while live
 * leaves a "live" record behind, and it must not outvote the instance that is watching the stream now.
 */
export function summarizeStatus(statuses: readonly IngestStatus[], nowUs: number, staleAfterUs: number): StatusSummary {
  if (statuses.length === 0) return { state: 'unknown', freshestUs: null, liveUs: null };
  const recent = statuses.filter((s) => nowUs - s.recvTimeUs <= staleAfterUs);
  const pool = recent.length > 0 ? recent : statuses;
  let best = pool[0] as IngestStatus;
  let freshestUs = -Infinity;
  let liveUs: number | null = null;
  for (const s of pool) {
    if (RANK[s.state] < RANK[best.state]) best = s;
    if (s.state === 'live' && (liveUs === null || s.recvTimeUs > liveUs)) liveUs = s.recvTimeUs;
  }
  for (const s of statuses) freshestUs = Math.max(freshestUs, s.recvTimeUs);
  return { state: best.state, freshestUs, liveUs };
}

export interface VenuePrice {
  venue: string;
  price: string;
  size: string;
  side: string;
  tradeId: string;
  venueTime: string;
  recvTime: string;
  asOf: string;
  stale: boolean;
  state: VenueState;
  source: string;
  /** Latest best bid/ask (null when the venue's quote channel is not ingested). */
  quote: QuoteView | null;
}

export interface QuoteView {
  bidPrice: string;
  bidSize: string;
  askPrice: string;
  askSize: string;
  venueTime: string;
}

export function quoteView(q: QuoteV1 | undefined): QuoteView | null {
  if (!q) return null;
  return { bidPrice: q.bidPrice, bidSize: q.bidSize, askPrice: q.askPrice, askSize: q.askSize, venueTime: isoFromUs(q.venueTimeUs) };
}

/**
 * One venue's latest price with its data-quality verdict (hard rule 8: stale is never silent):
 *  - stale when the state is not `live`, or the freshest status is older than `staleAfterUs` by wall clock, or,
 *    with no status at all, the trade was received longer ago than that;
 *  - asOf = until when the price is known to be current: the newer of the trade's venue time and the last
 *    `live` heartbeat (a live stream with no newer trade means the price still stands).
 */
export function venuePrice(trade: TradeV1, status: StatusSummary, nowUs: number, staleAfterUs: number, quote?: QuoteV1): VenuePrice {
  const stale =
    status.freshestUs === null ? nowUs - trade.recvTimeUs > staleAfterUs : status.state !== 'live' || nowUs - status.freshestUs > staleAfterUs;
  const asOfUs = Math.max(trade.venueTimeUs, status.liveUs ?? 0);
  return {
    venue: trade.venue,
    price: trade.price,
    size: trade.size,
    side: trade.side,
    tradeId: trade.tradeId,
    venueTime: isoFromUs(trade.venueTimeUs),
    recvTime: isoFromUs(trade.recvTimeUs),
    asOf: isoFromUs(asOfUs),
    stale,
    state: status.state,
    source: trade.source,
    quote: quoteView(quote),
  };
}

export interface LatestPrices {
  symbol: string;
  asOf: string | null;
  stale: boolean;
  venues: VenuePrice[];
}

/** Top level: asOf = the newest venue asOf; stale only when every venue is (or there is none). */
export function latestPrices(symbol: string, venues: VenuePrice[]): LatestPrices {
  let asOf: string | null = null;
  // ISO strings of one fixed format compare like the times they spell.
  for (const v of venues) if (asOf === null || v.asOf > asOf) asOf = v.asOf;
  return { symbol, asOf, stale: venues.every((v) => v.stale), venues };
}
