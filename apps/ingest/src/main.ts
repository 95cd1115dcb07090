// Tracing first: it must be running before the modules its instrumentations patch are loaded.
import { tracing } from './instrument';
import { fromProcessEnv } from '@feed/config';
import { errFields } from '@feed/logging';
import { Subjects, WindowedPublisher, openJetStream, streamName } from '@feed/messaging';
import { createServiceContext, installShutdown, startOpsServer } from '@feed/service';
import { readConfig } from './config';
import { createFrameHandler } from './frame-handler';
import { createIngestMetrics } from './metrics';
import { RawPublisher } from './raw-publisher';
import { sequenceGapMessages } from './sequence-gap-events';
import { SequenceChecker } from './sequence-checker';
import { StreamTracker } from './stream-tracker';
import { VenueSupervisor } from './venue-supervisor';
import { ADAPTERS, type StreamKey, type VenueAdapter } from './venues';

async function main(): Promise<void> {
  const cfg = readConfig(fromProcessEnv());
  const { log, registry, health } = createServiceContext('ingest', cfg.common);
  tracing.bindMetrics(registry);
  const metrics = createIngestMetrics(registry);
  const { nc, connected } = await openJetStream(cfg.nats, cfg.common.startupTimeoutMs, [streamName(cfg.common.prefix, 'RAW')]);
  health.addReadiness('nats', connected);

  const subjects = new Subjects(cfg.common.prefix);
  const ingestId = cfg.common.instanceId.replace(/[^A-Za-z0-9_.-]/g, '_');
  const publisher = new RawPublisher(
    new WindowedPublisher(nc, { window: cfg.publishWindow, timeoutMs: cfg.publishTimeoutMs }),
    { source: cfg.source, ingestId, maxQueued: cfg.maxQueued, maxAttempts: cfg.publishAttempts, retryDelayMs: 200, maxRetryDelayMs: 2_000 },
    metrics,
    log.child({ module: 'raw-publisher' }),
  );
  const allStreams: StreamKey[] = cfg.venues.flatMap((v) => v.symbols.flatMap((symbol) => v.channels.map((channel) => ({ venue: v.venue, channel, symbol }))));
  const staleAfterMs = (k: StreamKey): number => cfg.venues.find((v) => v.venue === k.venue)?.staleAfterMs[k.channel] ?? 10_000;
  const tracker = new StreamTracker(allStreams, { staleAfterMs, heartbeatMs: cfg.heartbeatMs, ingestId, source: cfg.source, subjects }, (m) => publisher.enqueue(m), metrics);
  const sequenceGaps = new Map<string, number>();
  const supervisors = cfg.venues.map((v) => {
    const adapter = ADAPTERS[v.venue] as VenueAdapter;
    const checker = new SequenceChecker();
    const tradeSymbols = v.channels.includes('trade') ? v.symbols : [];
    // A reconnect request can only arrive once the supervisor has started, so the closure sees it assigned.
    const supervisor: VenueSupervisor = new VenueSupervisor(
      adapter,
      {
        baseUrl: v.baseUrl,
        streams: allStreams.filter((s) => s.venue === v.venue),
        silentMs: v.silentMs,
        backoff: { baseMs: cfg.backoffBaseMs, maxMs: cfg.backoffMaxMs, stableMs: cfg.backoffStableMs },
        lifetimeMs: v.lifetimeMs,
        rotateBeforeMs: v.rotateBeforeMs,
        overlapMs: v.overlapMs,
        handshakeTimeoutMs: cfg.handshakeTimeoutMs,
      },
      createFrameHandler({
        adapter,
        subjects,
        publisher,
        tracker,
        metrics,
        onReconnectRequest: () => supervisor.rotate('venue asked to reconnect'),
        sequence: {
          checker,
          onJump: (conn, jump, recvUs) => {
            sequenceGaps.set(v.venue, (sequenceGaps.get(v.venue) ?? 0) + 1);
            log.warn({ venue: v.venue, conn: conn.id, after: jump.after, before: jump.before }, 'sequence gap on connection');
            for (const m of sequenceGapMessages({ venue: v.venue, symbols: tradeSymbols, ingestId, source: cfg.source, subjects }, conn, jump, recvUs)) publisher.enqueue(m);
          },
        },
      }),
      (up, reason) => tracker.setConnected(v.venue, up, reason),
      metrics,
      log.child({ module: 'venue', venue: v.venue }),
    );
    supervisor.onConnectionClosed = (id) => checker.forget(id);
    return supervisor;
  });
  // Ingest's own view: per stream its connection state, last frame, frames and stale window; per venue its sequence gaps.
  health.addDetail('streams', () => tracker.snapshot());
  health.addDetail('sequenceGaps', () => Object.fromEntries(sequenceGaps));
  health.addDetail('queued', () => publisher.queued);
  const server = await startOpsServer({ ...cfg.http, health, registry, log });
  tracker.start();
  for (const s of supervisors) s.start();
  log.info({ source: cfg.source, venues: cfg.venues.map((v) => ({ venue: v.venue, url: v.baseUrl, symbols: v.symbols })) }, 'ingest started');

  installShutdown(log, cfg.common.shutdownTimeoutMs, () => [
    { name: 'close venue sockets', run: async () => supervisors.forEach((s) => s.stop()) },
    { name: 'mark streams down', run: async () => tracker.stop() },
    { name: 'flush raw frames', run: () => publisher.drain() },
    { name: 'drain nats', run: () => nc.drain() },
    { name: 'close http', run: () => new Promise<void>((r) => server.close(() => r())) },
    { name: 'flush traces', run: () => tracing.shutdown(2_000) },
  ]);
}

main().catch((e: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'ingest', msg: 'startup failed', ...errFields(e) })}\n`);
  process.exit(1);
});
