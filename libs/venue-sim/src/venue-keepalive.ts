import type { SimConnection } from './connection';
import type { SilenceGate } from './silence-gate';
import type { SimCounters } from './types';

/** The `stallHeartbeats` fault: venue heartbeat messages stop until this time while trades continue. */
export interface HeartbeatStall {
  stalledUntilMs: number;
}

/**
 * Venue keepalive rules that are messages rather than WebSocket pings:
 *  - heartbeat messages (Coinbase `heartbeats` channel every second to subscribers; Kraken `heartbeat` about
 *    once a second when nothing else was sent), not sent while silenced or while heartbeats are stalled;
 *  - the idle close: a connection the server has sent nothing to for idleTimeoutMs is closed (OKX: "the
 *    connection will break automatically if ... data has not been pushed for more than 30 seconds"; Coinbase:
 *    "most channels close within 60-90 seconds if no updates are sent"; Bybit: cut off after 10 minutes
 *    without ping-pong or stream data). A client ping answered by a pong counts as data pushed.
 * Intervals come from the options (scaled down in tests).
 */
export function startVenueKeepalive(conn: SimConnection, gate: SilenceGate, counters: SimCounters, stall: HeartbeatStall): void {
  const rule = conn.protocol.heartbeat;
  const interval = conn.keepalive.heartbeatIntervalMs;
  if (rule && interval !== null) {
    conn.heartbeatTimer = setInterval(() => {
      const now = Date.now();
      if (!conn.isOpen || gate.silenced || now < stall.stalledUntilMs) return;
      const text = rule.message(conn, now, interval);
      if (text === null) return;
      conn.heartbeatsSent++;
      counters.heartbeatsSent++;
      conn.send(text);
    }, interval);
  }

  const idle = conn.keepalive.idleTimeoutMs;
  if (idle !== null) {
    conn.idleTimer = setInterval(
      () => {
        if (!conn.isOpen || Date.now() - conn.lastSentMs < idle) return;
        counters.idleCloses++;
        conn.ws.close(4000, `no data sent for ${idle} ms`);
        if (conn.idleTimer) clearInterval(conn.idleTimer);
        conn.idleTimer = null;
      },
      Math.max(5, Math.min(1000, Math.floor(idle / 10))),
    );
  }
}
