import type { Logger } from '@feed/logging';
import { Backoff, type BackoffOptions } from './backoff';
import { ConnectionBudget } from './connection-budget';
import type { IngestMetrics } from './metrics';
import { VenueConnection } from './venue-connection';
import type { StreamKey, VenueAdapter } from './venues';

export interface SupervisorOptions {
  baseUrl: string;
  streams: StreamKey[];
  /** A connection with no frame and no ping for this long is replaced (Binance pings every 20 s). */
  silentMs: number;
  backoff: BackoffOptions;
  /** Venue's connection lifetime (config so tests scale it); rotation starts `rotateBeforeMs` earlier. */
  lifetimeMs: number;
  rotateBeforeMs: number;
  /** After a rotation, how long the old socket stays open so frames already in flight on it are not lost. */
  overlapMs: number;
  handshakeTimeoutMs: number;
}

/**
 * Keeps one live connection per venue: connects, replaces silent connections, reconnects with jittered backoff,
 * honours HTTP 429/418 Retry-After, and rotates before the venue's lifetime cut-off by opening the replacement
 * first and closing the old one only once the new one delivers data (make before break). During the overlap
 * both sockets publish; RAW's msg-id dedupe drops the doubles.
 */
export class VenueSupervisor {
  private active: VenueConnection | undefined;
  private incoming: VenueConnection | undefined;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;
  private readonly budget: ConnectionBudget;
  private notBefore = 0;
  /** Per-connection state elsewhere (sequence numbers) is forgotten when its connection closes. */
  onConnectionClosed: ((connId: number) => void) | undefined;

  constructor(
    private readonly adapter: VenueAdapter,
    private readonly o: SupervisorOptions,
    private readonly onData: (data: Buffer, isBinary: boolean, recvUs: number, conn: { id: number; openedAt: number }) => void,
    private readonly onConnected: (up: boolean, reason: string) => void,
    private readonly metrics: IngestMetrics,
    private readonly log: Logger,
  ) {
    this.backoff = new Backoff(o.backoff);
    this.budget = new ConnectionBudget(adapter.rules.connectionBudget.max, adapter.rules.connectionBudget.windowMs);
  }

  start(): void {
    this.connect('start');
    this.watchTimer = setInterval(() => this.watch(), Math.max(20, Math.min(1_000, Math.floor(this.o.silentMs / 4))));
    this.watchTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.incoming?.close('stopping');
    this.active?.close('stopping');
  }

  get connectionCount(): number {
    return (this.active?.open ? 1 : 0) + (this.incoming?.open ? 1 : 0);
  }

  private connect(why: string): void {
    if (this.stopped) return;
    const wait = this.budget.waitMs(Date.now());
    if (wait > 0) {
      // Over the venue's connection budget: wait instead of risking a ban. The state stays "reconnecting".
      this.metrics.budgetWaits.inc({ venue: this.adapter.venue });
      this.log.warn({ why, waitMs: wait }, 'connection budget exhausted: waiting');
      if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        if (!this.active || why.startsWith('rotation') || why.startsWith('venue asked')) this.connect(why);
      }, wait);
      return;
    }
    this.budget.take(Date.now());
    const url = this.adapter.url(this.o.baseUrl, this.o.streams);
    this.log.info({ why }, 'connecting');
    const conn = new VenueConnection(
      url,
      {
        hardMaxBytes: this.adapter.rules.maxFrameBytes * 4,
        handshakeTimeoutMs: this.o.handshakeTimeoutMs,
        ...(this.adapter.rules.clientPing ? { clientPing: this.adapter.rules.clientPing } : {}),
        subscribe: this.adapter.subscribeMessages(this.o.streams),
      },
      {
        onOpen: (c) => {
          this.backoff.connected(Date.now());
          this.metrics.connections.set({ venue: this.adapter.venue }, this.connectionCount);
          this.log.info({ conn: c.id }, 'connected');
        },
        onFrame: (c, data, isBinary, recvUs) => {
          if (c === this.incoming && c.dataFrames === 1) this.promote(c);
          this.onData(data, isBinary, recvUs, c);
        },
        onClose: (c, reason) => {
          this.onConnectionClosed?.(c.id);
          this.closed(c, reason);
        },
        onRefused: (_c, status, retryAfterMs) => {
          // 429 = slow down, 418 = banned for Retry-After seconds (Binance): never retry before it.
          if (retryAfterMs !== undefined) this.notBefore = Date.now() + retryAfterMs;
          this.log.warn({ status, retryAfterMs }, 'connection refused by venue');
        },
      },
    );
    if (this.active === undefined) {
      this.active = conn;
      this.onConnected(true, why);
    } else {
      this.incoming = conn;
    }
  }

  private promote(c: VenueConnection): void {
    const old = this.active;
    this.active = c;
    this.incoming = undefined;
    this.metrics.reconnects.inc({ venue: this.adapter.venue, reason: 'rotation' });
    this.log.info({ from: old?.id, to: c.id }, 'rotated connection (make before break)');
    // Keep the old socket briefly so frames already in flight on it are not lost.
    setTimeout(() => old?.close('rotated'), this.o.overlapMs).unref();
  }

  private closed(c: VenueConnection, reason: string): void {
    this.metrics.connections.set({ venue: this.adapter.venue }, this.connectionCount);
    if (c === this.incoming) {
      this.incoming = undefined;
      return;
    }
    if (c !== this.active || this.stopped) return;
    this.active = undefined;
    this.backoff.disconnected(Date.now());
    this.onConnected(false, reason);
    if (this.incoming?.open) {
      this.promote(this.incoming);
      return;
    }
    this.metrics.reconnects.inc({ venue: this.adapter.venue, reason: reason.startsWith('silent') ? 'silent' : reason.startsWith('error') ? 'error' : 'closed' });
    const delay = Math.max(this.backoff.next(), this.notBefore - Date.now());
    this.log.warn({ reason, delayMs: delay, attempt: this.backoff.attempts }, 'connection lost; reconnecting');
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.active) this.connect(`reconnect after ${reason}`);
    }, delay);
  }

  /**
   * The venue asked us to move (Bitstamp `bts:request_reconnect`): open the replacement now, make before break,
   * exactly as a lifetime rotation does.
   */
  rotate(reason: string): void {
    if (this.stopped || this.incoming || !this.active?.open || Date.now() < this.notBefore) return;
    this.connect(reason);
  }

  private watch(): void {
    const now = Date.now();
    const a = this.active;
    if (!a || this.stopped) return;
    if (a.open && now - a.lastActivity > this.o.silentMs) {
      this.log.warn({ conn: a.id, silentMs: now - a.lastActivity }, 'connection silent: replacing');
      a.terminate(`silent ${now - a.lastActivity} ms`);
      return;
    }
    // A refused rotation attempt (429/418) set notBefore: rotating earlier would hammer the venue every watch tick.
    if (a.open && !this.incoming && now >= this.notBefore && now - a.openedAt >= this.o.lifetimeMs - this.o.rotateBeforeMs) this.connect('rotation before lifetime cut-off');
  }
}
