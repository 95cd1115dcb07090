/**
 * The Redis instances Prometheus scrapes through redis_exporter in multi-target mode: the managed primary (not a
 * swarm service: its host is deploy-time configuration, TLS only) and the standby projection (decision 10). One
 * definition for both places that must agree on the target URIs: the file_sd targets Prometheus reads (a swarm
 * config mounted by the monitoring override) and the exporter's password map (a secret keyed by the same URIs).
 * Prometheus cannot expand environment variables in its configuration, hence a generated targets file.
 */

export type RedisRole = 'primary' | 'standby';

export interface RedisTarget {
  uri: string;
  role: RedisRole;
}

/** Where the monitoring override mounts the targets file; prometheus.yml's redis job reads it. */
export const REDIS_TARGETS_PATH = '/etc/prometheus/targets/redis.json';

/** The standby's address on the shared overlay network: the redis stack's service, by its full swarm name. */
export const STANDBY_REDIS_URI = 'redis://redis_redis-standby:6379';

export function redisTargets(primary: { host: string; port: number }): RedisTarget[] {
  if (!/^[A-Za-z0-9.-]+$/.test(primary.host)) throw new Error(`managed Redis host ${JSON.stringify(primary.host)} is not a host name`);
  if (!Number.isInteger(primary.port) || primary.port < 1 || primary.port > 65_535) throw new Error(`managed Redis port ${primary.port} is not a port`);
  // rediss: the managed Redis accepts TLS only (feed.yml sets REDIS_USE_TLS for the apps).
  return [
    { uri: `rediss://${primary.host}:${primary.port}`, role: 'primary' },
    { uri: STANDBY_REDIS_URI, role: 'standby' },
  ];
}

/** Prometheus file_sd JSON: one group per Redis, labelled with its role (the alerts and dashboards use `role`). */
export function renderFileSd(targets: readonly RedisTarget[]): string {
  return `${JSON.stringify(
    targets.map((t) => ({ targets: [t.uri], labels: { role: t.role } })),
    null,
    2,
  )}\n`;
}

/** redis_exporter's REDIS_PASSWORD_FILE: target URI -> password, for exactly the targets Prometheus asks for. */
export function renderPasswordMap(targets: readonly RedisTarget[], passwords: Record<RedisRole, string>): string {
  return JSON.stringify(Object.fromEntries(targets.map((t) => [t.uri, passwords[t.role]])));
}
