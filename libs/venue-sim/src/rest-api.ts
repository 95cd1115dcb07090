import type http from 'node:http';
import { marketKey } from './market';
import { historyOf, type SimContext } from './sim-context';
import { routeVenue } from './ws-gateway';

/**
 * The venues' public REST recent-trades endpoints, on the simulator's port under /<venue>/... (the first venue
 * also at the root), e.g. GET /binance/api/v3/trades?symbol=BTCUSDT&limit=100. They answer from the market's
 * REST history: every trade sent AND every trade the gap fault skipped, so a client can repair a gap.
 * Returns false when the path is no venue's REST endpoint.
 */
export function serveRestTrades(ctx: SimContext, url: URL, res: http.ServerResponse): boolean {
  const { venue, path } = routeVenue(ctx.opts.venues, url.pathname);
  const rest = venue.protocol.rest;
  if (!rest) return false;
  const request = rest.parse(path, url.searchParams, venue.symbols);
  if (request === null) return false;
  ctx.counters.restRequests++;
  if (ctx.restReject429.remaining > 0) {
    // the restReject429 fault: refused like a venue's REST rate limiter (HTTP 429 with Retry-After, in seconds)
    ctx.restReject429.remaining--;
    ctx.counters.restRejected++;
    const text = JSON.stringify({ error: 'too many requests' });
    res.writeHead(429, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'retry-after': String(ctx.restReject429.retryAfterS) });
    res.end(text);
    return true;
  }
  if (typeof request === 'string') {
    const text = JSON.stringify({ error: request });
    res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return true;
  }
  const market = ctx.marketsByKey.get(marketKey(venue.protocol.venue, request.symbol));
  const trades = market ? historyOf(ctx, market).last(request.limit) : [];
  const body = rest.encode(trades, request, Date.now());
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
  return true;
}
