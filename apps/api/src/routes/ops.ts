import type { RedisEndpoint } from '@feed/config';
import type { Registry } from '@feed/metrics';
import { opsHandlers, type Health } from '@feed/service';
import type { Express, Request, Response } from 'express';

export interface OpsDeps {
  health: Health;
  registry: Registry;
  redisEndpoint: Pick<RedisEndpoint, 'host' | 'port'>;
  redisConnected: () => boolean;
  /** Which Redis reads go to (decision 10); the legacy `role` field reports it. Defaults to primary. */
  redisRole?: () => string;
}

/**
 * Operational endpoints (hard rule 6, decision 9) and the legacy v3 health surface on the same port:
 *   /health, and the legacy aliases /, /live, /healthz, /ping  -> liveness (event loop, live consumer)
 *   /ready                                                      -> NATS and Redis connected, else 503
 *   /metrics                                                    -> Prometheus text (the legacy feed served JSON here)
 *   /redis/status                                               -> legacy JSON {connected, host, port, role}
 */
export function mountOps(app: Express, d: OpsDeps): void {
  const h = opsHandlers(d.health, d.registry);
  const live = (req: Request, res: Response) => h.health(req, res);
  for (const path of ['/health', '/', '/live', '/healthz', '/ping']) app.get(path, live);
  app.get('/ready', (req, res) => h.ready(req, res));
  app.get('/metrics', (req, res) => h.metrics(req, res));
  app.get('/redis/status', (_req, res) => {
    res.set('cache-control', 'no-store').json({ connected: d.redisConnected(), host: d.redisEndpoint.host, port: d.redisEndpoint.port, role: d.redisRole?.() ?? 'primary' });
  });
}
