import type { MarketSpec } from './price-walk';
import { getProtocol, listVenues } from './protocols/registry';
import type { VenueProtocol } from './protocols/venue-protocol';

/** Options of startVenueSim(). Every protocol interval is configurable so tests run them scaled down. */
export interface VenueSimOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port for WebSocket and control API; 0 = ephemeral. Default 0. */
  port?: number;
  /** Venues to serve. Default ["binance"]; ["all"] = every registered venue. The first is also served at the root paths (/ws/..). */
  venues?: string[];
  /** Venue-native symbols simulated at every venue (default: the protocol's, e.g. ["BTCUSDT"]). */
  symbols?: string[];
  /** Per-venue symbols; wins over `symbols` for the venues it names. Without `venues`, its venues are the ones served. */
  symbolsByVenue?: Record<string, string[]>;
  /** Trades per second per symbol. Default 20. */
  rate?: number;
  /** Stop each market after this many trades. Default: never. */
  maxTrades?: number | null;
  /** PRNG seed; the same seed gives the same prices, sizes and sides. Default 1. */
  seed?: number;
  /** First trade id of every market. Default 5_000_000_000 (> 2^32). Can exceed 2^53 (pass bigint or text). */
  firstTradeId?: bigint | number | string;
  /** Server ping period. Default: the venue's (Binance 20 s). 0 or null: no pings. */
  pingIntervalMs?: number | null;
  /** Close when a ping is not answered within this. Default: the venue's (Binance 60 s). 0 or null: never. */
  pongTimeoutMs?: number | null;
  /** Close every connection after this long. Default: the venue's (Binance 24 h). 0 or null: never. */
  connectionLifetimeMs?: number | null;
  /** Client messages per second before a close. Default: the venue's (Binance 5). 0 or null: unlimited. */
  messagesPerSecond?: number | null;
  /** Close a connection sent nothing for this long. Default: the venue's (OKX 30 s, Coinbase 75 s, Bybit 10 min). 0 or null: never. */
  idleTimeoutMs?: number | null;
  /** Venue heartbeat message period (Coinbase heartbeats, Kraken heartbeat). Default: the venue's (1 s). 0 or null: none. */
  heartbeatIntervalMs?: number | null;
  /** Per-venue keepalive overrides; win over the global ones above for the venues they name. */
  keepaliveByVenue?: Record<string, VenueKeepaliveOptions>;
  /** Best bid/ask updates per second per symbol (sent only to quote subscribers). Default 10. */
  quoteRate?: number;
  /** Trades per market kept for the REST recent-trades endpoints (sent and gap-skipped). Default 1000. */
  restHistoryCap?: number;
  /** Market engine tick. Default 5 ms. */
  tickMs?: number;
  /** Generate trades when nobody is subscribed (they are then not recorded). Default false. */
  generateWithoutSubscribers?: boolean;
  /** Trades held in memory per market. Default 2,000,000 (or maxTrades when smaller). */
  recordCap?: number;
  /** Hostile and resend entries held in memory. Default 100,000. */
  sideRecordCap?: number;
  /** Size of an "oversize" hostile frame. Default 256 KiB. */
  oversizeBytes?: number;
  /** Largest client message accepted (ws maxPayload). Default 64 KiB. */
  maxClientMessageBytes?: number;
  /** Market shape overrides per venue-native symbol (start price, grids). */
  marketSpecs?: Record<string, MarketSpec>;
}

export interface VenueKeepaliveOptions {
  pingIntervalMs?: number | null;
  pongTimeoutMs?: number | null;
  connectionLifetimeMs?: number | null;
  messagesPerSecond?: number | null;
  idleTimeoutMs?: number | null;
  heartbeatIntervalMs?: number | null;
}

export interface ResolvedKeepalive {
  readonly pingIntervalMs: number | null;
  readonly pongTimeoutMs: number | null;
  readonly connectionLifetimeMs: number | null;
  readonly messagesPerSecond: number | null;
  readonly idleTimeoutMs: number | null;
  readonly heartbeatIntervalMs: number | null;
}

export interface ResolvedVenue {
  readonly protocol: VenueProtocol;
  readonly symbols: readonly string[];
  readonly keepalive: ResolvedKeepalive;
}

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly venues: readonly ResolvedVenue[];
  readonly rate: number;
  readonly quoteRate: number;
  readonly restHistoryCap: number;
  readonly maxTrades: number | null;
  readonly seed: number;
  readonly firstTradeId: bigint;
  readonly tickMs: number;
  readonly generateWithoutSubscribers: boolean;
  readonly recordCap: number;
  readonly sideRecordCap: number;
  readonly oversizeBytes: number;
  readonly maxClientMessageBytes: number;
  readonly marketSpecs: Readonly<Record<string, MarketSpec>>;
}

export const DEFAULT_FIRST_TRADE_ID = 5_000_000_000n;
export const DEFAULT_RECORD_CAP = 2_000_000;
export const DEFAULT_OVERSIZE_BYTES = 256 * 1024;

function int(name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${v}`);
  return v;
}

function interval(name: string, v: number | null | undefined, fallback: number | null): number | null {
  if (v === undefined) return fallback;
  if (v === null || v === 0) return null;
  return int(name, v, 1);
}

export function parseTradeId(v: bigint | number | string): bigint {
  let id: bigint;
  if (typeof v === 'bigint') id = v;
  else if (typeof v === 'number') id = BigInt(int('firstTradeId', v, 1));
  else if (/^\d{1,19}$/.test(v)) id = BigInt(v);
  else throw new RangeError(`firstTradeId must be a positive integer, got ${JSON.stringify(v)}`);
  if (id < 1n || id > 9_223_372_036_854_775_807n) throw new RangeError('firstTradeId must be in 1..2^63-1');
  return id;
}

const SYMBOL_RE = /^[A-Za-z0-9][A-Za-z0-9/_-]{1,19}$/;

function pick<K extends keyof VenueKeepaliveOptions>(o: VenueSimOptions, venue: string, key: K): VenueKeepaliveOptions[K] {
  const own = o.keepaliveByVenue?.[venue];
  return own !== undefined && key in own ? own[key] : o[key];
}

export function resolveOptions(o: VenueSimOptions = {}): ResolvedOptions {
  const byVenue = o.symbolsByVenue ? Object.keys(o.symbolsByVenue) : [];
  const venueIds = o.venues?.length === 1 && o.venues[0] === 'all' ? listVenues() : (o.venues ?? (byVenue.length > 0 ? byVenue : ['binance']));
  for (const v of Object.keys(o.keepaliveByVenue ?? {})) if (!venueIds.includes(v)) throw new RangeError(`keepaliveByVenue names ${v}, which is not simulated`);
  if (venueIds.length === 0 || new Set(venueIds).size !== venueIds.length) throw new RangeError('venues must be a non-empty list without repeats');
  const venues = venueIds.map((id): ResolvedVenue => {
    const protocol = getProtocol(id);
    const symbols = o.symbolsByVenue?.[id] ?? o.symbols ?? protocol.defaultSymbols;
    if (symbols.length === 0 || new Set(symbols).size !== symbols.length) throw new RangeError(`symbols of ${id} must be a non-empty list without repeats`);
    for (const s of symbols) if (!SYMBOL_RE.test(s)) throw new RangeError(`bad symbol ${JSON.stringify(s)}`);
    const k = protocol.keepalive;
    return {
      protocol,
      symbols,
      keepalive: {
        pingIntervalMs: interval('pingIntervalMs', pick(o, id, 'pingIntervalMs'), k.pingIntervalMs),
        pongTimeoutMs: interval('pongTimeoutMs', pick(o, id, 'pongTimeoutMs'), k.pongTimeoutMs),
        connectionLifetimeMs: interval('connectionLifetimeMs', pick(o, id, 'connectionLifetimeMs'), k.connectionLifetimeMs),
        messagesPerSecond: interval('messagesPerSecond', pick(o, id, 'messagesPerSecond'), protocol.limits.messagesPerSecond),
        idleTimeoutMs: interval('idleTimeoutMs', pick(o, id, 'idleTimeoutMs'), k.idleTimeoutMs ?? null),
        heartbeatIntervalMs: interval('heartbeatIntervalMs', pick(o, id, 'heartbeatIntervalMs'), protocol.heartbeat?.intervalMs ?? null),
      },
    };
  });
  const maxTrades = o.maxTrades === undefined || o.maxTrades === null ? null : int('maxTrades', o.maxTrades, 0);
  const recordCap = int('recordCap', o.recordCap ?? DEFAULT_RECORD_CAP, 1);
  const rate = o.rate ?? 20;
  if (!Number.isFinite(rate) || rate < 0 || rate > 1_000_000) throw new RangeError(`rate must be in 0..1000000, got ${rate}`);
  const quoteRate = o.quoteRate ?? 10;
  if (!Number.isFinite(quoteRate) || quoteRate < 0 || quoteRate > 1_000_000) throw new RangeError(`quoteRate must be in 0..1000000, got ${quoteRate}`);
  return {
    host: o.host ?? '127.0.0.1',
    port: int('port', o.port ?? 0, 0, 65535),
    venues,
    rate,
    quoteRate,
    restHistoryCap: int('restHistoryCap', o.restHistoryCap ?? 1000, 1, 1_000_000),
    maxTrades,
    seed: int('seed', o.seed ?? 1, 0, 0xffffffff),
    firstTradeId: parseTradeId(o.firstTradeId ?? DEFAULT_FIRST_TRADE_ID),
    tickMs: int('tickMs', o.tickMs ?? 5, 1, 1000),
    generateWithoutSubscribers: o.generateWithoutSubscribers ?? false,
    recordCap: maxTrades !== null && maxTrades > 0 ? Math.min(recordCap, maxTrades) : recordCap,
    sideRecordCap: int('sideRecordCap', o.sideRecordCap ?? 100_000, 1),
    oversizeBytes: int('oversizeBytes', o.oversizeBytes ?? DEFAULT_OVERSIZE_BYTES, 1, 64 * 1024 * 1024),
    maxClientMessageBytes: int('maxClientMessageBytes', o.maxClientMessageBytes ?? 64 * 1024, 16),
    marketSpecs: o.marketSpecs ?? {},
  };
}
