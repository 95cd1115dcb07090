import { readCommon, readHttp, readNats, type CommonConfig, type ConfigReader, type HttpConfig, type NatsConfig } from '@feed/config';
import { isSymbol, isVenueId, type Channel, type Source, type VenueId } from '@feed/price-types';
import { ADAPTERS } from './venues';

export interface VenueConfig {
  venue: VenueId;
  baseUrl: string;
  symbols: string[];
  channels: Channel[];
  /** Per channel: a stream with no data frame for this long is `stale` (heartbeats do not count). */
  staleAfterMs: Record<Channel, number>;
  silentMs: number;
  lifetimeMs: number;
  rotateBeforeMs: number;
  overlapMs: number;
}

export interface IngestConfig {
  common: CommonConfig;
  nats: NatsConfig;
  http: HttpConfig;
  /** live for real venues; simulated when pointed at the venue simulator (decision 7). */
  source: Source;
  venues: VenueConfig[];
  heartbeatMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  backoffStableMs: number;
  handshakeTimeoutMs: number;
  publishWindow: number;
  publishTimeoutMs: number;
  maxQueued: number;
  /** Attempts per frame before it is dropped and counted; retries back off up to 2 s (a JetStream leader election). */
  publishAttempts: number;
}

const DEFAULT_URLS: Partial<Record<VenueId, string>> = {
  binance: 'wss://stream.binance.com:9443',
  bitstamp: 'wss://ws.bitstamp.net',
  okx: 'wss://ws.okx.com:8443',
  bybit: 'wss://stream.bybit.com',
  coinbase: 'wss://advanced-trade-ws.coinbase.com',
  kraken: 'wss://ws.kraken.com/v2',
};

/** The BTC market each venue lists by default: the quote currency differs (USD vs USDT) and is part of the symbol. */
const DEFAULT_SYMBOLS: Record<VenueId, string> = {
  binance: 'BTC-USDT',
  okx: 'BTC-USDT',
  bybit: 'BTC-USDT',
  coinbase: 'BTC-USD',
  kraken: 'BTC-USD',
  bitstamp: 'BTC-USD',
};

/**
 * Quiet-market-aware staleness defaults, per venue and channel. A heartbeat proves the socket, not the trade flow,
 * so only data frames count, and the window must exceed the venue's normal silences or a quiet market reads as a
 * fault. Best bid/ask on BTC changes many times a second on every venue, so 10 s without a quote is a fault
 * anywhere. Trades are sparser and the venues differ by orders of magnitude: Binance BTCUSDT prints several trades
 * a second around the clock (10 s); OKX, Bybit and Coinbase a trade every second or so with pauses of several
 * seconds (30 s); Kraken BTC/USD trades every few seconds with quiet stretches of tens of seconds (60 s); Bitstamp
 * btcusd can go minutes without a trade at quiet hours (120 s). Judgement figures, to be tuned from
 * `feed_ingest_last_frame_timestamp_seconds`; `<VENUE>_TRADE_STALE_AFTER_MS` / `_QUOTE_STALE_AFTER_MS` override
 * one channel, `<VENUE>_STALE_AFTER_MS` both.
 */
const STALE_DEFAULTS: Record<VenueId, Record<Channel, number>> = {
  binance: { trade: 10_000, quote: 10_000 },
  okx: { trade: 30_000, quote: 10_000 },
  bybit: { trade: 30_000, quote: 10_000 },
  coinbase: { trade: 30_000, quote: 10_000 },
  kraken: { trade: 60_000, quote: 10_000 },
  bitstamp: { trade: 120_000, quote: 10_000 },
};

/** `<VENUE>_CHANNELS`: trade (default) and/or quote (best bid/ask). */
function readChannels(r: ConfigReader, P: string): Channel[] {
  const list = r.list(`${P}_CHANNELS`, { default: ['trade'] });
  const bad = list.filter((c) => c !== 'trade' && c !== 'quote');
  if (bad.length > 0) r.problem(`${P}_CHANNELS has unknown channels ${bad.join(', ')} (known: trade, quote)`);
  return [...new Set(list.filter((c): c is Channel => c === 'trade' || c === 'quote'))];
}

/** Venue names become env prefixes: BINANCE_URL, BINANCE_SYMBOLS, BINANCE_STALE_AFTER_MS, ... */
function readVenue(r: ConfigReader, venue: VenueId, lifetimeDefault: number): VenueConfig {
  const P = venue.toUpperCase();
  // The legacy feed's WEBSOCKET_URL was a full Binance stream URL; its origin is the base URL.
  const legacyUrl = venue === 'binance' ? r.optionalString('WEBSOCKET_URL') : undefined;
  const baseUrl = r.string(`${P}_URL`, { default: legacyUrl ? new URL(legacyUrl).origin.replace(/^http/, 'ws') : (DEFAULT_URLS[venue] ?? '') });
  if (!/^wss?:\/\/[^\s]+$/.test(baseUrl)) r.problem(`${P}_URL=${JSON.stringify(baseUrl)} is not a ws:// or wss:// URL`);
  const symbols = r.list(`${P}_SYMBOLS`, { default: [DEFAULT_SYMBOLS[venue]] });
  for (const s of symbols) if (!isSymbol(s)) r.problem(`${P}_SYMBOLS entry ${JSON.stringify(s)} is not a canonical BASE-QUOTE symbol (e.g. BTC-USDT)`);
  const lifetimeMs = r.int(`${P}_LIFETIME_MS`, { default: lifetimeDefault, min: 1_000 });
  const both = r.int(`${P}_STALE_AFTER_MS`, { default: 0, min: 0 });
  if (both > 0 && both < 50) r.problem(`${P}_STALE_AFTER_MS must be >= 50`);
  const stale = (c: Channel): number => r.int(`${P}_${c.toUpperCase()}_STALE_AFTER_MS`, { default: both || STALE_DEFAULTS[venue][c], min: 50 });
  return {
    venue,
    baseUrl,
    symbols,
    channels: readChannels(r, P),
    staleAfterMs: { trade: stale('trade'), quote: stale('quote') },
    silentMs: r.int(`${P}_SILENT_MS`, { default: 30_000, min: 50 }),
    lifetimeMs,
    rotateBeforeMs: r.int(`${P}_ROTATE_BEFORE_MS`, { default: Math.min(10 * 60_000, Math.floor(lifetimeMs / 10)), min: 0 }),
    overlapMs: r.int(`${P}_ROTATE_OVERLAP_MS`, { default: 1_000, min: 0, max: 60_000 }),
  };
}

export function readConfig(r: ConfigReader): IngestConfig {
  const common = readCommon(r);
  const source = r.oneOf('INGEST_SOURCE', ['live', 'simulated'] as const, { default: 'live' });
  if (source === 'simulated' && !common.allowSimulator) r.problem('INGEST_SOURCE=simulated is refused in production unless ALLOW_SIMULATOR=true');
  const names = r.list('INGEST_VENUES', { default: ['binance'] });
  const venues: VenueConfig[] = [];
  for (const n of names) {
    if (!isVenueId(n) || !ADAPTERS[n]) {
      r.problem(`INGEST_VENUES entry ${JSON.stringify(n)} has no adapter (known: ${Object.keys(ADAPTERS).join(', ')})`);
      continue;
    }
    venues.push(readVenue(r, n, (ADAPTERS[n] as NonNullable<(typeof ADAPTERS)[typeof n]>).rules.connectionLifetimeMs));
  }
  const cfg: IngestConfig = {
    common,
    nats: readNats(r, `ingest-${common.instanceId}`),
    http: readHttp(r, 8081),
    source,
    venues,
    heartbeatMs: r.int('INGEST_HEARTBEAT_MS', { default: 1_000, min: 10, max: 60_000 }),
    backoffBaseMs: r.int('INGEST_BACKOFF_BASE_MS', { default: 500, min: 1 }),
    backoffMaxMs: r.int('INGEST_BACKOFF_MAX_MS', { default: 30_000, min: 1 }),
    backoffStableMs: r.int('INGEST_BACKOFF_STABLE_MS', { default: 60_000, min: 1 }),
    handshakeTimeoutMs: r.int('INGEST_HANDSHAKE_TIMEOUT_MS', { default: 10_000, min: 100 }),
    publishWindow: r.int('INGEST_PUBLISH_WINDOW', { default: 1_000, min: 1, max: 20_000 }),
    publishTimeoutMs: r.int('INGEST_PUBLISH_TIMEOUT_MS', { default: 5_000, min: 100 }),
    maxQueued: r.int('INGEST_MAX_QUEUED', { default: 100_000, min: 100 }),
    // ~60 s of retrying: a clustered stream's leader election after a node dies takes seconds, longer on a loaded
    // host; dropping a frame then is a loss no other replica may cover (the other ingest may be down too).
    publishAttempts: r.int('INGEST_PUBLISH_ATTEMPTS', { default: 35, min: 1, max: 1_000 }),
  };
  r.done();
  return cfg;
}
