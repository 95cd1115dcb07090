import type { Keys } from '@feed/keys';
import { validateQuote, validateStatus, validateTrade, VENUES, type ConnectionState, type QuoteV1, type TradeV1 } from '@feed/price-types';
import type { Redis } from 'ioredis';
import { command, execPipeline, readWithFallback, routingOf } from './redis-read';
import type { ReadRouting } from './read-switch';
import { parseStatusHash, type IngestStatus } from './staleness';

export interface VenueSnapshot {
  trade: TradeV1;
  /** Latest best bid/ask of the venue, when its quote channel is ingested. */
  quote: QuoteV1 | undefined;
  statuses: IngestStatus[];
}

/** One ingest instance's last word on a stream (a StreamStatus v1 event as the persister stores it). */
export interface StatusRecord {
  ingestId: string;
  state: ConnectionState;
  recvTimeUs: number;
  lastFrameUs: number | null;
  frames: number;
}

export interface StreamSnapshot {
  symbol: string;
  venue: string;
  channel: 'trade' | 'quote';
  records: StatusRecord[];
  latestVenueTimeUs: number | null;
  /** Gap records of the stream (completeness projection members). */
  gapRecords: string[];
}

/** Status hash values that are valid StreamStatus v1 events; anything else (the `:t` companions, corrupt) is skipped. */
function parseStatusRecords(hash: Readonly<Record<string, string>>): StatusRecord[] {
  const out: StatusRecord[] = [];
  for (const v of Object.values(hash)) {
    if (!v.startsWith('{')) continue;
    try {
      const s = validateStatus(JSON.parse(v));
      out.push({ ingestId: s.ingestId, state: s.state, recvTimeUs: s.recvTimeUs, lastFrameUs: s.lastFrameUs, frames: s.frames });
    } catch {
      // a corrupt entry says nothing about the stream
    }
  }
  return out.sort((a, b) => (a.ingestId < b.ingestId ? -1 : a.ingestId > b.ingestId ? 1 : 0));
}

function parseQuote(json: string | null | undefined): QuoteV1 | undefined {
  if (!json) return undefined;
  try {
    return validateQuote(JSON.parse(json));
  } catch {
    return undefined;
  }
}

/** A stored trade JSON, or undefined when the entry is unreadable (never a reason to fail the whole answer). */
function parseTrade(json: string | null | undefined): TradeV1 | undefined {
  if (!json) return undefined;
  try {
    return validateTrade(JSON.parse(json));
  } catch {
    return undefined;
  }
}

/**
 * Reads the persister's projections. Keys come only from `Keys`. Venues are enumerated from the fixed venue list
 * rather than with SCAN, which would walk the whole keyspace on every request.
 */
export class ProjectionReader {
  private readonly routing: ReadRouting;

  /** `source`: one Redis, or the read switch (current target, with the other Redis as a one-shot fallback). */
  constructor(
    source: Redis | ReadRouting,
    private readonly keys: Keys,
  ) {
    this.routing = routingOf(source);
  }

  /** One read through readWithFallback (redis-read.ts). */
  private read<T>(fn: (r: Redis) => Promise<T>): Promise<T> {
    return readWithFallback(this.routing, fn);
  }

  /** Latest trade, quote and status records of every venue that has a latest trade for `symbol`, in venue-list order. */
  async latest(symbol: string): Promise<VenueSnapshot[]> {
    const res = await this.read((r) => {
      const p = r.pipeline();
      for (const v of VENUES) {
        p.hget(this.keys.latestTrade(symbol, v), 'v');
        p.hgetall(this.keys.status(symbol, v, 'trade'));
        p.hget(this.keys.latestQuote(symbol, v), 'v');
      }
      return execPipeline(p);
    });
    const out: VenueSnapshot[] = [];
    VENUES.forEach((_, i) => {
      const trade = parseTrade(res[3 * i] as string | null);
      if (!trade) return;
      const hash = (res[3 * i + 1] ?? {}) as Record<string, string>;
      out.push({ trade, quote: parseQuote(res[3 * i + 2] as string | null), statuses: parseStatusHash(hash) });
    });
    return out;
  }

  /**
   * Every (symbol, venue, channel) stream that has a status record, data or gap records, with the raw status records
   * of every ingest instance, the venue time of the newest trade or quote and the gap records: GET /v1/venues.
   */
  async streams(symbols: readonly string[]): Promise<StreamSnapshot[]> {
    const slots: Array<{ symbol: string; venue: (typeof VENUES)[number]; channel: 'trade' | 'quote' }> = [];
    for (const symbol of symbols) for (const venue of VENUES) for (const channel of ['trade', 'quote'] as const) slots.push({ symbol, venue, channel });
    const res = await this.read((r) => {
      const p = r.pipeline();
      for (const { symbol, venue, channel } of slots) {
        p.hgetall(this.keys.status(symbol, venue, channel));
        p.hget(channel === 'trade' ? this.keys.latestTrade(symbol, venue) : this.keys.latestQuote(symbol, venue), 'v');
        p.zrange(this.keys.completeness(symbol, venue, channel), '0', '-1');
      }
      return execPipeline(p);
    });
    const out: StreamSnapshot[] = [];
    slots.forEach((slot, i) => {
      const hash = (res[3 * i] ?? {}) as Record<string, string>;
      const latestJson = res[3 * i + 1] as string | null;
      const gapRecords = (res[3 * i + 2] ?? []) as string[];
      const latest = slot.channel === 'trade' ? parseTrade(latestJson) : parseQuote(latestJson);
      const records = parseStatusRecords(hash);
      if (records.length === 0 && !latest && gapRecords.length === 0) return;
      out.push({ ...slot, records, latestVenueTimeUs: latest ? latest.venueTimeUs : null, gapRecords });
    });
    return out;
  }

  /**
   * The newest `limit` trades across venues. Members are `<sortKey>|<TradeV1 JSON>` scored by venue time; the sort
   * key (venue time, venue, trade id) never contains '|', so the first '|' ends it.
   */
  async recentTrades(symbol: string, limit: number): Promise<TradeV1[]> {
    const members = await this.read((r) => command(r.zrevrange(this.keys.recentTrades(symbol), 0, limit - 1)));
    const out: TradeV1[] = [];
    for (const m of members) {
      const t = parseTrade(m.slice(m.indexOf('|') + 1));
      if (t) out.push(t);
    }
    return out;
  }
}
