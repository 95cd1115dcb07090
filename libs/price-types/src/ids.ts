import { createHash } from 'node:crypto';
import { ValidationError } from './errors';
import type { Symbol } from './symbols';
import type { VenueId } from './venues';

/**
 * Event ids (decision 1 of the brief): `<type>:<venue>:<symbol>:<venue id>`.
 * The id is the JetStream `Nats-Msg-Id` and the persister's dedupe key, so it must be a pure function of what
 * the venue said, identical on every ingest replica and on every resend.
 *   - trade: the venue's trade id, kept as an opaque string (Binance ids are integers that may pass 2^53;
 *     Bybit's are not numeric at all).
 *   - quote: the venue's update id when it gives one; otherwise `<venueTimeUs>:<hash of bid, ask and sizes>`.
 *   - status / gap: built by the producer from stable parts (see the event catalog).
 */
export type EventType = 'trade' | 'quote' | 'status' | 'gap';

/** Venue ids are opaque tokens; refuse anything that could smuggle separators, whitespace or huge strings. */
const VENUE_ID_RE = /^[A-Za-z0-9_.:-]{1,80}$/;

export function assertVenueEventId(v: unknown, field: string): string {
  if (typeof v === 'number') {
    // A JSON number id is only acceptable if it is an exact integer; bigger ones must be read from the text.
    if (!Number.isSafeInteger(v) || v < 0) throw new ValidationError('bad_id', field, `numeric id ${v} is not a safe non-negative integer`);
    return String(v);
  }
  if (typeof v !== 'string') throw new ValidationError('wrong_type', field, 'id must be a string or integer');
  if (!VENUE_ID_RE.test(v)) throw new ValidationError('bad_id', field, `id ${JSON.stringify(v.slice(0, 40))} has forbidden characters or length`);
  return v;
}

export function eventId(type: EventType, venue: VenueId, symbol: Symbol, venueEventId: string): string {
  return `${type}:${venue}:${symbol}:${venueEventId}`;
}

/** The hash form of a quote's venue id, for venues that give no update id. */
export function quoteHashId(venueTimeUs: number, bidPrice: string, bidSize: string, askPrice: string, askSize: string): string {
  const h = createHash('sha256').update(`${bidPrice}|${bidSize}|${askPrice}|${askSize}`).digest('hex').slice(0, 16);
  return `${venueTimeUs}:${h}`;
}

/** Parts of an event id; the venue id may itself contain ':' (quote hash form), so only the first three split. */
export function parseEventId(id: string): { type: string; venue: string; symbol: string; venueEventId: string } | null {
  const a = id.indexOf(':');
  const b = a < 0 ? -1 : id.indexOf(':', a + 1);
  const c = b < 0 ? -1 : id.indexOf(':', b + 1);
  if (c < 0) return null;
  return { type: id.slice(0, a), venue: id.slice(a + 1, b), symbol: id.slice(b + 1, c), venueEventId: id.slice(c + 1) };
}
