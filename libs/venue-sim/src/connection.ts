import { WebSocket } from 'ws';
import type { Market } from './market';
import type { ResolvedKeepalive } from './options';
import type { VenueProtocol } from './protocols/venue-protocol';

/** One client WebSocket, with its subscriptions and its keepalive and lifetime timers. */
export class SimConnection {
  readonly streams = new Set<string>();
  /** Markets whose trade channel this connection is subscribed to, by market key. */
  readonly markets = new Map<string, Market>();
  readonly openedAtMs = Date.now();
  // keepalive state (see keepalive.ts)
  pingTimer: NodeJS.Timeout | null = null;
  pongDeadline: NodeJS.Timeout | null = null;
  lifetimeTimer: NodeJS.Timeout | null = null;
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
  ) {}

  get venue(): string {
    return this.protocol.venue;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Send one text frame; a Buffer is sent as-is (shared by every receiver of a broadcast). */
  send(data: Buffer | string): boolean {
    if (!this.isOpen) return false;
    this.ws.send(data, { binary: false });
    return true;
  }

  /** First subscribed market (hostile frames are shaped after it). */
  firstMarket(): Market | undefined {
    return this.markets.values().next().value;
  }

  clearTimers(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.pongDeadline) clearTimeout(this.pongDeadline);
    if (this.lifetimeTimer) clearTimeout(this.lifetimeTimer);
    this.pingTimer = this.pongDeadline = this.lifetimeTimer = null;
  }
}
