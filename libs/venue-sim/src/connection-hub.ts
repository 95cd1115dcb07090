import type { WebSocket } from 'ws';
import { SimConnection, type Corkable } from './connection';
import { startKeepalive } from './keepalive';
import { marketKey, type Market } from './market';
import type { ResolvedVenue } from './options';
import type { SilenceGate } from './silence-gate';
import type { SimCounters } from './types';
import { startVenueKeepalive, type HeartbeatStall } from './venue-keepalive';

/**
 * The set of open connections and their subscriptions. A subscription to a market's trade stream adds the
 * connection to that market's subscribers; the market engine broadcasts to exactly that set.
 */
export class ConnectionHub {
  readonly connections = new Set<SimConnection>();
  private nextId = 1;

  constructor(
    private readonly markets: ReadonlyMap<string, Market>,
    private readonly gate: SilenceGate,
    private readonly counters: SimCounters,
    private readonly stall: HeartbeatStall = { stalledUntilMs: 0 },
  ) {}

  attach(ws: WebSocket, venue: ResolvedVenue, framing: string, streams: readonly string[], socket?: Corkable): SimConnection {
    const conn = new SimConnection(this.nextId++, ws, venue.protocol, framing, venue.keepalive, socket);
    this.connections.add(conn);
    this.counters.connectionsOpened++;
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(conn, data, isBinary));
    ws.on('close', () => this.detach(conn));
    ws.on('error', () => ws.terminate());
    startKeepalive(conn, this.gate, this.counters);
    startVenueKeepalive(conn, this.gate, this.counters, this.stall);
    for (const text of conn.protocol.welcome?.(conn) ?? []) conn.send(text);
    this.subscribe(conn, streams);
    return conn;
  }

  /** The market set and the connection's own index a stream feeds: trades or quotes; null = carries nothing. */
  private route(conn: SimConnection, stream: string): { market: Market; quotes: boolean } | null {
    const target = conn.protocol.parseStream(stream);
    if (!target) return null;
    const quotes = target.channel !== 'trade';
    if (quotes && (conn.protocol.quoteChannel === undefined || target.channel !== conn.protocol.quoteChannel)) return null;
    const market = this.markets.get(marketKey(conn.venue, target.symbol));
    return market ? { market, quotes } : null; // a symbol this simulator does not trade: silent
  }

  subscribe(conn: SimConnection, streams: readonly string[]): void {
    for (const stream of streams) {
      conn.streams.add(stream);
      const r = this.route(conn, stream);
      if (!r) continue; // other channels are accepted but carry nothing
      (r.quotes ? r.market.quoteSubscribers : r.market.subscribers).add(conn);
      (r.quotes ? conn.quoteMarkets : conn.markets).set(r.market.key, r.market);
    }
  }

  unsubscribe(conn: SimConnection, streams: readonly string[]): void {
    for (const stream of streams) {
      conn.streams.delete(stream);
      const r = this.route(conn, stream);
      if (!r) continue;
      (r.quotes ? r.market.quoteSubscribers : r.market.subscribers).delete(conn);
      (r.quotes ? conn.quoteMarkets : conn.markets).delete(r.market.key);
    }
  }

  private onMessage(conn: SimConnection, data: Buffer, isBinary: boolean): void {
    this.counters.clientMessages++;
    if (!conn.isOpen) return;
    const limit = conn.keepalive.messagesPerSecond;
    if (limit !== null) {
      const now = Date.now();
      if (now - conn.windowStartMs >= 1000) {
        conn.windowStartMs = now;
        conn.windowMessages = 0;
      }
      if (++conn.windowMessages > limit) {
        this.counters.rateLimitCloses++;
        conn.ws.close(1008, `more than ${limit} messages per second`);
        return;
      }
    }
    if (isBinary) {
      this.counters.malformedCloses++;
      conn.ws.close(1003, 'binary messages are not accepted');
      return;
    }
    const result = conn.protocol.onMessage(data.toString('utf8'), conn);
    if (result.close) {
      this.counters.malformedCloses++;
      conn.ws.close(result.close.code, result.close.reason);
      return;
    }
    if (result.subscribe) {
      this.counters.subscribeRequests++;
      const max = conn.protocol.limits.maxStreams;
      const added = result.subscribe.filter((s) => !conn.streams.has(s)).length;
      if (max !== null && conn.streams.size + added > max) {
        this.counters.malformedCloses++;
        conn.ws.close(1008, `more than ${max} streams`);
        return;
      }
      this.subscribe(conn, result.subscribe);
    }
    if (result.unsubscribe) {
      this.counters.unsubscribeRequests++;
      this.unsubscribe(conn, result.unsubscribe);
    }
    if (result.reply !== undefined) conn.send(result.reply);
    for (const text of result.replies ?? []) conn.send(text);
  }

  private detach(conn: SimConnection): void {
    if (!this.connections.delete(conn)) return;
    this.counters.connectionsClosed++;
    conn.clearTimers();
    for (const market of conn.markets.values()) market.subscribers.delete(conn);
    for (const market of conn.quoteMarkets.values()) market.quoteSubscribers.delete(conn);
    conn.markets.clear();
    conn.quoteMarkets.clear();
  }
}
