// Tracing first: it must be running before the modules its instrumentations patch are loaded.
import { tracing } from './instrument';
import { fromProcessEnv, type RedisEndpoint } from '@feed/config';
import { createLogger, errFields, type Logger } from '@feed/logging';
import { openJetStream, streamName } from '@feed/messaging';
import { createRegistry } from '@feed/metrics';
import { connectRedis, createRedisClient } from '@feed/redis';
import { installShutdown } from '@feed/service';
import type { Redis } from 'ioredis';
import { readConfig, type ApiConfig } from './config';
import { startApi } from './server';

async function main(): Promise<void> {
  const cfg = readConfig(fromProcessEnv());
  const log = createLogger({ service: 'api', instanceId: cfg.common.instanceId, level: cfg.common.logLevel });
  const registry = createRegistry('api', cfg.common.instanceId);
  tracing.bindMetrics(registry);

  // Read side: fail fast rather than queue requests while Redis is away (/ready reports the outage).
  const redis = createRedisClient(cfg.redis, { name: `api-${cfg.common.instanceId}`, failFast: true });
  redis.on('error', (e: Error) => log.debug({ err: e.message }, 'redis error'));
  const standby = cfg.standby && createRedisClient(cfg.standby, { name: `api-standby-${cfg.common.instanceId}`, failFast: true });
  standby?.on('error', (e: Error) => log.debug({ err: e.message }, 'standby redis error'));
  await connectReadSide(redis, standby, cfg, log);
  const { nc, js, jsm, connected } = await openJetStream(cfg.nats, cfg.common.startupTimeoutMs, [streamName(cfg.common.prefix, 'MD')]);

  const api = await startApi({ cfg, js, jsm, redis, ...(standby ? { standby } : {}), natsConnected: connected, registry, log });

  installShutdown(log, cfg.common.shutdownTimeoutMs, () => [
    ...api.shutdownSteps(),
    { name: 'drain nats', run: () => nc.drain() },
    { name: 'quit redis', run: async () => void (await Promise.all([redis, ...(standby ? [standby] : [])].map((c) => c.quit().catch(() => c.disconnect())))) },
    { name: 'flush traces', run: () => tracing.shutdown(2_000) },
  ]);
}

/**
 * Decision 9 with a standby: start when at least one Redis answers within the deadline (the read switch serves
 * from whichever does); exit non-zero when neither does. A Redis still down keeps reconnecting in the background.
 */
async function connectReadSide(primary: Redis, standby: Redis | undefined, cfg: ApiConfig, log: Logger): Promise<void> {
  const what = (ep: RedisEndpoint) => `${ep.sentinel ? `Redis via Sentinel ${ep.sentinel.masterName}` : `Redis ${ep.host}:${ep.port}`}`;
  if (!standby || !cfg.standby) return connectRedis(primary, cfg.common.startupTimeoutMs, what(cfg.redis));
  const results = await Promise.allSettled([connectRedis(primary, cfg.common.startupTimeoutMs, what(cfg.redis)), connectRedis(standby, cfg.common.startupTimeoutMs, `standby ${what(cfg.standby)}`)]);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length === 2) throw failed[0]?.reason;
  for (const f of failed) log.warn({ err: f.reason instanceof Error ? f.reason.message : String(f.reason) }, 'starting without one Redis: reads use the other until it answers');
}

main().catch((e: unknown) => {
  // Startup failure (config, NATS or Redis unreachable, MD stream missing): exit non-zero so a bad release rolls back.
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'api', msg: 'startup failed', ...errFields(e) })}\n`);
  process.exit(1);
});
