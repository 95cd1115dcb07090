// Tracing first: it must be running before the modules its instrumentations patch are loaded.
import { tracing } from './instrument';
import { fromProcessEnv } from '@feed/config';
import { Keys } from '@feed/keys';
import { errFields } from '@feed/logging';
import {
  ConsumerLoop,
  DeadLetterer,
  Subjects,
  WindowedPublisher,
  createConsumerMetrics,
  durableName,
  ensureDurable,
  openJetStream,
  streamName,
} from '@feed/messaging';
import { decodeEvent } from '@feed/price-types';
import { connectRedis, createRedisClient } from '@feed/redis';
import { createServiceContext, installShutdown, startOpsServer } from '@feed/service';
import { readConfig } from './config';
import { createBatchHandler } from './handle-batch';
import { createPersisterMetrics } from './metrics';
import { createIndexMetrics } from './index-metrics';
import { LateTradeLog } from './late-trades';
import { LostStateRecovery } from './lost-state';
import { ProjectionWatch } from './projection-watch';
import { BatchApplier, scriptProjections } from '@feed/projections';

async function main(): Promise<void> {
  const cfg = readConfig(fromProcessEnv());
  const { log, registry, health } = createServiceContext('persister', cfg.common);
  tracing.bindMetrics(registry);

  const redis = createRedisClient(cfg.redis, { name: `persister-${cfg.group}-${cfg.common.instanceId}`, failFast: true });
  redis.on('error', (e: Error) => log.debug({ err: e.message }, 'redis error'));
  await connectRedis(redis, cfg.common.startupTimeoutMs, cfg.redis.sentinel ? `Redis via Sentinel ${cfg.redis.sentinel.masterName}` : `${cfg.redisRole} Redis ${cfg.redis.host}:${cfg.redis.port}`);
  const md = streamName(cfg.common.prefix, 'MD');
  const { nc, js, jsm, connected } = await openJetStream(cfg.nats, cfg.common.startupTimeoutMs, [md, streamName(cfg.common.prefix, 'DLQ')]);
  health.addReadiness('nats', connected);
  health.addReadiness('redis', () => redis.status === 'ready');

  const subjects = new Subjects(cfg.common.prefix);
  const durable = durableName(cfg.common.prefix, 'persister', cfg.group);
  const loopOpts = { stream: md, durable, filterSubject: subjects.mdAll(), ackWaitMs: cfg.ackWaitMs, maxDeliver: cfg.maxDeliver, maxAckPending: cfg.maxAckPending };
  await ensureDurable(jsm, loopOpts);
  const keys = new Keys(cfg.common.keyPrefix);
  const applier = new BatchApplier(redis, {
    keys,
    group: cfg.group,
    recentTradesMax: cfg.recentTradesMax,
    dedupeTtlSeconds: cfg.dedupeTtlSeconds,
    publish: true,
    legacy: cfg.legacy,
    candles: cfg.projections.candles,
  }, scriptProjections(cfg.projections, { index: createIndexMetrics(registry) }));
  const metrics = createPersisterMetrics(registry);
  const lateLog = new LateTradeLog(log.child({ module: 'candles' }), metrics.lateTrades, 10_000, Date.now, metrics.candleSkipped);
  const loop = new ConsumerLoop({
    ...loopOpts,
    name: durable,
    js,
    jsm,
    batchSize: cfg.batchSize,
    lingerMs: cfg.lingerMs,
    decode: (msg) => decodeEvent(msg.data),
    handle: createBatchHandler(applier, metrics, lateLog),
    deadLetter: new DeadLetterer(new WindowedPublisher(nc, { window: 100, timeoutMs: 5_000 }), subjects, 'persister'),
    // Stop fetching while Redis is down (JetStream keeps the events); resume when PING answers.
    probe: async () => (await redis.ping()) === 'PONG',
    probeIntervalMs: cfg.probeIntervalMs,
    nakDelayMs: cfg.nakDelayMs,
    log: log.child({ module: 'consumer' }),
    metrics: createConsumerMetrics(registry),
  });
  health.addLiveness('consumer_loop', () => loop.isAlive(cfg.ackWaitMs * 6));
  health.addDetail('consumer', () => ({ state: loop.state, batches: loop.batches, group: cfg.group }));
  // A Redis back without our projection is rebuilt from the log (see lost-state.ts); checked before consuming.
  const recovery = new LostStateRecovery({
    redis,
    keys,
    group: cfg.group,
    js,
    jsm,
    stream: md,
    filter: subjects.mdAll(),
    durable,
    applier: new BatchApplier(redis, { keys, group: cfg.group, recentTradesMax: cfg.recentTradesMax, dedupeTtlSeconds: cfg.dedupeTtlSeconds, publish: false, legacy: cfg.legacy, candles: cfg.projections.candles }, scriptProjections(cfg.projections)),
    batchSize: Math.max(cfg.batchSize, 1_000),
    registry,
    log: log.child({ module: 'lost-state' }),
  });
  recovery.attach();
  void recovery.check();
  health.addDetail('projection', () => ({ rebuilding: recovery.active }));
  const watch = new ProjectionWatch({ redis, role: cfg.redisRole, group: cfg.group, keys, streamLastSeq: async () => (await jsm.streams.info(md)).state.last_seq, intervalMs: cfg.lagIntervalMs, registry, log });
  const server = await startOpsServer({ ...cfg.http, health, registry, log });
  watch.start();
  loop.start();
  log.info({ durable, group: cfg.group, redis: cfg.redisRole, legacy: cfg.legacy }, 'persister started');

  installShutdown(log, cfg.common.shutdownTimeoutMs, () => [
    { name: 'stop consuming', run: async () => (watch.stop(), await loop.stop()) },
    { name: 'report late trades', run: async () => lateLog.flush() },
    { name: 'drain nats', run: () => nc.drain() },
    { name: 'close redis', run: async () => void (await redis.quit().catch(() => redis.disconnect())) },
    { name: 'close http', run: () => new Promise<void>((r) => server.close(() => r())) },
    { name: 'flush traces', run: () => tracing.shutdown(2_000) },
  ]);
}

main().catch((e: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'persister', msg: 'startup failed', ...errFields(e) })}\n`);
  process.exit(1);
});
