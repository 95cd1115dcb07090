import type { WebSocket } from 'ws';
import { SimConnection } from './connection';
import { startKeepalive } from './keepalive';
import { marketKey, type Market } from './market';
import type { ResolvedVenue } from './options';
import type { SilenceGate } from './silence-gate';
import type { SimCounters } from './types';

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
  ) {}

  attach(ws: WebSocket, venue: ResolvedVenue, framing: string, streams: readonly string[]): SimConnection {
    const conn = new SimConnection(this.nextId++, ws, venue.protocol, framing, venue.keepalive);
    this.connections.add(conn);
    this.counters.connectionsOpened++;
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(conn, data, isBinary));
    ws.on('close', () => this.detach(conn));
    ws.on('error', () => ws.terminate());
    startKeepalive(conn, this.gate, this.counters);
    this.subscribe(conn, streams);
    return conn;
  }

  subscribe(conn: SimConnection, streams: readonly string[]): void {
    for (const stream of streams) {
      conn.streams.add(stream);
      const target = conn.protocol.parseStream(stream);
      if (!target || target.channel !== 'trade') continue; // other channels are accepted but carry nothing yet
      const market = this.markets.get(marketKey(conn.venue, target.symbol));
      if (!market) continue; // a symbol this simulator does not trade: silent, like an illiquid market
      market.subscribers.add(conn);
      conn.markets.set(market.key, market);
    }
  }

  unsubscribe(conn: SimConnection, streams: readonly string[]): void {
    for (const stream of streams) {
      conn.streams.delete(stream);
      const target = conn.protocol.parseStream(stream);
      if (!target || target.channel !== 'trade') continue;
      const key = marketKey(conn.venue, target.symbol);
      const market = conn.markets.get(key);
      if (!market) continue;
      market.subscribers.delete(conn);
      conn.markets.delete(key);
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
  }

  private detach(conn: SimConnection): void {
    if (!this.connections.delete(conn)) return;
    this.counters.connectionsClosed++;
    conn.clearTimers();
    for (const market of conn.markets.values()) market.subscribers.delete(conn);
    conn.markets.clear();
  }
}
