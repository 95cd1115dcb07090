import { hostname } from 'node:os';
import type { ConfigReader } from './reader';

/** Settings every app shares: identity, environment, logging, shutdown bound, namespace prefixes. */
export interface CommonConfig {
  /** development | test | production. Production refuses the simulator unless ALLOW_SIMULATOR=true. */
  env: 'development' | 'test' | 'production';
  /** Unique per process; defaults to `<hostname>-<pid>` (swarm task hostnames are unique). */
  instanceId: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Upper bound for a clean SIGTERM shutdown; swarm's stop_grace_period must be longer. */
  shutdownTimeoutMs: number;
  /** Deadline to reach dependencies at start; past it the app exits non-zero (decision 9). */
  startupTimeoutMs: number;
  /** Subject prefix, stream-name prefix and durable-name prefix (decision 4); a preview stack uses its own. */
  prefix: string;
  /** Prefix of Feed's own Redis keys (legacy v3 keys are unprefixed by contract). */
  keyPrefix: string;
  allowSimulator: boolean;
}

const PREFIX_RE = /^[a-z][a-z0-9_-]{0,31}$/;

export function readCommon(r: ConfigReader): CommonConfig {
  const env = r.oneOf('FEED_ENV', ['development', 'test', 'production'] as const, { default: 'development', aliases: ['NODE_ENV'] });
  const prefix = r.string('FEED_PREFIX', { default: 'feed' });
  if (!PREFIX_RE.test(prefix)) r.problem(`FEED_PREFIX=${JSON.stringify(prefix)} must match ${PREFIX_RE} (it becomes subject and stream names)`);
  const keyPrefix = r.string('FEED_KEY_PREFIX', { default: `${prefix}:` });
  if (!/^[A-Za-z0-9_.:-]{1,40}$/.test(keyPrefix)) r.problem(`FEED_KEY_PREFIX=${JSON.stringify(keyPrefix)} has characters outside [A-Za-z0-9_.:-]`);
  return {
    env,
    instanceId: r.string('INSTANCE_ID', { default: `${hostname()}-${process.pid}` }),
    logLevel: r.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, { default: 'info' }),
    shutdownTimeoutMs: r.int('SHUTDOWN_TIMEOUT_MS', { default: 10_000, min: 100, max: 120_000 }),
    startupTimeoutMs: r.int('STARTUP_TIMEOUT_MS', { default: 30_000, min: 100, max: 600_000 }),
    prefix,
    keyPrefix,
    allowSimulator: r.bool('ALLOW_SIMULATOR', { default: env !== 'production' }),
  };
}
