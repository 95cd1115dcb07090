import { WebSocket } from 'ws';
import type { Market } from './market';
import type { ResolvedKeepalive } from './options';
import { SEQ_MARK, type VenueProtocol } from './protocols/venue-protocol';

/** One client WebSocket, with its subscriptions and its keepalive and lifetime timers. */
/** What a connection needs of its TCP socket to batch a tick's frames (net.Socket has both). */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

export class SimConnection {
  readonly streams = new Set<string>();
  /** Markets whose trade channel this connection is subscribed to, by market key. */
  readonly markets = new Map<string, Market>();
  /** Markets whose quote channel this connection is subscribed to, by market key. */
  readonly quoteMarkets = new Map<string, Market>();
  readonly openedAtMs = Date.now();
  /** Last time anything was written to this connection (idle timeout, Kraken's "heartbeat when idle"). */
  lastSentMs = Date.now();
  /** Next per-connection sequence number (sequenced protocols: Coinbase sequence_num starts at 0). */
  nextSeq = 0;
  heartbeatsSent = 0;
  // keepalive state (see keepalive.ts and venue-keepalive.ts)
  pingTimer: NodeJS.Timeout | null = null;
  pongDeadline: NodeJS.Timeout | null = null;
  lifetimeTimer: NodeJS.Timeout | null = null;
  heartbeatTimer: NodeJS.Timeout | null = null;
  idleTimer: NodeJS.Timeout | null = null;
  readonly outstandingPings = new Set<string>();
  pingSeq = 0;
  // incoming message rate limit
  windowStartMs = 0;
  windowMessages = 0;

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    readonly protocol: VenueProtocol,
    readonly framing: string,
    readonly keepalive: ResolvedKeepalive,
    /** The TCP socket under `ws` (from the upgrade), for cork(): absent in unit tests with a bare ws. */
    private readonly socket?: Corkable,
  ) {}

  /**
   * Hold writes until uncork(): a broadcast corks every receiver around one tick's frames so each connection gets
   * them in one socket write, as a venue's server sends what it has ready. One write per frame made the simulator
   * the benchmark's largest writer (2,000 write syscalls/s at 2,000 trades/s, each one waking ingest).
   */
  cork(): void {
    this.socket?.cork();
  }

  uncork(): void {
    this.socket?.uncork();
  }

  get venue(): string {
    return this.protocol.venue;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Send one text frame; a Buffer is sent as-is (shared by every receiver of a broadcast). For sequenced
   * protocols a string's SEQ_MARK becomes this connection's next sequence number.
   */
  send(data: Buffer | string): boolean {
    if (!this.isOpen) return false;
    if (this.protocol.sequenced === true && typeof data === 'string' && data.includes(SEQ_MARK)) {
      data = data.replace(SEQ_MARK, String(this.nextSeq++));
    }
    this.ws.send(data, { binary: false });
    this.lastSentMs = Date.now();
    return true;
  }

  /** A message that was "sent" but lost on the way (the gap fault): its sequence number is used up. */
  loseMessage(): void {
    if (this.protocol.sequenced === true && this.isOpen) this.nextSeq++;
  }

  /** First subscribed market (hostile frames are shaped after it). */
  firstMarket(): Market | undefined {
    return this.markets.values().next().value;
  }

  clearTimers(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.pongDeadline) clearTimeout(this.pongDeadline);
    if (this.lifetimeTimer) clearTimeout(this.lifetimeTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.pingTimer = this.pongDeadline = this.lifetimeTimer = this.heartbeatTimer = this.idleTimer = null;
  }
}
