import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ResolvedVenue } from './options';
import type { SimContext } from './sim-context';

/**
 * Route a path to a venue: "/binance/ws/btcusdt@trade" -> (binance, "/ws/btcusdt@trade"); a path without a
 * known venue prefix goes to the first configured venue unchanged ("/ws/btcusdt@trade").
 */
export function routeVenue(venues: readonly ResolvedVenue[], pathname: string): { venue: ResolvedVenue; path: string } {
  const m = /^\/([a-z0-9]+)(\/.*)?$/.exec(pathname);
  if (m) {
    const venue = venues.find((v) => v.protocol.venue === m[1]);
    if (venue) return { venue, path: m[2] ?? '/' };
  }
  return { venue: venues[0] as ResolvedVenue, path: pathname };
}

function reject(socket: Duplex, status: number, message: string, extraHeaders = ''): void {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\n${extraHeaders}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** One HTTP server: WebSocket upgrades go to the venue protocols, plain requests to the control API. */
export function createGateway(ctx: SimContext, control: http.RequestListener): { server: http.Server; wss: WebSocketServer } {
  const server = http.createServer(control);
  const wss = new WebSocketServer({ noServer: true, maxPayload: ctx.opts.maxClientMessageBytes, perMessageDeflate: false });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (ctx.reject429.remaining > 0) {
      // the reject429 fault: refuse like a venue's rate limiter (Binance: HTTP 429 with Retry-After)
      ctx.reject429.remaining--;
      ctx.counters.upgradesRejected++;
      ctx.counters.rejected429++;
      reject(socket, 429, 'too many requests', `Retry-After: ${ctx.reject429.retryAfterS}\r\n`);
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://sim');
    } catch {
      ctx.counters.upgradesRejected++;
      reject(socket, 400, 'bad request target');
      return;
    }
    const { venue, path } = routeVenue(ctx.opts.venues, url.pathname);
    let decision;
    try {
      decision = venue.protocol.accept(path, url.searchParams);
    } catch {
      decision = { ok: false as const, status: 400, message: 'bad path' }; // e.g. broken %-escapes
    }
    if (!decision.ok) {
      ctx.counters.upgradesRejected++;
      reject(socket, decision.status, decision.message);
      return;
    }
    const { framing, streams } = decision;
    wss.handleUpgrade(req, socket, head, (ws) => ctx.hub.attach(ws, venue, framing, streams, socket));
  });
  return { server, wss };
}
