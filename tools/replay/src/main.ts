/**
 * Replay: rebuild every Redis projection from the MD log (hard rule 2), restore from a snapshot, or take
 * snapshots. Every command applies the log with the projection code the persister runs (main script + the one
 * list of script projections), with `publish` off (a replay never re-publishes btc_price), into the Redis given by
 * the REDIS_* settings (the live one or a scratch one), through an ordered consumer (no durable state left behind).
 * Each prints JSON lines; the last says what was done and how fast.
 *
 *   node dist/tools/replay/main.js [rebuild] [--group primary] [--clear]      from the start of the log
 *   node dist/tools/replay/main.js restore --dir DIR | --file F [--group g]   newest snapshot + tail
 *   node dist/tools/replay/main.js snapshot --dir DIR [--keep 5] [--every MS] snapshots (dedicated scratch Redis)
 *
 * With `--every MS` the snapshot command keeps running (snapshot-loop.ts): one round per period, a failed round
 * logged, counted and retried next period, /health /ready /metrics on HTTP_PORT (default 8084), SIGTERM ends it.
 *
 * Settings: NATS_*, REDIS_* (Sentinel and TLS included), FEED_PREFIX/FEED_KEY_PREFIX, the projection settings the
 * persister reads (EXCHANGE, LEGACY_*, RECENT_TRADES_MAX, MD_MAX_AGE_MS), REPLAY_BATCH, REPLAY_IN_FLIGHT, and for
 * `--every` HTTP_HOST/HTTP_PORT, SHUTDOWN_TIMEOUT_MS, LOG_LEVEL.
 */
import { fromProcessEnv, readCommon, readHttp, readNats, readRedis, type CommonConfig, type HttpConfig } from '@feed/config';
import { keyFamilies, Keys } from '@feed/keys';
import { connectNats, streamName, Subjects } from '@feed/messaging';
import { BatchApplier, readProjectionSettings, scriptProjections, type LegacySettings } from '@feed/projections';
import { connectRedis, createRedisClient } from '@feed/redis';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createServiceContext, startOpsServer } from '@feed/service';
import { rebuild, restore, snapshotRound, type ReplayDeps } from './commands';
import { SnapshotLoop, SnapshotLoopMetrics } from './snapshot-loop';

const COMMANDS = ['rebuild', 'restore', 'snapshot'] as const;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function intArg(name: string, fallback: number, min: number): number {
  const v = arg(name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new Error(`--${name} ${v}: expected an integer >= ${min}`);
  return Number(v);
}

async function main(): Promise<void> {
  const first = process.argv[2];
  const command = first && !first.startsWith('--') ? first : 'rebuild';
  if (!(COMMANDS as readonly string[]).includes(command)) throw new Error(`unknown command ${JSON.stringify(command)} (one of ${COMMANDS.join(', ')})`);
  const r = fromProcessEnv();
  const common = readCommon(r);
  const nats = readNats(r, 'feed-replay');
  const redisEp = readRedis(r, 'primary');
  const legacy: LegacySettings = {
    enabled: r.bool('LEGACY_KEYS', { default: true }),
    venue: r.string('EXCHANGE', { default: 'binance' }).toLowerCase(),
    symbol: r.string('LEGACY_SYMBOL', { default: 'BTC-USDT' }),
    defaultVenue: 'binance',
    allowSimulated: r.bool('LEGACY_ALLOW_SIMULATED', { default: false }),
  };
  const recentTradesMax = r.int('RECENT_TRADES_MAX', { default: 1_000, min: 1 });
  const mdRetentionMs = r.int('MD_MAX_AGE_MS', { default: 7 * 24 * 3_600_000, min: 60_000 });
  const batchSize = r.int('REPLAY_BATCH', { default: 1_000, min: 1, max: 10_000 });
  const inFlight = r.int('REPLAY_IN_FLIGHT', { default: 4, min: 1, max: 64 });
  const keys = new Keys(common.keyPrefix);
  const projections = readProjectionSettings(r, keys);
  // Only `snapshot --every` listens (/health, /ready, /metrics); 8084 is the snapshotter's port in the stack.
  const http = readHttp(r, 8084);
  r.done();

  const redis = createRedisClient(redisEp, { name: `feed-replay-${command}`, failFast: true });
  redis.on('error', () => undefined); // connection errors surface through connectRedis and failed commands
  await connectRedis(redis, common.startupTimeoutMs, redisEp.sentinel ? `Redis via Sentinel ${redisEp.sentinel.masterName}` : `Redis ${redisEp.host}:${redisEp.port}`);
  const nc = await connectNats({ ...nats, startupTimeoutMs: common.startupTimeoutMs });
  const deps: ReplayDeps = {
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    redis,
    stream: streamName(common.prefix, 'MD'),
    filter: new Subjects(common.prefix).mdAll(),
    keys,
    families: keyFamilies(common.keyPrefix),
    applier: (group) => new BatchApplier(redis, { keys, group, recentTradesMax, dedupeTtlSeconds: Math.ceil(mdRetentionMs / 1000) + 86_400, publish: false, legacy, candles: projections.candles }, scriptProjections(projections)),
    batchSize,
    inFlight,
    out: (line) => console.log(JSON.stringify(line)),
  };
  const group = arg('group') ?? 'primary';
  if (command === 'rebuild') await rebuild(deps, { group, clear: process.argv.includes('--clear') });
  else if (command === 'restore') {
    const dir = arg('dir');
    const file = arg('file');
    if (!dir && !file) throw new Error('restore needs --dir DIR (newest snapshot) or --file FILE');
    await restore(deps, { group, ...(dir ? { dir } : {}), ...(file ? { file } : {}) });
  } else {
    const dir = arg('dir');
    if (!dir) throw new Error('snapshot needs --dir DIR');
    const keep = intArg('keep', 5, 1);
    const every = intArg('every', 0, 0);
    if (every === 0) await snapshotRound(deps, { dir, keep });
    else await runPeriodic(deps, { dir, keep, everyMs: every }, common, http);
  }
  await nc.drain();
  await redis.quit();
}

/**
 * `snapshot --every MS`: the long-running snapshotter (a swarm service). It serves /health (event loop responsive,
 * loop running), /ready (the last round succeeded) and /metrics on HTTP_PORT, so the container health check is the
 * same Node probe as the apps' (decision 9). SIGTERM/SIGINT end the wait at once; a round in progress finishes
 * within SHUTDOWN_TIMEOUT_MS or the process exits 1 (an unfinished round leaves nothing half-written: files are
 * renamed into place, and the next round continues from the scratch Redis' checkpoint).
 */
async function runPeriodic(deps: ReplayDeps, o: { dir: string; keep: number; everyMs: number }, common: CommonConfig, http: HttpConfig): Promise<void> {
  const { log, registry, health } = createServiceContext('snapshotter', common);
  const loop = new SnapshotLoop(deps, o, new SnapshotLoopMetrics(registry));
  health.addLiveness('snapshot_loop', () => loop.running);
  health.addReadiness('last_round', () => loop.lastRoundOk);
  const server = await startOpsServer({ ...http, health, registry, log });
  const stop = (signal: string) => {
    deps.out({ msg: 'snapshotter stopping', signal });
    loop.stop();
    setTimeout(() => {
      deps.out({ level: 'fatal', msg: 'snapshotter stop timed out in a round', timeoutMs: common.shutdownTimeoutMs });
      process.exit(1);
    }, common.shutdownTimeoutMs).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  deps.out({ msg: 'snapshotter started', dir: o.dir, keep: o.keep, everyMs: o.everyMs });
  try {
    const stats = await loop.run();
    deps.out({ msg: 'snapshotter stopped', ...stats });
  } finally {
    // Probes hold no keep-alive socket for long, but a scrape may: close them rather than wait out its timeout.
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

main().catch((e: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'replay failed', err: e instanceof Error ? e.message : String(e) }));
  process.exit(1);
});
