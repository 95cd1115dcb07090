import type { ReadSwitchSettings, RedisEndpoint, RedisRole } from '@feed/config';
import type { Keys } from '@feed/keys';
import type { Logger } from '@feed/logging';
import { Counter, Gauge, type Registry } from '@feed/metrics';
import type { Redis } from 'ioredis';
import { decideTarget, type SwitchReason, type TargetObservation } from './switch-policy';

/** One Redis the api can read from, and the persister group whose checkpoint says how current it is. */
export interface ReadTarget {
  role: RedisRole;
  client: Redis;
  endpoint: Pick<RedisEndpoint, 'host' | 'port'>;
  group: string;
}

/** Where the reader sends a read, and where it may retry one that failed (readWithFallback, redis-read.ts). */
export interface ReadRouting {
  current(): Redis;
  /** The other Redis when the last probe found it up: a failed read is retried there once. */
  fallback(): Redis | undefined;
  /** Counts a read answered by the fallback. */
  servedByFallback(): void;
}

export interface ReadSwitchMetrics {
  readTarget: Gauge<'target'>;
  redisUp: Gauge<'role'>;
  lag: Gauge<'group'>;
  checkpoint: Gauge<'group'>;
  switches: Counter<'to' | 'reason'>;
  fallbacks: Counter;
}

export function createReadSwitchMetrics(registry: Registry): ReadSwitchMetrics {
  const registers = [registry];
  return {
    readTarget: new Gauge({ name: 'feed_redis_read_target', help: '1 for the Redis the api currently reads from (target=primary|standby), 0 for the other', labelNames: ['target'], registers }),
    redisUp: new Gauge({ name: 'feed_redis_up', help: '1 when the last probe of this Redis (PING + checkpoint) succeeded', labelNames: ['role'], registers }),
    lag: new Gauge({ name: 'feed_projection_lag_events', help: "MD stream last sequence minus the persister group's checkpoint (events not yet projected)", labelNames: ['group'], registers }),
    checkpoint: new Gauge({ name: 'feed_projection_checkpoint_seq', help: 'Highest MD stream sequence the persister group has applied to its Redis', labelNames: ['group'], registers }),
    switches: new Counter({ name: 'feed_redis_read_switches_total', help: 'Read target changes, by new target and reason (primary_down, primary_caught_up, standby_down)', labelNames: ['to', 'reason'], registers }),
    fallbacks: new Counter({ name: 'feed_api_read_fallbacks_total', help: 'Reads that failed on the current target and were answered by the other Redis', registers }),
  };
}

export interface ReadSwitchOptions {
  primary: ReadTarget;
  standby?: ReadTarget;
  settings: ReadSwitchSettings;
  keys: Keys;
  /** The MD stream's last sequence (for lag); undefined when it cannot be read right now. */
  streamLastSeq: () => Promise<number | undefined>;
  metrics: ReadSwitchMetrics;
  log: Logger;
  nowMs?: () => number;
}

interface TargetState extends TargetObservation {
  lag: number | undefined;
}

/**
 * The api's read side over two projections of the log (decision 10): probes both Redis every
 * `checkIntervalMs` (PING and the group checkpoint in one pipeline, cut off after a bound so a hung server counts
 * as down), applies `decideTarget`, and exports the target, each Redis' state and each group's lag. No keys
 * are ever copied: the standby is current because its own persister group keeps it so.
 */
export class ReadSwitch implements ReadRouting {
  private active: RedisRole = 'primary';
  private readonly state: Record<RedisRole, TargetState>;
  private lastSeq: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private switchedAtMs: number | undefined;
  private switchCount = 0;
  private readonly now: () => number;

  constructor(private readonly o: ReadSwitchOptions) {
    this.now = o.nowMs ?? Date.now;
    const initial = (): TargetState => ({ up: false, checkpoint: 0, downSinceMs: undefined, lag: undefined });
    this.state = { primary: initial(), standby: initial() };
    this.publishTarget();
  }

  /** First probe now, then on the interval. Resolves after the first probe. */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.o.settings.checkIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  get target(): RedisRole {
    return this.active;
  }

  current(): Redis {
    return this.targetOf(this.active).client;
  }

  fallback(): Redis | undefined {
    const other = this.active === 'primary' ? this.o.standby : this.o.primary;
    if (!other || !this.state[other.role].up || other.client.status !== 'ready') return undefined;
    return other.client;
  }

  servedByFallback(): void {
    this.o.metrics.fallbacks.inc();
  }

  /** True when a read can be answered: the current target is connected, or the other one can stand in. */
  readable(): boolean {
    return this.current().status === 'ready' || this.fallback() !== undefined;
  }

  /** For GET /v1/status, /ready details and the legacy /redis/status. */
  status() {
    const view = (t: ReadTarget | undefined) =>
      t && {
        up: this.state[t.role].up,
        host: t.endpoint.host,
        port: t.endpoint.port,
        group: t.group,
        checkpoint: this.state[t.role].checkpoint,
        lagEvents: this.state[t.role].lag ?? null,
        downSince: this.state[t.role].downSinceMs === undefined ? null : new Date(this.state[t.role].downSinceMs as number).toISOString(),
      };
    return {
      readTarget: this.active,
      switches: this.switchCount,
      switchedAt: this.switchedAtMs === undefined ? null : new Date(this.switchedAtMs).toISOString(),
      streamLastSeq: this.lastSeq ?? null,
      primary: view(this.o.primary),
      standby: view(this.o.standby) ?? null,
    };
  }

  /** One probe round and decision; rounds never overlap. */
  check(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  private async round(): Promise<void> {
    const targets = [this.o.primary, ...(this.o.standby ? [this.o.standby] : [])];
    const timeoutMs = this.o.settings.probeTimeoutMs;
    const [seq, ...probes] = await Promise.all([this.o.streamLastSeq().catch(() => undefined), ...targets.map((t) => probe(t, this.o.keys, timeoutMs))]);
    if (seq !== undefined) this.lastSeq = seq;
    const now = this.now();
    targets.forEach((t, i) => {
      const p = probes[i] as { up: boolean; checkpoint: number | undefined };
      const st = this.state[t.role];
      if (p.up) {
        if (st.downSinceMs !== undefined || !st.up) this.o.log.info({ role: t.role, host: t.endpoint.host, port: t.endpoint.port }, 'redis answering');
        st.up = true;
        st.downSinceMs = undefined;
        st.checkpoint = p.checkpoint ?? 0;
      } else {
        if (st.up || st.downSinceMs === undefined) this.o.log.warn({ role: t.role, host: t.endpoint.host, port: t.endpoint.port }, 'redis not answering');
        st.up = false;
        st.downSinceMs ??= now;
      }
      st.lag = this.lastSeq === undefined ? undefined : Math.max(0, this.lastSeq - st.checkpoint);
      this.o.metrics.redisUp.set({ role: t.role }, st.up ? 1 : 0);
      this.o.metrics.checkpoint.set({ group: t.group }, st.checkpoint);
      if (st.lag !== undefined) this.o.metrics.lag.set({ group: t.group }, st.lag);
    });
    const d = decideTarget(this.active, this.state.primary, this.o.standby ? this.state.standby : undefined, now, this.o.settings);
    if (d.target !== this.active && d.reason) this.switchTo(d.target, d.reason);
  }

  private switchTo(to: RedisRole, reason: SwitchReason): void {
    const from = this.active;
    this.active = to;
    this.switchCount++;
    this.switchedAtMs = this.now();
    this.o.metrics.switches.inc({ to, reason });
    this.publishTarget();
    this.o.log.warn({ from, to, reason, primary: this.status().primary, standby: this.status().standby }, 'redis read target switched');
  }

  private publishTarget(): void {
    this.o.metrics.readTarget.set({ target: 'primary' }, this.active === 'primary' ? 1 : 0);
    if (this.o.standby) this.o.metrics.readTarget.set({ target: 'standby' }, this.active === 'standby' ? 1 : 0);
  }

  private targetOf(role: RedisRole): ReadTarget {
    return role === 'standby' && this.o.standby ? this.o.standby : this.o.primary;
  }
}

/** PING + the group's checkpoint (and its rebuild mark) in one round trip, bounded by `timeoutMs` (a stopped-but-connected server). */
async function probe(t: ReadTarget, keys: Keys, timeoutMs: number): Promise<{ up: boolean; checkpoint: number | undefined }> {
  if (t.client.status !== 'ready') return { up: false, checkpoint: undefined };
  let timer: NodeJS.Timeout | undefined;
  try {
    const exec = t.client.pipeline().ping().hmget(keys.checkpoint(t.group), 'seq', 'rebuild').exec();
    exec.catch(() => undefined);
    const res = await Promise.race([exec, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)))]);
    if (!res || res.some(([err]) => err)) return { up: false, checkpoint: undefined };
    const [seq, rebuilding] = (res[1]?.[1] ?? []) as Array<string | null>;
    // A projection being rebuilt from the log (its Redis came back empty) is not current whatever its max seq says.
    if (rebuilding) return { up: res[0]?.[1] === 'PONG', checkpoint: 0 };
    return { up: res[0]?.[1] === 'PONG', checkpoint: typeof seq === 'string' && /^\d+$/.test(seq) ? Number(seq) : 0 };
  } catch {
    return { up: false, checkpoint: undefined };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
