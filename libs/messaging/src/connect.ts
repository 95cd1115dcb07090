import { connect, type NatsConnection } from '@nats-io/transport-node';
import { applyHeadersPatch } from './headers-patch';
import { applyRequestPatch } from './request-patch';
import { applyWriteCoalescePatch } from './write-coalesce-patch';

export interface NatsConnectOptions {
  servers: string[];
  name: string;
  user?: string;
  pass?: string;
  token?: string;
  /** Give up at start after this long (decision 9: a release that cannot reach NATS fails and rolls back). */
  startupTimeoutMs: number;
  onStatus?: (type: string, data: unknown) => void;
}

/**
 * Connects with retries until the startup deadline, then keeps reconnecting forever once connected (a running
 * app rides out NATS restarts and cluster node loss).
 */
export async function connectNats(o: NatsConnectOptions): Promise<NatsConnection> {
  applyRequestPatch();
  applyWriteCoalescePatch();
  applyHeadersPatch();
  const deadline = Date.now() + o.startupTimeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const nc = await connect({
        servers: o.servers,
        name: o.name,
        ...(o.user !== undefined ? { user: o.user } : {}),
        ...(o.pass !== undefined ? { pass: o.pass } : {}),
        ...(o.token !== undefined ? { token: o.token } : {}),
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        reconnectJitter: 250,
        timeout: Math.max(500, Math.min(5_000, deadline - Date.now())),
        pingInterval: 10_000,
        // nats.js otherwise builds two Error objects (stack captures) per request, i.e. per JetStream publish:
        // measured at ~20% of the normalizer's CPU plus the GC they cause. Errors still carry their message.
        noAsyncTraces: true,
      });
      if (o.onStatus) {
        const cb = o.onStatus;
        void (async () => {
          for await (const s of nc.status()) cb(s.type, s);
        })();
      }
      return nc;
    } catch (e) {
      lastErr = e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const why = lastErr instanceof Error ? lastErr.message : String(lastErr);
  throw Object.assign(new Error(`cannot reach NATS at ${o.servers.join(',')} within ${o.startupTimeoutMs} ms: ${why}`), { code: 'NATS_UNREACHABLE' });
}

/** Tracks whether the connection is currently up, from the client's status events (for /ready). */
export function trackConnection(nc: NatsConnection): { connected: () => boolean } {
  let up = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'close') up = false;
      else if (s.type === 'reconnect') up = true;
    }
  })().catch(() => undefined);
  return { connected: () => up && !nc.isClosed() };
}
