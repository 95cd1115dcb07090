import { readCommon, readHttp, readNats, readRedis, type CommonConfig, type ConfigReader, type HttpConfig, type NatsConfig, type RedisEndpoint, type RedisRole } from '@feed/config';
import { isVenueId, isSymbol } from '@feed/price-types';
import { Keys } from '@feed/keys';
import { readProjectionSettings, type LegacySettings, type ProjectionSettings } from '@feed/projections';

export interface PersisterConfig {
  common: CommonConfig;
  nats: NatsConfig;
  http: HttpConfig;
  /** The Redis this persister group projects into (the primary, or the standby with its own group). */
  redis: RedisEndpoint;
  /** Which Redis that is: PERSISTER_REDIS=primary reads REDIS_*, standby reads FAILOVER_REDIS_* (decision 10). */
  redisRole: RedisRole;
  /** How often the group's projection lag (MD last sequence minus checkpoint) is measured for metrics. */
  lagIntervalMs: number;
  /** Consumer group = one per Redis (decision 10): "primary", "standby". Persisters of a group share a durable. */
  group: string;
  batchSize: number;
  lingerMs: number;
  ackWaitMs: number;
  maxDeliver: number;
  maxAckPending: number;
  nakDelayMs: number;
  probeIntervalMs: number;
  recentTradesMax: number;
  dedupeTtlSeconds: number;
  legacy: LegacySettings;
  /** The derived projections' settings, shared with the replay tool. */
  projections: ProjectionSettings;
}

/** Legacy EXCHANGE values (the old feed's names) -> Feed venue and default symbol. */
const LEGACY_DEFAULT_SYMBOL: Record<string, string> = { binance: 'BTC-USDT', okx: 'BTC-USDT', bybit: 'BTC-USDT', coinbase: 'BTC-USD', kraken: 'BTC-USD', bitstamp: 'BTC-USD' };

export function readConfig(r: ConfigReader): PersisterConfig {
  const common = readCommon(r);
  const exchange = r.string('EXCHANGE', { default: 'binance', aliases: ['LEGACY_VENUE'] }).toLowerCase();
  if (!isVenueId(exchange)) r.problem(`EXCHANGE=${exchange} is not a known venue`);
  const legacySymbol = r.string('LEGACY_SYMBOL', { default: LEGACY_DEFAULT_SYMBOL[exchange] ?? 'BTC-USDT' });
  if (!isSymbol(legacySymbol)) r.problem(`LEGACY_SYMBOL=${legacySymbol} is not a canonical BASE-QUOTE symbol`);
  const mdRetentionMs = r.int('MD_MAX_AGE_MS', { default: 7 * 24 * 3_600_000, min: 60_000 });
  // One env file can serve both groups: the standby's persisters only set PERSISTER_REDIS=standby.
  const redisRole = r.oneOf('PERSISTER_REDIS', ['primary', 'standby'] as const, { default: 'primary' });
  const redis = readRedis(r, redisRole);
  if (!redis) r.problem('PERSISTER_REDIS=standby needs FAILOVER_REDIS_HOST (or FAILOVER_REDIS_SENTINELS)');
  const cfg: PersisterConfig = {
    common,
    nats: readNats(r, `persister-${common.instanceId}`),
    http: readHttp(r, 8083),
    redis: redis ?? readRedis(r, 'primary'),
    redisRole,
    lagIntervalMs: r.int('PERSISTER_LAG_INTERVAL_MS', { default: 1_000, min: 50, max: 600_000 }),
    group: r.string('PERSISTER_GROUP', { default: redisRole }),
    batchSize: r.int('PERSISTER_BATCH', { default: 500, min: 1, max: 5_000 }),
    // The apply script costs ~0.5-1.5 ms of Redis CPU per call whatever its size (14 candle bars per stream and
    // second, docs/benchmarks.md): waiting up to 20 ms for a fuller batch cuts that several-fold at moderate rates,
    // at the price of at most 20 ms more before REST reads see a trade (WebSocket pushes do not wait for Redis).
    lingerMs: r.int('PERSISTER_LINGER_MS', { default: 20, min: 0, max: 1_000 }),
    ackWaitMs: r.int('PERSISTER_ACK_WAIT_MS', { default: 10_000, min: 200, max: 300_000 }),
    maxDeliver: r.int('PERSISTER_MAX_DELIVER', { default: -1, min: -1, max: 1_000 }),
    maxAckPending: r.int('PERSISTER_MAX_ACK_PENDING', { default: 2_000, min: 1, max: 100_000 }),
    nakDelayMs: r.int('PERSISTER_NAK_DELAY_MS', { default: 1_000, min: 0, max: 60_000 }),
    probeIntervalMs: r.int('PERSISTER_PROBE_INTERVAL_MS', { default: 500, min: 10, max: 60_000 }),
    recentTradesMax: r.int('RECENT_TRADES_MAX', { default: 1_000, min: 1, max: 100_000 }),
    // Dedupe marks must outlive the MD log (decision 2): any event still replayable is still refused.
    dedupeTtlSeconds: Math.ceil(mdRetentionMs / 1000) + 86_400,
    legacy: {
      enabled: r.bool('LEGACY_KEYS', { default: true }),
      venue: exchange,
      symbol: legacySymbol,
      defaultVenue: 'binance',
      allowSimulated: r.bool('LEGACY_ALLOW_SIMULATED', { default: false }),
    },
    projections: readProjectionSettings(r, new Keys(common.keyPrefix)),
  };
  if (cfg.maxAckPending < cfg.batchSize) r.problem('PERSISTER_MAX_ACK_PENDING must be >= PERSISTER_BATCH');
  // Lingering messages are not yet kept alive (+WPI every ackWait/3): keep the wait well inside the ack wait.
  if (cfg.lingerMs * 4 > cfg.ackWaitMs) r.problem('PERSISTER_LINGER_MS must be at most a quarter of PERSISTER_ACK_WAIT_MS');
  r.done();
  return cfg;
}
