/**
 * Replay: rebuild every Redis projection from the MD log (hard rule 2). Reads the MD stream from the first
 * sequence with an ordered consumer (no durable state left behind), applies batches with the same projection
 * code the persister runs, with `publish` off (a replay never re-publishes btc_price), into the Redis given by the
 * REDIS_* settings (the live one or a scratch one), and stops once it has applied everything up to the stream's
 * last sequence at start. Prints one JSON line with counts and the rate.
 *
 *   NATS_URL=... REDIS_HOST=... REDIS_PORT=... node dist/tools/replay/main.js [--group replay]
 */
import { fromProcessEnv, readCommon, readNats, readRedis } from '@feed/config';
import { Keys } from '@feed/keys';
import { connectNats, streamName, Subjects } from '@feed/messaging';
import { BatchApplier, readProjectionSettings, scriptProjections, type LegacySettings, type SequencedEvent } from '@feed/projections';
import { decodeEvent } from '@feed/price-types';
import { connectRedis, createRedisClient } from '@feed/redis';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

async function main(): Promise<void> {
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
  const keys = new Keys(common.keyPrefix);
  const projections = readProjectionSettings(r, keys);
  r.done();
  const group = arg('group', 'primary');

  const redis = createRedisClient(redisEp, { name: 'feed-replay', failFast: true });
  await connectRedis(redis, common.startupTimeoutMs, `Redis ${redisEp.host}:${redisEp.port}`);
  const nc = await connectNats({ ...nats, startupTimeoutMs: common.startupTimeoutMs });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const md = streamName(common.prefix, 'MD');
  const filter = new Subjects(common.prefix).mdAll();
  const info = await jsm.streams.info(md);
  // Stop at the last message the filter covers, not the stream's last: that one may be on another MD subject (a
  // later schema version), which the filtered consumer never delivers, so waiting for it would never end.
  const lastMatching = info.state.messages > 0 ? await jsm.streams.getMessage(md, { last_by_subj: filter }) : null;
  const lastSeq = lastMatching?.seq ?? 0;
  const applier = new BatchApplier(redis, { keys, group, recentTradesMax, dedupeTtlSeconds: Math.ceil(mdRetentionMs / 1000) + 86_400, publish: false, legacy, candles: projections.candles }, scriptProjections(projections));

  const t0 = Date.now();
  let events = 0;
  let applied = 0;
  let poison = 0;
  if (lastSeq > 0) {
    const consumer = await js.consumers.get(md, { filter_subjects: filter });
    const iter = await consumer.consume({ max_messages: batchSize * 2 });
    let batch: SequencedEvent[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const res = await applier.apply(batch);
      for (const c of Object.values(res.counts)) applied += c.applied;
      batch = [];
    };
    for await (const m of iter) {
      events++;
      try {
        batch.push({ ev: decodeEvent(m.data), seq: m.seq });
      } catch {
        poison++; // the live persister dead-lettered these too; a replay skips them the same way
      }
      if (batch.length >= batchSize || m.seq >= lastSeq || m.info.pending === 0) await flush();
      if (m.seq >= lastSeq) break;
    }
    await flush();
    await iter.close();
  }
  const ms = Date.now() - t0;
  console.log(JSON.stringify({ msg: 'replay complete', stream: md, lastSeq, events, applied, poison, ms, eventsPerSecond: ms > 0 ? Math.round((events * 1000) / ms) : events }));
  await nc.drain();
  await redis.quit();
}

main().catch((e: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'replay failed', err: e instanceof Error ? e.message : String(e) }));
  process.exit(1);
});
