import WebSocket from 'ws';

export interface ConnectionHandlers {
  onOpen(conn: VenueConnection): void;
  /** Called for every data frame with its receive time; `bytes` is the wire size. */
  onFrame(conn: VenueConnection, data: Buffer, isBinary: boolean, recvUs: number): void;
  onClose(conn: VenueConnection, reason: string): void;
  /** HTTP status refused the upgrade (429/418 with Retry-After from Binance). */
  onRefused(conn: VenueConnection, status: number, retryAfterMs: number | undefined): void;
}

let nextId = 1;

/**
 * One WebSocket to a venue. Activity (data or a server ping) is timestamped for silence detection; the ws library
 * answers pings with pongs itself (Binance requires a pong within 1 minute). `maxPayload` is a hard cap that
 * closes the socket; the per-venue frame bound below it is checked by the supervisor so one oversized frame is
 * refused without losing the connection.
 */
export class VenueConnection {
  readonly id = nextId++;
  readonly openedAt = Date.now();
  lastActivity = Date.now();
  dataFrames = 0;
  private closed = false;
  private readonly ws: WebSocket;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly url: string,
    o: { hardMaxBytes: number; handshakeTimeoutMs: number; clientPing?: { intervalMs: number; message?: string }; subscribe: string[] },
    private readonly h: ConnectionHandlers,
  ) {
    this.ws = new WebSocket(url, { maxPayload: o.hardMaxBytes, handshakeTimeout: o.handshakeTimeoutMs, perMessageDeflate: false });
    this.ws.on('open', () => {
      this.lastActivity = Date.now();
      for (const m of o.subscribe) this.ws.send(m);
      const cp = o.clientPing;
      if (cp) {
        this.pingTimer = setInterval(() => {
          if (this.ws.readyState !== WebSocket.OPEN) return;
          if (cp.message !== undefined) this.ws.send(cp.message);
          else this.ws.ping();
        }, cp.intervalMs);
        this.pingTimer.unref();
      }
      h.onOpen(this);
    });
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      const recvUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
      this.lastActivity = Date.now();
      this.dataFrames++;
      h.onFrame(this, data, isBinary, recvUs);
    });
    this.ws.on('ping', () => {
      this.lastActivity = Date.now();
    });
    this.ws.on('pong', () => {
      this.lastActivity = Date.now();
    });
    this.ws.on('unexpected-response', (_req, res) => {
      const ra = Number(res.headers['retry-after']);
      h.onRefused(this, res.statusCode ?? 0, Number.isFinite(ra) && ra >= 0 ? ra * 1000 : undefined);
      res.resume();
      this.finish(`http ${res.statusCode}`);
    });
    this.ws.on('error', (e: Error) => this.finish(`error: ${e.message}`));
    this.ws.on('close', (code: number) => this.finish(`closed ${code}`));
  }

  get open(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Abrupt close (silent or replaced connection). */
  terminate(reason: string): void {
    this.ws.terminate();
    this.finish(reason);
  }

  close(reason: string): void {
    try {
      this.ws.close(1000, 'rotated');
    } catch {
      this.ws.terminate();
    }
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pingTimer) clearInterval(this.pingTimer);
    // A socket still connecting or closing must not linger.
    if (this.ws.readyState !== WebSocket.CLOSED) setTimeout(() => this.ws.terminate(), 1_000).unref();
    this.h.onClose(this, reason);
  }
}
