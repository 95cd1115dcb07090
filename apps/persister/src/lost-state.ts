import type { Keys } from '@feed/keys';
import type { Logger } from '@feed/logging';
import { Counter, Gauge, type Registry } from '@feed/metrics';
import { lastFilteredSeq, replayLog, type BatchApplier } from '@feed/projections';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Redis } from 'ioredis';

export interface LostStateOptions {
  redis: Redis;
  keys: Keys;
  group: string;
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  filter: string;
  durable: string;
  /** The group's projection code with publish off (a rebuild never re-publishes btc_price). */
  applier: BatchApplier;
  batchSize: number;
  registry: Registry;
  log: Logger;
}

/**
 * A Redis that comes back EMPTY (restarted without persistence, replaced, flushed) while this group's durable has
 * already acked events: catching up from the durable alone would leave everything before the outage missing, and
 * the read switch would trust a checkpoint that only covers the tail. On every (re)connect this checks the group's
 * checkpoint; when it is gone but the durable's ack floor is above 0, it marks the checkpoint `rebuild=<last seq>`
 * (the api treats such a projection as not caught up) and replays the log from the start into this Redis beside the
 * live consumer (both idempotent), then clears the mark. A persister that dies mid-rebuild resumes it on restart
 * (the mark stays). The check's HMGET is issued from the 'ready' handler, before any command of the consumer loop
 * on the new connection, so a batch applied just after the reconnect cannot hide the loss.
 */
export class LostStateRecovery {
  private running: Promise<void> | undefined;
  private pending: Promise<Array<string | null>> | undefined;
  private readonly rebuilding: Gauge<'group'>;
  private readonly rebuilds: Counter<'group'>;

  constructor(private readonly o: LostStateOptions) {
    const registers = [o.registry];
    this.rebuilding = new Gauge({ name: 'feed_projection_rebuilding', help: "1 while this persister rebuilds its group's projection from the log (its Redis came back empty)", labelNames: ['group'], registers });
    this.rebuilds = new Counter({ name: 'feed_projection_rebuilds_total', help: 'Rebuilds from the log started because the Redis came back without this group\'s projection', labelNames: ['group'], registers });
    this.rebuilding.set({ group: o.group }, 0);
  }

  /** Checks on every future (re)connect; call `check()` once for the connection already open. */
  attach(): void {
    this.o.redis.on('ready', () => void this.check());
  }

  get active(): boolean {
    return this.running !== undefined;
  }

  /**
   * Reads the checkpoint NOW (before any later command on this connection) and acts on it; when a previous check or
   * rebuild is still running, that reading is acted on right after it, so no reconnect goes unchecked.
   */
  check(): Promise<void> {
    const seen = this.o.redis.hmget(this.o.keys.checkpoint(this.o.group), 'seq', 'rebuild');
    seen.catch(() => undefined);
    if (this.running) {
      this.pending = seen;
      return this.running;
    }
    this.running = this.loop(seen).finally(() => {
      this.running = undefined;
      this.rebuilding.set({ group: this.o.group }, 0);
    });
    return this.running;
  }

  private async loop(first: Promise<Array<string | null>>): Promise<void> {
    let seen: Promise<Array<string | null>> | undefined = first;
    while (seen) {
      try {
        await this.run(seen);
      } catch (e) {
        this.o.log.warn({ group: this.o.group, err: e instanceof Error ? e.message : String(e) }, 'projection check/rebuild interrupted; resumed on the next reconnect');
      }
      seen = this.pending;
      this.pending = undefined;
    }
  }

  private async run(seen: Promise<Array<string | null>>): Promise<void> {
    const [seq, mark] = await seen;
    const cp = this.o.keys.checkpoint(this.o.group);
    let target = mark ? Number(mark) : undefined;
    if (target === undefined && seq === null) {
      const info = await this.o.jsm.consumers.info(this.o.stream, this.o.durable);
      const floor = info.ack_floor.stream_seq;
      if (floor === 0) return; // a new group on a new Redis: the durable delivers everything anyway
      target = Math.max(floor, await lastFilteredSeq(this.o.jsm, this.o.stream, this.o.filter));
      await this.o.redis.hset(cp, 'rebuild', String(target));
      this.rebuilds.inc({ group: this.o.group });
      this.o.log.warn({ group: this.o.group, ackFloor: floor, target }, "redis has lost this group's projection (checkpoint gone, durable acked up to its floor): rebuilding from the log");
    }
    if (target === undefined) return;
    this.rebuilding.set({ group: this.o.group }, 1);
    const r = await replayLog({ js: this.o.js, jsm: this.o.jsm, stream: this.o.stream, filter: this.o.filter, applier: this.o.applier, batchSize: this.o.batchSize, toSeq: target });
    await this.o.redis.hdel(cp, 'rebuild');
    this.o.log.info({ group: this.o.group, target, events: r.events, applied: r.applied, ms: r.ms }, 'projection rebuilt from the log');
  }
}
