// Tracing first: it must be running before the modules its instrumentations patch are loaded.
import { tracing } from './instrument';
import { fromProcessEnv } from '@feed/config';
import { errFields } from '@feed/logging';
import {
  ConsumerLoop,
  DeadLetterer,
  LeaderLease,
  Subjects,
  WindowedPublisher,
  connectNats,
  createConsumerMetrics,
  durableName,
  ensureDurable,
  leaseBucket,
  openJetStream,
  streamName,
} from '@feed/messaging';
import { createServiceContext, installShutdown, startOpsServer } from '@feed/service';
import { Kvm } from '@nats-io/kv';
import { readConfig } from './config';
import { decodeRaw } from './decode';
import { createNormalizerMetrics } from './metrics';
import { createGapMetrics } from './gaps/gap-metrics';
import { wireGaps } from './gaps/wire-gaps';
import { createBatchHandler, createDirectPublisher } from './publish-events';
import { RecentIds } from './recent-ids';

async function main(): Promise<void> {
  const cfg = readConfig(fromProcessEnv());
  const { log, registry, health } = createServiceContext('normalizer', cfg.common);
  tracing.bindMetrics(registry);
  const raw = streamName(cfg.common.prefix, 'RAW');
  const { nc, js, jsm, connected } = await openJetStream(cfg.nats, cfg.common.startupTimeoutMs, [raw, streamName(cfg.common.prefix, 'MD'), streamName(cfg.common.prefix, 'DLQ')]);
  health.addReadiness('nats', connected);

  const subjects = new Subjects(cfg.common.prefix);
  const publisher = new WindowedPublisher(nc, { window: cfg.publishWindow, timeoutMs: cfg.publishTimeoutMs });
  const durable = durableName(cfg.common.prefix, 'normalizer', cfg.group);
  const loopOpts = { stream: raw, durable, filterSubject: subjects.rawAll(), ackWaitMs: cfg.ackWaitMs, maxDeliver: cfg.maxDeliver, maxAckPending: cfg.maxAckPending };
  await ensureDurable(jsm, loopOpts);

  let lease: LeaderLease | undefined;
  let leaseNc: Awaited<ReturnType<typeof connectNats>> | undefined;
  if (cfg.useLease) {
    // Its own connection: renewals must not queue behind a thousand in-flight MD publishes under load.
    leaseNc = await connectNats({ ...cfg.nats, name: `${cfg.nats.name}-lease`, startupTimeoutMs: cfg.common.startupTimeoutMs });
    const kv = await new Kvm(leaseNc).open(leaseBucket(cfg.common.prefix));
    // The bucket's max_age IS the lease lifetime (set by the stream setup tool); read it rather than duplicate it.
    const ttlMs = (await kv.status()).ttl;
    lease = new LeaderLease(kv, `normalizer.${cfg.group}`, cfg.common.instanceId, {
        ttlMs,
        takeoverDelayMs: cfg.takeoverDelayMs,
        // Nothing unacknowledged means no previous holder has a batch in flight: continue at once, in order.
        skipDelayIf: async () => (await jsm.consumers.info(raw, durable)).num_ack_pending === 0,
      }, log.child({ module: 'lease' }));
    lease.start();
  }
  const metrics = createNormalizerMetrics(registry);
  const recent = new RecentIds(Math.max(1, cfg.recentIdsPerStream));
  const gaps = wireGaps(cfg.gaps, createDirectPublisher({ publisher, subjects, recent, metrics }), createGapMetrics(registry, ['binance', 'kraken', 'okx', 'coinbase']), log);
  const loop = new ConsumerLoop({
    ...loopOpts,
    name: durable,
    js,
    jsm,
    batchSize: cfg.batchSize,
    maxPendingBatches: cfg.pipeline,
    decode: (msg) => decodeRaw(msg, cfg.common.prefix),
    handle: createBatchHandler({ publisher, subjects, recent, metrics, gaps }),
    deadLetter: new DeadLetterer(publisher, subjects, 'normalizer'),
    probe: async () => {
      await jsm.streams.info(streamName(cfg.common.prefix, 'MD'));
      return true;
    },
    probeIntervalMs: cfg.probeIntervalMs,
    nakDelayMs: cfg.nakDelayMs,
    ...(lease ? { isActive: () => (lease as LeaderLease).isLeader(), isHeld: () => (lease as LeaderLease).holds() } : {}),
    log: log.child({ module: 'consumer' }),
    metrics: createConsumerMetrics(registry),
  });
  health.addLiveness('consumer_loop', () => loop.isAlive(cfg.ackWaitMs * 6));
  health.addDetail('consumer', () => ({ state: loop.state, batches: loop.batches, leader: lease ? lease.isLeader() : true }));
  health.addDetail('gaps', () => ({ open: gaps.openCount }));
  const server = await startOpsServer({ ...cfg.http, health, registry, log });
  loop.start();
  gaps.start();
  log.info({ durable, lease: cfg.useLease }, 'normalizer started');

  installShutdown(log, cfg.common.shutdownTimeoutMs, () => [
    { name: 'stop consuming', run: () => loop.stop() },
    { name: 'stop gap repair', run: async () => gaps.stop() },
    { name: 'flush publishes', run: () => publisher.idle() },
    { name: 'release lease', run: async () => lease?.stop() },
    { name: 'close lease connection', run: async () => void (await leaseNc?.drain()) },
    { name: 'drain nats', run: () => nc.drain() },
    { name: 'close http', run: () => new Promise<void>((r) => server.close(() => r())) },
    { name: 'flush traces', run: () => tracing.shutdown(2_000) },
  ]);
}

main().catch((e: unknown) => {
  // Startup failure (config, NATS unreachable, streams missing): exit non-zero so a bad release rolls back.
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'normalizer', msg: 'startup failed', ...errFields(e) })}\n`);
  process.exit(1);
});
