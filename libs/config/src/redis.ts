import type { ConfigReader } from './reader';

export interface RedisEndpoint {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls: boolean;
  /** Verify the server certificate (REDIS_SSL_CERT_REQS=required, the default). */
  tlsVerify: boolean;
  caFile?: string;
}

/**
 * Reads a Redis endpoint. `primary` accepts the legacy v3 names (REDIS_HOST, REDIS_PORT, REDIS_USERNAME,
 * REDIS_PASSWORD[_FILE], REDIS_USE_TLS or REDIS_USE_SSL, REDIS_SSL_CERT_REQS); `standby` reads
 * FAILOVER_REDIS_* (the legacy names of the failover Redis) and is absent when FAILOVER_REDIS_HOST is unset.
 */
export function readRedis(r: ConfigReader, role: 'primary'): RedisEndpoint;
export function readRedis(r: ConfigReader, role: 'standby'): RedisEndpoint | undefined;
export function readRedis(r: ConfigReader, role: 'primary' | 'standby'): RedisEndpoint | undefined {
  const p = role === 'primary' ? 'REDIS' : 'FAILOVER_REDIS';
  if (role === 'standby' && !r.optionalString(`${p}_HOST`)) return undefined;
  const tls = r.bool(`${p}_USE_TLS`, { aliases: [`${p}_USE_SSL`], default: false });
  const reqs = r.oneOf(`${p}_SSL_CERT_REQS`, ['required', 'none'] as const, { default: 'required' });
  const ep: RedisEndpoint = {
    host: r.string(`${p}_HOST`, { default: '127.0.0.1' }),
    port: r.int(`${p}_PORT`, { default: 6379, min: 1, max: 65535 }),
    db: r.int(`${p}_DB`, { default: 0, min: 0, max: 15 }),
    tls,
    tlsVerify: reqs === 'required',
  };
  const username = r.optionalString(`${p}_USERNAME`);
  const password = r.secret(`${p}_PASSWORD`);
  const caFile = r.optionalString(`${p}_CA_FILE`);
  if (username) ep.username = username;
  if (password) ep.password = password;
  if (caFile) ep.caFile = caFile;
  return ep;
}
