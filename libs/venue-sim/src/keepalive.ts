import type { SimConnection } from './connection';
import type { SilenceGate } from './silence-gate';
import type { SimCounters } from './types';

/**
 * Server-side keepalive, as venues do it (Binance: ping every 20 s, disconnect if no pong within 1 min,
 * unsolicited pongs do not count, connection closed after 24 h). Intervals come from the options, so tests
 * run them scaled down. Each ping carries a sequence number; only a pong echoing an outstanding ping's
 * payload answers it. While silenced, no ping is sent (silence means nothing at all goes out).
 */
export function startKeepalive(conn: SimConnection, gate: SilenceGate, counters: SimCounters): void {
  const { pingIntervalMs, pongTimeoutMs, connectionLifetimeMs } = conn.keepalive;

  if (pingIntervalMs !== null) {
    conn.pingTimer = setInterval(() => {
      if (gate.silenced || !conn.isOpen) return;
      const payload = String(++conn.pingSeq);
      conn.outstandingPings.add(payload);
      conn.ws.ping(payload);
      counters.pingsSent++;
      if (pongTimeoutMs !== null && conn.pongDeadline === null) {
        conn.pongDeadline = setTimeout(() => {
          conn.pongDeadline = null;
          counters.missedPongCloses++;
          conn.ws.terminate();
        }, pongTimeoutMs);
      }
    }, pingIntervalMs);
  }

  conn.ws.on('pong', (data: Buffer) => {
    if (!conn.outstandingPings.has(data.toString())) {
      counters.unsolicitedPongs++;
      return;
    }
    counters.pongsReceived++;
    conn.outstandingPings.clear();
    if (conn.pongDeadline) clearTimeout(conn.pongDeadline);
    conn.pongDeadline = null;
  });

  if (connectionLifetimeMs !== null) {
    conn.lifetimeTimer = setTimeout(() => {
      conn.lifetimeTimer = null;
      if (!conn.isOpen) return;
      counters.lifetimeCloses++;
      conn.ws.close(1000, 'connection lifetime reached');
    }, connectionLifetimeMs);
  }
}
