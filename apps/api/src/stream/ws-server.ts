import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@feed/logging';
import { WebSocket, WebSocketServer, type RawData, type ServerOptions } from 'ws';
import type { WsConfig } from '../config';
import type { ApiMetrics } from '../metrics';
import type { StreamHub } from './hub';
import type { IndexChannel } from './index-push';
import type { PolledHub } from './polled-channels';
import { CloseCode, parseClientMessage } from './protocol';
import { ClientSession, type SessionEvents } from './session';

export const STREAM_PATH = '/v1/stream';

export interface StreamServerDeps {
  hub: StreamHub;
  ws: WsConfig;
  symbols: ReadonlySet<string>;
  /** The `index` channel, when the deployment computes an index. */
  index?: IndexChannel;
  metrics: ApiMetrics;
  log: Logger;
  /** Channels read from the projections (candles, stats). */
  polled?: PolledHub;
}

/** ws's own protocol errors (it closes the socket itself) -> rejection reason. */
const WS_ERRORS: Record<string, string> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 'too_large',
  WS_ERR_INVALID_UTF8: 'bad_utf8',
  WS_ERR_TOO_MANY_BUFFERED_PARTS: 'too_many_parts',
};

interface Conn {
  session: ClientSession;
  /** Answered the last ping. */
  alive: boolean;
}

/**
 * WebSocket `/v1/stream` on the HTTP server's `upgrade` event (reliability facts: check path and Origin there,
 * not in verifyClient). Limits: `maxPayload` = WS_MAX_MESSAGE_BYTES (bigger -> ws closes 1009), at most 16
 * fragments per message and 256 unparsed chunks (ws >= 8.21 advisory fix), no compression (CPU per client).
 */
export class StreamServer {
  private readonly wss: WebSocketServer;
  private readonly conns = new Map<WebSocket, Conn>();
  private readonly pinger: NodeJS.Timeout;
  private accepting = true;
  private readonly events: SessionEvents;

  constructor(private readonly d: StreamServerDeps) {
    const opts: ServerOptions & { closeTimeout: number } = {
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: d.ws.maxMessageBytes,
      maxFragments: 16,
      maxBufferedChunks: 256,
      closeTimeout: d.ws.closeTimeoutMs,
    };
    this.wss = new WebSocketServer(opts);
    const m = d.metrics;
    this.events = {
      frameSent: (type, items) => {
        m.wsFramesSent.inc();
        if (type === 'trades') {
          m.wsMessagesSent.inc(items);
          m.wsBatchSize.observe(items);
        }
      },
      slowClosed: () => m.wsSlowClosed.inc(),
      resumeUnavailable: () => m.wsResumeUnavailable.inc(),
      rejected: (reason) => m.wsRejected.inc({ reason }),
    };
    this.pinger = setInterval(() => this.pingAll(), d.ws.pingIntervalMs);
    this.pinger.unref();
  }

  get clientCount(): number {
    return this.conns.size;
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  /** Refuse new upgrades (shutdown, first step). */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Closes every client with `code` (1001 on shutdown) and waits for them, terminating stragglers after the grace. */
  async closeAll(code: number, reason: string, graceMs: number): Promise<void> {
    clearInterval(this.pinger);
    for (const c of this.conns.values()) c.session.close(code, reason);
    const deadline = Date.now() + graceMs;
    while (this.conns.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const ws of this.conns.keys()) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const path = (req.url ?? '').split('?')[0];
    if (path !== STREAM_PATH) return this.refuse(socket, 404, 'bad_path', `no WebSocket endpoint at ${String(path).slice(0, 100)}`);
    if (!this.accepting) return this.refuse(socket, 503, 'shutting_down', 'server is shutting down');
    // Browsers always send Origin; other clients do not and are not exposed to cross-site hijacking.
    const origin = req.headers.origin;
    const allowed = this.d.ws.allowedOrigins;
    if (allowed && origin !== undefined && !allowed.includes(origin.toLowerCase())) return this.refuse(socket, 403, 'bad_origin', 'origin not allowed');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  private refuse(socket: Duplex, status: number, reason: string, message: string): void {
    this.d.metrics.wsRejected.inc({ reason });
    const body = JSON.stringify({ error: { code: reason, message } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  private onConnection(ws: WebSocket): void {
    const { hub, ws: cfg, symbols, metrics, log } = this.d;
    const session = new ClientSession(
      {
        send: (text) => ws.send(text),
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
        close: (code, reason) => ws.close(code, reason),
      },
      hub,
      { symbols, flushMs: cfg.flushMs, maxBatch: cfg.maxBatch, maxBufferedBytes: cfg.maxBufferedBytes, ...(this.d.index ? { index: this.d.index } : {}), ...(this.d.polled ? { polled: this.d.polled } : {}) },
      this.events,
    );
    const conn: Conn = { session, alive: true };
    this.conns.set(ws, conn);
    metrics.wsClients.inc();
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(ws, session, data, isBinary));
    ws.on('error', (e: Error & { code?: string }) => {
      metrics.wsRejected.inc({ reason: WS_ERRORS[e.code ?? ''] ?? 'protocol_error' });
      log.debug({ err: e.message, code: e.code }, 'ws client error');
    });
    ws.on('close', () => {
      session.dispose();
      if (this.conns.delete(ws)) metrics.wsClients.dec();
    });
  }

  private onMessage(ws: WebSocket, session: ClientSession, data: RawData, isBinary: boolean): void {
    if (ws.readyState !== WebSocket.OPEN || session.isClosed) return;
    if (isBinary) return this.reject(ws, session, CloseCode.unsupportedData, 'binary', 'binary frames are not accepted');
    const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
    const r = parseClientMessage(text);
    if (!r.ok) return this.reject(ws, session, r.closeCode, r.reason, r.message);
    session.handle(r.msg);
  }

  private reject(ws: WebSocket, session: ClientSession, code: number, reason: string, message: string): void {
    this.d.metrics.wsRejected.inc({ reason });
    session.dispose();
    ws.close(code, message);
  }

  /** Dead-peer detection: a client that did not pong since the previous ping is terminated. */
  private pingAll(): void {
    for (const [ws, c] of this.conns) {
      if (!c.alive) {
        this.d.metrics.wsDeadTerminated.inc();
        c.session.dispose();
        ws.terminate();
        continue;
      }
      c.alive = false;
      ws.ping();
    }
  }
}
