import { readFileSync } from 'node:fs';
import type { RedisEndpoint } from '@feed/config';
import { Redis, type RedisOptions } from 'ioredis';

export interface ClientOptions {
  /** Name shown in CLIENT LIST. */
  name: string;
  /**
   * Write path: no offline queue (ioredis' queue has no size cap, so an outage would grow memory without bound)
   * and no resend of in-flight commands after a reconnect. Commands fail fast; the caller naks and pauses.
   */
  failFast: boolean;
  connectTimeoutMs?: number;
}

/** ioredis client for an endpoint: TLS with certificate checks on by default, credentials from config. */
export function createRedisClient(ep: RedisEndpoint, o: ClientOptions): Redis {
  const opts: RedisOptions = {
    host: ep.host,
    port: ep.port,
    db: ep.db,
    connectionName: o.name,
    lazyConnect: true,
    connectTimeout: o.connectTimeoutMs ?? 5_000,
    enableOfflineQueue: !o.failFast,
    autoResendUnfulfilledCommands: !o.failFast,
    maxRetriesPerRequest: o.failFast ? 1 : 3,
    // Reconnect forever with capped, jittered backoff; readiness reports the outage meanwhile.
    retryStrategy: (times) => Math.min(2_000, 50 * 2 ** Math.min(times, 6)) + Math.floor(Math.random() * 100),
    keepAlive: 10_000,
  };
  if (ep.username) opts.username = ep.username;
  if (ep.password) opts.password = ep.password;
  if (ep.tls) {
    opts.tls = {
      servername: ep.host,
      rejectUnauthorized: ep.tlsVerify,
      ...(ep.caFile ? { ca: readFileSync(ep.caFile) } : {}),
    };
  }
  return new Redis(opts);
}

/** Connects with a deadline (decision 9: unreachable at start -> exit non-zero). */
export async function connectRedis(client: Redis, deadlineMs: number, what: string): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (client.status === 'wait' || client.status === 'end' || client.status === 'close') await client.connect();
      await client.ping();
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw Object.assign(new Error(`cannot reach ${what} within ${deadlineMs} ms: ${last instanceof Error ? last.message : String(last)}`), { code: 'REDIS_UNREACHABLE' });
}
