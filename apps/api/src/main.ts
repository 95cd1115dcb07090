// Tracing first: it must be running before the modules its instrumentations patch are loaded.
import { tracing } from './instrument';
import { fromProcessEnv } from '@feed/config';
import { createLogger, errFields } from '@feed/logging';
import { openJetStream, streamName } from '@feed/messaging';
import { createRegistry } from '@feed/metrics';
import { connectRedis, createRedisClient } from '@feed/redis';
import { installShutdown } from '@feed/service';
import { readConfig } from './config';
import { startApi } from './server';

async function main(): Promise<void> {
  const cfg = readConfig(fromProcessEnv());
  const log = createLogger({ service: 'api', instanceId: cfg.common.instanceId, level: cfg.common.logLevel });
  const registry = createRegistry('api', cfg.common.instanceId);
  tracing.bindMetrics(registry);

  // Read side: fail fast rather than queue requests while Redis is away (/ready reports the outage).
  const redis = createRedisClient(cfg.redis, { name: `api-${cfg.common.instanceId}`, failFast: true });
  redis.on('error', (e: Error) => log.debug({ err: e.message }, 'redis error'));
  await connectRedis(redis, cfg.common.startupTimeoutMs, `Redis ${cfg.redis.host}:${cfg.redis.port}`);
  const { nc, js, jsm, connected } = await openJetStream(cfg.nats, cfg.common.startupTimeoutMs, [streamName(cfg.common.prefix, 'MD')]);

  const api = await startApi({ cfg, js, jsm, redis, natsConnected: connected, registry, log });

  installShutdown(log, cfg.common.shutdownTimeoutMs, () => [
    ...api.shutdownSteps(),
    { name: 'drain nats', run: () => nc.drain() },
    { name: 'quit redis', run: async () => void (await redis.quit().catch(() => redis.disconnect())) },
    { name: 'flush traces', run: () => tracing.shutdown(2_000) },
  ]);
}

main().catch((e: unknown) => {
  // Startup failure (config, NATS or Redis unreachable, MD stream missing): exit non-zero so a bad release rolls back.
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'api', msg: 'startup failed', ...errFields(e) })}\n`);
  process.exit(1);
});
