import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
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
      // SNI carries host names only (RFC 6066; Node warns DEP0123 for an IP). Without it Node still checks the
      // certificate against the host, IP addresses included. Behind Sentinel the master's address is only known
      // at connect time, so Node checks the certificate against the address Sentinel gives.
      ...(!ep.sentinel && isIP(ep.host) === 0 ? { servername: ep.host } : {}),
      rejectUnauthorized: ep.tlsVerify,
      ...(ep.caFile ? { ca: readFileSync(ep.caFile) } : {}),
    };
  }
  if (ep.sentinel) applySentinel(opts, ep);
  return new Redis(opts);
}

/**
 * Sentinel mode: ioredis asks the Sentinels for the master's address at every (re)connect and, with the failover
 * detector, also drops its connection as soon as a Sentinel announces +switch-master, so a promoted replica is
 * followed without waiting for a command to fail against the demoted master.
 */
function applySentinel(opts: RedisOptions, ep: RedisEndpoint): void {
  const s = ep.sentinel;
  if (!s) return;
  delete opts.host;
  delete opts.port;
  opts.sentinels = s.nodes.map((n) => ({ host: n.host, port: n.port }));
  opts.name = s.masterName;
  opts.role = 'master';
  opts.failoverDetector = true;
  // Sentinels' own connections retry on the same backoff; null would make ioredis give up after one round.
  opts.sentinelRetryStrategy = (times) => Math.min(2_000, 50 * 2 ** Math.min(times, 6));
  if (s.username) opts.sentinelUsername = s.username;
  if (s.password) opts.sentinelPassword = s.password;
  // TLS to the data node; the Sentinels may or may not run TLS themselves (same trust settings when they do).
  if (ep.tls) opts.enableTLSForSentinelMode = true;
  if (s.tls) {
    opts.sentinelTLS = {
      rejectUnauthorized: ep.tlsVerify,
      ...(ep.caFile ? { ca: readFileSync(ep.caFile) } : {}),
    };
  }
}

/** Connects with a deadline (decision 9: unreachable at start -> exit non-zero). */
export async function connectRedis(client: Redis, deadlineMs: number, what: string): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  // The connection's own error (refused, TLS certificate, NOAUTH) is what explains an outage; a command's
  // "Stream isn't writeable" while the client reconnects says nothing, so it must not be what gets reported.
  let connErr: unknown;
  const onError = (e: unknown): void => {
    connErr = e;
  };
  client.on('error', onError);
  try {
    while (Date.now() < deadline) {
      try {
        // Each attempt is cut off at the deadline: a queued PING (offline queue) or a connect to a host that
        // drops packets would otherwise run past it by several retries or a whole connect timeout.
        await beforeDeadline(attempt(client), deadline);
        return;
      } catch (e) {
        last = e;
        const pause = Math.min(250, deadline - Date.now());
        if (pause > 0) await new Promise((r) => setTimeout(r, pause));
      }
    }
  } finally {
    client.off('error', onError);
  }
  const why = connErr ?? last;
  throw Object.assign(new Error(`cannot reach ${what} within ${deadlineMs} ms: ${why instanceof Error ? why.message : String(why)}`), { code: 'REDIS_UNREACHABLE' });
}

async function attempt(client: Redis): Promise<void> {
  if (client.status === 'wait' || client.status === 'end' || client.status === 'close') await client.connect();
  await client.ping();
}

function beforeDeadline(p: Promise<void>, deadline: number): Promise<void> {
  p.catch(() => undefined); // a late rejection after the deadline is expected and already accounted for
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer before the deadline')), Math.max(0, deadline - Date.now()));
    p.then(
      () => (clearTimeout(timer), resolve()),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}
