import { readCommon, readHttp, readNats, readReadSwitch, readRedis, type CommonConfig, type ConfigReader, type HttpConfig, type NatsConfig, type ReadSwitchSettings, type RedisEndpoint } from '@feed/config';
import { isSymbol } from '@feed/price-types';
import { DEFAULT_INDEX_CONSTITUENTS, parseIndexConstituents, readCandleSettings, type CandleSettings } from '@feed/projections';

export interface WsConfig {
  /** A client whose unsent bytes pass this is closed with 1013 (decision 11). */
  maxBufferedBytes: number;
  /** Largest client message; ws closes bigger ones with 1009 by itself. Clients only send small control JSON. */
  maxMessageBytes: number;
  /** Batching window: items queued for a client are sent at most this long after the first one arrived. */
  flushMs: number;
  /** Most items per frame; a full batch is sent at once rather than waiting for the window. */
  maxBatch: number;
  pingIntervalMs: number;
  /** How many MD events back the resume ring reaches (its capacity in trade items). */
  resumeWindow: number;
  /** Exact Origin values allowed to open a stream; undefined = any (non-browser clients send none). */
  allowedOrigins: string[] | undefined;
  /** How long a closing handshake may take before the socket is destroyed (ws `closeTimeout`). */
  closeTimeoutMs: number;
  /** How often the polled channels (candles, stats) read the projections and push what changed. */
  pollMs: number;
}

export interface ApiConfig {
  common: CommonConfig;
  nats: NatsConfig;
  http: HttpConfig;
  redis: RedisEndpoint;
  /** The standby Redis (FAILOVER_REDIS_*), kept current by its own persister group; reads switch to it (decision 10). */
  standby: RedisEndpoint | undefined;
  readSwitch: ReadSwitchSettings;
  /** Symbols this deployment serves; any other well-formed symbol is 404 / `unknown_symbol`. */
  symbols: string[];
  /** Composite index symbols served by /v1/index (from INDEX_CONSTITUENTS, as the persister computes them). */
  indexSymbols: string[];
  /** How often the WebSocket `index` channel reads the newest value of each subscribed index. */
  indexPushIntervalMs: number;
  /** A venue price is stale when its freshest status heartbeat (or, with no status, its trade) is older. */
  priceStaleAfterMs: number;
  ws: WsConfig;
  /** Reverse proxies in front of the api: express `trust proxy` is set to exactly this hop count (0 = none). */
  trustProxyHops: number;
  /** Candle close delay and finality (must match the persisters'): which bars are served as closed / final. */
  candles: CandleSettings;
}

const ORIGIN_RE = /^https?:\/\/[^/\s?#]+$/;

export function readConfig(r: ConfigReader): ApiConfig {
  const common = readCommon(r);
  const symbols = [...new Set(r.list('API_SYMBOLS', { default: ['BTC-USDT', 'BTC-USD'] }))];
  for (const s of symbols) if (!isSymbol(s)) r.problem(`API_SYMBOLS entry ${JSON.stringify(s)} is not a canonical BASE-QUOTE symbol`);
  if (symbols.length === 0) r.problem('API_SYMBOLS must name at least one symbol');
  // The same setting the persister reads, so one value in the deployment names what is computed and served.
  const index = r.bool('INDEX_ENABLED', { default: true }) ? parseIndexConstituents(r.string('INDEX_CONSTITUENTS', { default: DEFAULT_INDEX_CONSTITUENTS })) : { indices: [], problems: [] };
  for (const p of index.problems) r.problem(p);
  const origins = r.list('WS_ALLOWED_ORIGINS', { default: ['*'] });
  const anyOrigin = origins.includes('*');
  if (anyOrigin && origins.length > 1) r.problem('WS_ALLOWED_ORIGINS: "*" cannot be combined with other origins');
  if (!anyOrigin) for (const o of origins) if (!ORIGIN_RE.test(o)) r.problem(`WS_ALLOWED_ORIGINS entry ${JSON.stringify(o)} is not an origin like https://host[:port]`);
  const cfg: ApiConfig = {
    common,
    nats: readNats(r, `api-${common.instanceId}`),
    http: readHttp(r, 8080),
    redis: readRedis(r, 'primary'),
    standby: readRedis(r, 'standby'),
    readSwitch: readReadSwitch(r),
    symbols,
    indexSymbols: index.indices.map((i) => i.symbol),
    indexPushIntervalMs: r.int('INDEX_PUSH_INTERVAL_MS', { default: 250, min: 10, max: 60_000 }),
    priceStaleAfterMs: r.int('PRICE_STALE_AFTER_MS', { default: 10_000, min: 10, max: 3_600_000 }),
    ws: {
      maxBufferedBytes: r.int('WS_MAX_BUFFERED_BYTES', { default: 4 * 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024 }),
      maxMessageBytes: r.int('WS_MAX_MESSAGE_BYTES', { default: 4096, min: 64, max: 1024 * 1024 }),
      flushMs: r.int('WS_FLUSH_MS', { default: 5, min: 0, max: 10_000 }),
      maxBatch: r.int('WS_MAX_BATCH', { default: 500, min: 1, max: 100_000 }),
      pingIntervalMs: r.int('WS_PING_INTERVAL_MS', { default: 30_000, min: 10, max: 3_600_000 }),
      resumeWindow: r.int('WS_RESUME_WINDOW', { default: 20_000, min: 1, max: 10_000_000 }),
      allowedOrigins: anyOrigin ? undefined : origins.map((o) => o.toLowerCase()),
      closeTimeoutMs: r.int('WS_CLOSE_TIMEOUT_MS', { default: 5_000, min: 10, max: 120_000 }),
      pollMs: r.int('WS_POLL_MS', { default: 1_000, min: 20, max: 60_000 }),
    },
    trustProxyHops: r.int('TRUST_PROXY_HOPS', { default: 0, min: 0, max: 10 }),
    candles: readCandleSettings(r),
  };
  r.done();
  return cfg;
}
