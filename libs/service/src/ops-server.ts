import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '@feed/logging';
import type { Registry } from '@feed/metrics';
import type { Health } from './health';

/** Handlers for the operational endpoints, reused by the api's express app. */
export function opsHandlers(health: Health, registry: Registry) {
  const json = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  return {
    health: async (_req: IncomingMessage, res: ServerResponse) => {
      const r = await health.live();
      json(res, r.ok ? 200 : 503, { status: r.ok ? 'up' : 'down', ...r });
    },
    ready: async (_req: IncomingMessage, res: ServerResponse) => {
      const r = await health.ready();
      json(res, r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'not_ready', ...r });
    },
    metrics: async (_req: IncomingMessage, res: ServerResponse) => {
      const text = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    },
    json,
  };
}

/**
 * A tiny HTTP server for apps without an API (ingest, normalizer, persister): GET /health, /ready, /metrics.
 * Resolves once listening; `port` 0 picks a free port (tests read it from the "ops listening" log line).
 */
export async function startOpsServer(o: { host: string; port: number; health: Health; registry: Registry; log: Logger }): Promise<Server> {
  const h = opsHandlers(o.health, o.registry);
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    '/health': h.health,
    '/healthz': h.health,
    '/live': h.health,
    '/ready': h.ready,
    '/metrics': h.metrics,
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = req.method === 'GET' || req.method === 'HEAD' ? routes[path] : undefined;
    if (!route) return h.json(res, 404, { error: { code: 'not_found', message: `no route ${req.method} ${path}` } });
    route(req, res).catch((e: unknown) => {
      o.log.error({ err: e instanceof Error ? e.message : String(e), path }, 'ops handler failed');
      if (!res.headersSent) h.json(res, 500, { error: { code: 'internal', message: 'internal error' } });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address();
  o.log.info({ port: typeof addr === 'object' && addr ? addr.port : o.port }, 'ops listening');
  return server;
}
