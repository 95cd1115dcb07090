import type { Logger } from '@feed/logging';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import { ApiError, BadRequestError, NotFoundError } from './errors';
import type { ApiMetrics } from './metrics';
import { mountDashboard } from './routes/dashboard';
import type { indexRoutes } from './routes/index-routes';
import type { candleRoutes } from './routes/candles';
import type { marketRoutes } from './routes/market';
import { mountOps, type OpsDeps } from './routes/ops';

export interface AppDeps {
  market: ReturnType<typeof marketRoutes>;
  /** Composite index routes; absent when the deployment computes no index. */
  index?: ReturnType<typeof indexRoutes>;
  candles: ReturnType<typeof candleRoutes>;
  ops: OpsDeps;
  metrics: ApiMetrics;
  trustProxyHops: number;
  /** API_SYMBOLS, for the dashboard's symbol picker. */
  symbols: readonly string[];
  log: Logger;
  /** GET /v1/status: read target and projection lag (decision 10). */
  status?: RequestHandler;
  /** The Redis reads currently go to; sent as `x-feed-read-target` on every response. */
  readTarget?: () => string;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Duration by route TEMPLATE (bounded label), recorded when the response is done or the client went away. */
function requestMetrics(m: ApiMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const t0 = process.hrtime.bigint();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      m.httpDuration.observe({ route, method, status: String(res.statusCode) }, Number(process.hrtime.bigint() - t0) / 1e9);
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}

/** Maps any error to a JSON body without a stack trace; 4xx/503 are counted as rejections by their code. */
function errorHandler(m: ApiMetrics, log: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    let e: ApiError | undefined = err instanceof ApiError ? err : undefined;
    const type = (err as { type?: unknown } | null)?.type;
    if (!e && type === 'entity.too.large') {
      m.rejectedRequests.inc({ reason: 'payload_too_large' });
      res.status(413).json({ error: { code: 'payload_too_large', message: 'request body too large' } });
      return;
    }
    if (!e && type === 'entity.parse.failed') e = new BadRequestError('request body is not valid JSON');
    // Other client errors raised by express itself (undecodable path, aborted body, ...) keep their 4xx status.
    const status = (err as { status?: unknown } | null)?.status;
    if (!e && typeof status === 'number' && status >= 400 && status < 500) {
      m.rejectedRequests.inc({ reason: 'bad_request' });
      res.status(status).json({ error: { code: 'bad_request', message: 'malformed request' } });
      return;
    }
    if (e) {
      m.rejectedRequests.inc({ reason: e.code });
      if (e.status >= 500) log.warn({ path: req.path, code: e.code, cause: e.cause instanceof Error ? e.cause.message : undefined }, 'request failed');
      res.status(e.status).json(e.body());
      return;
    }
    log.error({ path: req.path, err: err instanceof Error ? err.message : String(err) }, 'unhandled request error');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}

/**
 * The express app: helmet's defaults (CSP without inline scripts: the dashboard's script is its own route),
 * no x-powered-by, `trust proxy` set to the exact hop count, a small body limit (no route takes a body), JSON
 * 404s and a generic JSON error handler.
 */
export function createApp(d: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', d.trustProxyHops > 0 ? d.trustProxyHops : false);
  app.set('query parser', 'simple');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // The stack serves plain HTTP on a laptop; upgrading subresources to https would break the dashboard there.
          'upgrade-insecure-requests': null,
          // Same-origin fetch and WebSocket only ('self' covers ws:/wss: to the same host in CSP3 browsers).
          'connect-src': ["'self'"],
        },
      },
    }),
  );
  app.use(requestMetrics(d.metrics));
  const readTarget = d.readTarget;
  if (readTarget) {
    app.use((_req: Request, res: Response, next: NextFunction) => {
      res.set('x-feed-read-target', readTarget());
      next();
    });
  }
  app.use(express.json({ limit: '4kb' }));
  mountOps(app, d.ops);
  app.get('/v1/prices/latest', d.market.latest);
  app.get('/v1/trades', d.market.trades);
  app.get('/v1/venues', d.market.venues);
  if (d.index) {
    app.get('/v1/index', d.index.latest);
    app.get('/v1/index/history', d.index.history);
    app.get('/v1/index/stats', d.index.stats);
  }
  app.get('/v1/candles', d.candles.candles);
  app.get('/v1/stats', d.candles.stats);
  if (d.status) app.get('/v1/status', d.status);
  mountDashboard(app, d.symbols);
  app.use((req: Request) => {
    throw new NotFoundError(`no route ${req.method} ${req.path.slice(0, 200)}`);
  });
  app.use(errorHandler(d.metrics, d.log));
  return app;
}
