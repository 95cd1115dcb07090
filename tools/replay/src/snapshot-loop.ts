import { Counter, Gauge, type Registry } from '@feed/metrics';
import { NotDedicatedRedisError, snapshotRound, type ReplayDeps } from './commands';

/**
 * The periodic snapshotter (`snapshot --every MS`): one snapshot round per period on the dedicated scratch Redis.
 * A failed round (Redis or NATS briefly away, a full disk) is logged as a JSON line, counted, and tried again next
 * period: the next round continues from the scratch Redis' checkpoint, or from the newest file when the scratch
 * Redis came back empty, so nothing is lost by waiting. Only a scratch Redis that a persister writes stops the loop
 * (no retry fixes a configuration error, and snapshots of it would be wrong).
 */
export interface SnapshotLoopStats {
  rounds: number;
  written: number;
  unchanged: number;
  failed: number;
  /** Sequence covered after the last successful round; 0 before the first. */
  seq: number;
}

export class SnapshotLoopMetrics {
  readonly rounds: Counter<'result'>;
  readonly seq: Gauge;
  readonly lastSuccess: Gauge;

  constructor(registry: Registry) {
    this.rounds = new Counter({ name: 'feed_snapshot_rounds_total', help: 'Snapshot rounds by result (written, unchanged, failed)', labelNames: ['result'], registers: [registry] });
    for (const r of ['written', 'unchanged', 'failed']) this.rounds.inc({ result: r }, 0);
    this.seq = new Gauge({ name: 'feed_snapshot_covered_seq', help: 'MD stream sequence the newest snapshot covers', registers: [registry] });
    this.lastSuccess = new Gauge({ name: 'feed_snapshot_last_success_timestamp_seconds', help: 'Wall-clock time of the last successful snapshot round (alert on its age)', registers: [registry] });
  }
}

export class SnapshotLoop {
  private readonly stats: SnapshotLoopStats = { rounds: 0, written: 0, unchanged: 0, failed: 0, seq: 0 };
  private stopping = false;
  private wake: (() => void) | undefined;
  private lastOk = false;
  private done = false;

  constructor(
    private readonly d: ReplayDeps,
    private readonly o: { dir: string; keep: number; everyMs: number },
    private readonly metrics?: SnapshotLoopMetrics,
  ) {}

  /** Liveness: the loop has not ended. */
  get running(): boolean {
    return !this.done;
  }

  /** Readiness: the last round succeeded (its dependencies answered). */
  get lastRoundOk(): boolean {
    return this.lastOk;
  }

  /** Ends the loop: at once when it is waiting for the next period, after the round when one is running. */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  async run(): Promise<SnapshotLoopStats> {
    try {
      while (!this.stopping) {
        await this.round();
        if (!this.stopping) await this.sleep();
      }
      return { ...this.stats };
    } finally {
      this.done = true;
    }
  }

  private async round(): Promise<void> {
    this.stats.rounds++;
    try {
      const r = await snapshotRound(this.d, { dir: this.o.dir, keep: this.o.keep });
      this.stats.seq = r.seq;
      this.stats[r.written ? 'written' : 'unchanged']++;
      this.lastOk = true;
      this.metrics?.rounds.inc({ result: r.written ? 'written' : 'unchanged' });
      this.metrics?.seq.set(r.seq);
      this.metrics?.lastSuccess.set(Date.now() / 1000);
    } catch (e) {
      if (e instanceof NotDedicatedRedisError) throw e;
      this.stats.failed++;
      this.lastOk = false;
      this.metrics?.rounds.inc({ result: 'failed' });
      const err = e instanceof Error ? { err: e.message, errName: e.name } : { err: String(e) };
      this.d.out({ level: 'error', msg: 'snapshot round failed', ...err, failed: this.stats.failed, retryInMs: this.o.everyMs });
    }
  }

  private sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, this.o.everyMs);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    }).finally(() => (this.wake = undefined));
  }
}
