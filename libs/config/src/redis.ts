import type { ConfigReader } from './reader';

export interface SentinelSettings {
  /** Sentinel addresses (`<P>_SENTINELS=host:port,host:port`); any one that answers is enough. */
  nodes: Array<{ host: string; port: number }>;
  /** The monitored master's name (`<P>_SENTINEL_MASTER`, default mymaster). */
  masterName: string;
  /** Credentials of the Sentinels themselves (they may differ from the data node's). */
  username?: string;
  password?: string;
  /** TLS to the Sentinels (`<P>_SENTINEL_USE_TLS`, default: the same as the data node's). */
  tls: boolean;
}

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
  /** When set, the master is resolved through Redis Sentinel and host/port are not used. */
  sentinel?: SentinelSettings;
}

export type RedisRole = 'primary' | 'standby';

/**
 * Reads a Redis endpoint. `primary` accepts the legacy v3 names (REDIS_HOST, REDIS_PORT, REDIS_USERNAME,
 * REDIS_PASSWORD[_FILE], REDIS_USE_TLS or REDIS_USE_SSL, REDIS_SSL_CERT_REQS); `standby` reads
 * FAILOVER_REDIS_* (the legacy names of the failover Redis) and is absent when neither FAILOVER_REDIS_HOST nor
 * FAILOVER_REDIS_SENTINELS is set. Either may go through Sentinel (`<P>_SENTINELS`, `<P>_SENTINEL_MASTER`,
 * `<P>_SENTINEL_USERNAME`, `<P>_SENTINEL_PASSWORD[_FILE]`).
 */
export function readRedis(r: ConfigReader, role: 'primary'): RedisEndpoint;
export function readRedis(r: ConfigReader, role: 'standby'): RedisEndpoint | undefined;
export function readRedis(r: ConfigReader, role: RedisRole): RedisEndpoint | undefined;
export function readRedis(r: ConfigReader, role: RedisRole): RedisEndpoint | undefined {
  const p = role === 'primary' ? 'REDIS' : 'FAILOVER_REDIS';
  // The standby also answers to REDIS_STANDBY_* (the swarm stack's names) beside the legacy FAILOVER_REDIS_*.
  const al = (suffix: string): { aliases: string[] } => ({ aliases: role === 'standby' ? [`REDIS_STANDBY_${suffix}`] : [] });
  if (role === 'standby' && !r.optionalString(`${p}_HOST`, al('HOST')) && !r.optionalString(`${p}_SENTINELS`, al('SENTINELS'))) return undefined;
  const tls = r.bool(`${p}_USE_TLS`, { aliases: [`${p}_USE_SSL`, ...al('USE_TLS').aliases], default: false });
  const reqs = r.oneOf(`${p}_SSL_CERT_REQS`, ['required', 'none'] as const, { default: 'required', ...al('SSL_CERT_REQS') });
  const ep: RedisEndpoint = {
    host: r.string(`${p}_HOST`, { default: '127.0.0.1', ...al('HOST') }),
    port: r.int(`${p}_PORT`, { default: 6379, min: 1, max: 65535, ...al('PORT') }),
    db: r.int(`${p}_DB`, { default: 0, min: 0, max: 15, ...al('DB') }),
    tls,
    tlsVerify: reqs === 'required',
  };
  const username = r.optionalString(`${p}_USERNAME`, al('USERNAME'));
  const password = r.secret(`${p}_PASSWORD`, al('PASSWORD'));
  const caFile = r.optionalString(`${p}_CA_FILE`, al('CA_FILE'));
  if (username) ep.username = username;
  if (password) ep.password = password;
  if (caFile) ep.caFile = caFile;
  const sentinel = readSentinel(r, p, tls);
  if (sentinel) ep.sentinel = sentinel;
  return ep;
}

function readSentinel(r: ConfigReader, p: string, dataTls: boolean): SentinelSettings | undefined {
  const list = r.list(`${p}_SENTINELS`, { default: [] });
  if (list.length === 0) return undefined;
  const nodes: SentinelSettings['nodes'] = [];
  for (const item of list) {
    const m = /^([^\s:]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(item);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) {
      r.problem(`${p}_SENTINELS entry ${JSON.stringify(item)} is not host:port`);
      continue;
    }
    nodes.push({ host: (m[1] as string).replace(/^\[|\]$/g, ''), port });
  }
  const s: SentinelSettings = { nodes, masterName: r.string(`${p}_SENTINEL_MASTER`, { default: 'mymaster' }), tls: r.bool(`${p}_SENTINEL_USE_TLS`, { default: dataTls }) };
  const username = r.optionalString(`${p}_SENTINEL_USERNAME`);
  const password = r.secret(`${p}_SENTINEL_PASSWORD`);
  if (username) s.username = username;
  if (password) s.password = password;
  return s;
}

/** How the api picks the Redis it reads from (decision 10: the standby is a second projection, never a copy). */
export interface ReadSwitchSettings {
  /** Both Redis are probed (PING + checkpoint) this often. */
  checkIntervalMs: number;
  /** A probe not answered within this counts as failed (a hung or overloaded server). */
  probeTimeoutMs: number;
  /** The primary is declared down once every probe for this long failed; reads then go to the standby. */
  failAfterMs: number;
  /**
   * Reads return to the primary once it answers and its checkpoint is at most this many stream sequences behind
   * the standby's (it has caught up from its own durable).
   */
  switchBackMaxBehind: number;
  /** Consumer groups (checkpoint names) of the persisters projecting into each Redis. */
  primaryGroup: string;
  standbyGroup: string;
}

export function readReadSwitch(r: ConfigReader): ReadSwitchSettings {
  const s: ReadSwitchSettings = {
    checkIntervalMs: r.int('REDIS_CHECK_INTERVAL_MS', { default: 500, min: 10, max: 60_000 }),
    probeTimeoutMs: r.int('REDIS_PROBE_TIMEOUT_MS', { default: 1_000, min: 10, max: 60_000 }),
    failAfterMs: r.int('REDIS_FAILOVER_AFTER_MS', { default: 2_000, min: 0, max: 600_000 }),
    switchBackMaxBehind: r.int('REDIS_SWITCHBACK_MAX_BEHIND', { default: 500, min: 0, max: 10_000_000 }),
    primaryGroup: r.string('REDIS_PRIMARY_GROUP', { default: 'primary' }),
    standbyGroup: r.string('REDIS_STANDBY_GROUP', { default: 'standby' }),
  };
  if (s.primaryGroup === s.standbyGroup) r.problem('REDIS_PRIMARY_GROUP and REDIS_STANDBY_GROUP must differ (each Redis has its own persister group)');
  return s;
}
