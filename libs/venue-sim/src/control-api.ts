import type http from 'node:http';
import { BadRequest, parseJsonBody, queryInt, validateBody, type Schema } from './control-body';
import { isValidCloseCode } from './faults';
import { serveRestTrades } from './rest-api';
import type { VenueSim } from './simulator';
import { HOSTILE_KINDS, type HostileKind } from './types';

/**
 * The control API, JSON over HTTP on the simulator's port:
 *   GET  /health                      {"status":"ok"}
 *   GET  /stats                       connections, counters, rates, per-market counts
 *   GET  /record?venue=&symbol=&from=&limit=   a page of the trade record (limit <= 10000)
 *   GET  /record/summary              per market: count, first/last trade id, last price, resends, hostile
 *   GET  /record?...&channel=quote    a page of the quote (best bid/ask) record instead
 *   GET  /record/hostile?from=&limit= hostile frames sent;  GET /record/resends?from=&limit=  resends sent
 *   GET  /record/gaps?from=&limit=    trades the gap fault skipped
 *   POST /control/<switch>            JSON body, see SWITCHES; 400 {"error":..} on bad input
 *   GET  /<venue>/<venue REST path>   the venue's recent-trades endpoint (see rest-api.ts)
 */
const MAX_BODY = 64 * 1024;
const SYMBOL = { type: 'string', maxLength: 32 } as const;
const MAX_MS = 24 * 3600_000;

type Switch = { schema: Schema; run: (sim: VenueSim, b: Record<string, unknown>) => unknown };

const setRate: Switch = {
  schema: { rate: { type: 'number', min: 0, max: 1_000_000, required: true }, symbol: SYMBOL, venue: SYMBOL },
  run: (sim, b) => {
    const symbol = b['symbol'] as string | undefined;
    if (symbol !== undefined || b['venue'] !== undefined) sim.market(symbol, b['venue'] as string | undefined);
    sim.setRate(b['rate'] as number, symbol, b['venue'] as string | undefined);
    return { rate: b['rate'] };
  },
};

const closeAllSwitch: Switch = {
  schema: { code: { type: 'int', min: 1000, max: 4999 }, reason: { type: 'string', maxLength: 120 } },
  run: (sim, b) => {
    const code = (b['code'] as number | undefined) ?? 1000;
    if (!isValidCloseCode(code)) throw new BadRequest(`code ${code} is not a close code a server may send`);
    return { closed: sim.closeAll(code, (b['reason'] as string | undefined) ?? '') };
  },
};

const SWITCHES: Record<string, Switch> = {
  drop: { schema: {}, run: (sim) => ({ dropped: sim.drop() }) },
  silence: {
    schema: { ms: { type: 'int', min: 0, max: MAX_MS, required: true } },
    run: (sim, b) => (sim.silence(b['ms'] as number), { silencedForMs: b['ms'] }),
  },
  pause: { schema: {}, run: (sim) => (sim.pause(), { paused: true }) },
  resume: { schema: {}, run: (sim) => (sim.resume(), { paused: false }) },
  rate: setRate,
  setRate,
  'set-rate': setRate,
  hostile: {
    schema: { kind: { type: 'enum', values: HOSTILE_KINDS, required: true }, count: { type: 'int', min: 1, max: 10_000 }, symbol: SYMBOL },
    run: (sim, b) => sim.hostile(b['kind'] as HostileKind, (b['count'] as number | undefined) ?? 1, { symbol: b['symbol'] as string | undefined }),
  },
  resend: {
    schema: { count: { type: 'int', min: 1, max: 100_000, required: true }, delayMs: { type: 'int', min: 0, max: MAX_MS }, symbol: SYMBOL },
    run: (sim, b) => {
      const delayMs = (b['delayMs'] as number | undefined) ?? 0;
      const h = sim.resend(b['count'] as number, delayMs, { symbol: b['symbol'] as string | undefined });
      return { scheduled: h.scheduled, delayMs };
    },
  },
  closeAll: closeAllSwitch,
  'close-all': closeAllSwitch,
  gap: {
    schema: { count: { type: 'int', min: 1, max: 1_000_000, required: true }, symbol: SYMBOL, venue: SYMBOL },
    run: (sim, b) => ({ count: b['count'], markets: sim.gap(b['count'] as number, { symbol: b['symbol'] as string | undefined, venue: b['venue'] as string | undefined }) }),
  },
  gapOne: {
    schema: { count: { type: 'int', min: 1, max: 1_000_000, required: true }, delayMs: { type: 'int', min: 0, max: MAX_MS }, symbol: SYMBOL, venue: SYMBOL },
    run: (sim, b) => {
      const delayMs = (b['delayMs'] as number | undefined) ?? 0;
      const markets = sim.gapOne(b['count'] as number, delayMs, { symbol: b['symbol'] as string | undefined, venue: b['venue'] as string | undefined });
      return { count: b['count'], delayMs, markets };
    },
  },
  stallHeartbeats: {
    schema: { ms: { type: 'int', min: 0, max: MAX_MS, required: true } },
    run: (sim, b) => (sim.stallHeartbeats(b['ms'] as number), { stalledForMs: b['ms'] }),
  },
  reject429: {
    schema: { count: { type: 'int', min: 0, max: 100_000, required: true }, retryAfterS: { type: 'int', min: 0, max: 86_400 } },
    run: (sim, b) => {
      const retryAfterS = (b['retryAfterS'] as number | undefined) ?? 1;
      sim.reject429(b['count'] as number, retryAfterS);
      return { count: b['count'], retryAfterS };
    },
  },
  restReject429: {
    schema: { count: { type: 'int', min: 0, max: 100_000, required: true }, retryAfterS: { type: 'int', min: 0, max: 86_400 } },
    run: (sim, b) => {
      const retryAfterS = (b['retryAfterS'] as number | undefined) ?? 1;
      sim.restReject429(b['count'] as number, retryAfterS);
      return { count: b['count'], retryAfterS };
    },
  },
  quoteRate: {
    schema: { rate: { type: 'number', min: 0, max: 1_000_000, required: true }, symbol: SYMBOL, venue: SYMBOL },
    run: (sim, b) => (sim.setQuoteRate(b['rate'] as number, b['symbol'] as string | undefined, b['venue'] as string | undefined), { quoteRate: b['rate'] }),
  },
};

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c); // past the limit: keep draining, answer 400 at the end
    });
    req.on('end', () => {
      if (size > MAX_BODY) reject(new BadRequest(`body larger than ${MAX_BODY} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function page<T>(items: readonly T[], q: URLSearchParams): { total: number; from: number; entries: T[] } {
  const from = queryInt(q, 'from', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = queryInt(q, 'limit', 1000, 1, 10_000);
  return { total: items.length, from, entries: items.slice(from, from + limit) };
}

const GET_PATHS = new Set(['/health', '/stats', '/record', '/record/summary', '/record/hostile', '/record/resends', '/record/gaps']);

function getRoute(sim: VenueSim, path: string, q: URLSearchParams): unknown {
  switch (path) {
    case '/health':
      return { status: 'ok', venues: sim.venues };
    case '/stats':
      return sim.stats();
    case '/record': {
      for (const k of q.keys()) if (!['venue', 'symbol', 'from', 'limit', 'channel'].includes(k)) throw new BadRequest(`unknown parameter ${k}`);
      const channel = q.get('channel') ?? 'trade';
      if (channel !== 'trade' && channel !== 'quote') throw new BadRequest('channel must be trade or quote');
      const from = queryInt(q, 'from', 0, 0, Number.MAX_SAFE_INTEGER);
      const limit = queryInt(q, 'limit', 1000, 1, 10_000);
      const venue = q.get('venue') ?? undefined;
      let market;
      try {
        market = sim.market(q.get('symbol') ?? undefined, venue);
      } catch (err) {
        throw new BadRequest((err as Error).message);
      }
      if (channel === 'quote') {
        const quotes = sim.quoteRecordPage(from, limit, market.symbol, market.venue);
        const count = sim.quoteRecordCount(market.symbol, market.venue);
        const lastQ = quotes[quotes.length - 1];
        return { venue: market.venue, symbol: market.symbol, channel, count, from, quotes, nextFrom: lastQ ? lastQ.index + 1 : Math.max(from, count) };
      }
      const trades = sim.recordPage(from, limit, market.symbol, market.venue);
      const count = sim.recordCount(market.symbol, market.venue);
      const last = trades[trades.length - 1];
      return { venue: market.venue, symbol: market.symbol, count, from, trades, nextFrom: last ? last.index + 1 : Math.max(from, count) };
    }
    case '/record/summary':
      return { markets: sim.recordSummary() };
    case '/record/hostile':
      return page(sim.hostileRecord(), q);
    case '/record/resends':
      return page(sim.resendRecord(), q);
    case '/record/gaps':
      return page(sim.gapRecord(), q);
    default:
      return undefined;
  }
}

export function createControlApi(sim: VenueSim): http.RequestListener {
  return (req, res) => {
    void (async () => {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://sim');
      } catch {
        return send(res, 400, { error: 'bad request target' });
      }
      try {
        if (url.pathname.startsWith('/control/')) {
          const sw = SWITCHES[url.pathname.slice('/control/'.length)];
          if (!sw) return send(res, 404, { error: `no switch ${url.pathname}`, switches: Object.keys(SWITCHES) });
          if (req.method !== 'POST') return send(res, 405, { error: 'use POST' });
          const body = validateBody(parseJsonBody(await readBody(req)), sw.schema);
          return send(res, 200, { ok: true, ...(sw.run(sim, body) as object) });
        }
        if (!GET_PATHS.has(url.pathname)) {
          if ((req.method === 'GET' || req.method === 'HEAD') && serveRestTrades(sim.context, url, res)) return;
          return send(res, 404, { error: `no route ${url.pathname}` });
        }
        if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'use GET' });
        return send(res, 200, getRoute(sim, url.pathname, url.searchParams));
      } catch (err) {
        if (err instanceof BadRequest || err instanceof RangeError) return send(res, 400, { error: err.message });
        return send(res, 500, { error: 'internal error' });
      }
    })();
  };
}
