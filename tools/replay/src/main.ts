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
 * Settings: NATS_*, REDIS_* (Sentinel and TLS included), FEED_PREFIX/FEED_KEY_PREFIX, the projection settings the
 * persister reads (EXCHANGE, LEGACY_*, RECENT_TRADES_MAX, MD_MAX_AGE_MS), REPLAY_BATCH, REPLAY_IN_FLIGHT.
 */
import { fromProcessEnv, readCommon, readNats, readRedis } from '@feed/config';
import { keyFamilies, Keys } from '@feed/keys';
import { connectNats, streamName, Subjects } from '@feed/messaging';
import { BatchApplier, readProjectionSettings, scriptProjections, type LegacySettings } from '@feed/projections';
import { connectRedis, createRedisClient } from '@feed/redis';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { rebuild, restore, snapshotRound, type ReplayDeps } from './commands';

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
  const inFlight = r.int('REPLAY_IN_FLIGHT', { default: 2, min: 1, max: 64 });
  const keys = new Keys(common.keyPrefix);
  const projections = readProjectionSettings(r, keys);
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
    let stopping = false;
    let wake: (() => void) | undefined;
    const stop = () => {
      stopping = true;
      wake?.();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    do {
      await snapshotRound(deps, { dir, keep });
      if (every > 0 && !stopping) await new Promise<void>((res) => (wake = res, setTimeout(res, every).unref()));
    } while (every > 0 && !stopping);
  }
  await nc.drain();
  await redis.quit();
}

main().catch((e: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'replay failed', err: e instanceof Error ? e.message : String(e) }));
  process.exit(1);
});
