import type { RedisRole } from '@feed/config';
import type { Keys } from '@feed/keys';
import type { Logger } from '@feed/logging';
import { Gauge, type Registry } from '@feed/metrics';
import type { Redis } from 'ioredis';

export interface ProjectionWatchOptions {
  redis: Redis;
  role: RedisRole;
  group: string;
  keys: Keys;
  /** The MD stream's last sequence. */
  streamLastSeq: () => Promise<number>;
  intervalMs: number;
  registry: Registry;
  log: Logger;
}

/**
 * The persister's view of its own projection: `feed_redis_up{role}` and `feed_projection_lag_events{group}`
 * (MD last sequence minus this group's checkpoint), measured on an interval, plus one log line each time the
 * connection to its Redis is lost or back, so an outage (both Redis down included) is explained where it happens:
 * the consumer loop meanwhile pauses fetching and JetStream keeps the events.
 */
export class ProjectionWatch {
  private timer: NodeJS.Timeout | undefined;
  private wasUp: boolean | undefined;
  private readonly up: Gauge<'role'>;
  private readonly lag: Gauge<'group'>;

  constructor(private readonly o: ProjectionWatchOptions) {
    const registers = [o.registry];
    this.up = new Gauge({ name: 'feed_redis_up', help: "1 while this persister's Redis is connected and answers", labelNames: ['role'], registers });
    this.lag = new Gauge({ name: 'feed_projection_lag_events', help: "MD stream last sequence minus this persister group's checkpoint", labelNames: ['group'], registers });
    o.redis.on('ready', () => this.note(true));
    o.redis.on('close', () => this.note(false));
  }

  start(): void {
    this.note(this.o.redis.status === 'ready');
    this.timer = setInterval(() => void this.measure(), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private note(up: boolean): void {
    this.up.set({ role: this.o.role }, up ? 1 : 0);
    if (up === this.wasUp) return;
    if (this.wasUp !== undefined) {
      if (up) this.o.log.info({ role: this.o.role, group: this.o.group }, 'redis back: fetching resumes once the probe answers');
      else this.o.log.warn({ role: this.o.role, group: this.o.group, reason: 'redis_unavailable' }, 'redis connection lost: fetching paused, JetStream keeps the events, /ready is 503 until it answers');
    }
    this.wasUp = up;
  }

  private async measure(): Promise<void> {
    if (this.o.redis.status !== 'ready') return;
    try {
      const [last, seq] = await Promise.all([this.o.streamLastSeq(), this.o.redis.hget(this.o.keys.checkpoint(this.o.group), 'seq')]);
      this.lag.set({ group: this.o.group }, Math.max(0, last - Number(seq ?? 0)));
    } catch {
      // the next round measures again; an outage is reported by the connection events and the consumer loop
    }
  }
}
