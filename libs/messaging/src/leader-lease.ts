import type { Logger } from '@feed/logging';
import type { KV } from '@nats-io/kv';

export interface LeaseOptions {
  /** Lease lifetime; equals the KV bucket's max_age, so a dead holder's entry vanishes after it. */
  ttlMs: number;
  /** Renew period; well under ttlMs (ttl/4 by default, so two late renewals still fit in the self-fencing margin). */
  renewMs?: number;
  /**
   * After winning the lease, wait this long before reporting leadership. Set it to the consumer's ack wait: the
   * previous holder's unacked messages are then queued for redelivery, which JetStream serves before new ones,
   * so the new holder continues in stream order.
   */
  takeoverDelayMs?: number;
  /**
   * Checked once on acquisition: when it resolves true (e.g. the consumer has no unacknowledged messages, so no
   * previous holder has anything in flight), the takeover delay is skipped.
   */
  skipDelayIf?: () => Promise<boolean>;
}

/**
 * A leader lease on a NATS KV key: one holder at a time per key (decision 5, "partitioned consumers with one
 * active writer each"). `create` succeeds only when the key is absent; the holder renews with a compare-and-set
 * `update` on its own revision; a holder that cannot renew within the TTL steps down by itself (self-fencing),
 * before another instance can have acquired the key.
 */
export class LeaderLease {
  private revision = 0;
  private leaderSince = 0;
  private delayMs = 0;
  private lastRenewAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private busy = false;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly kv: KV,
    private readonly key: string,
    private readonly holder: string,
    private readonly opts: LeaseOptions,
    private readonly log: Logger,
  ) {}

  /** True while this instance holds a fresh lease and its takeover delay has passed. */
  isLeader(): boolean {
    if (this.revision === 0) return false;
    const now = Date.now();
    if (now - this.lastRenewAt > this.opts.ttlMs * 0.8) return false;
    return now - this.leaderSince >= this.delayMs;
  }

  holds(): boolean {
    return this.revision !== 0;
  }

  start(): void {
    const renewMs = this.opts.renewMs ?? Math.max(50, Math.floor(this.opts.ttlMs / 4));
    const tick = () => {
      if (this.stopped || this.busy) return;
      this.busy = true;
      this.inFlight = this.step()
        .catch((e: unknown) => this.log.warn({ key: this.key, err: e instanceof Error ? e.message : String(e) }, 'lease step failed'))
        .finally(() => {
          this.busy = false;
        });
    };
    tick();
    this.timer = setInterval(tick, renewMs);
    this.timer.unref();
  }

  /**
   * Stop renewing and release the key if held, so a standby takes over without waiting for the TTL. Leadership ends
   * at once; a renewal or acquisition still in flight is waited for and released too (its reply used to re-install
   * the lease after stop(): isLeader() true again, and the key kept until its TTL).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const rev = this.revision;
    this.revision = 0;
    if (rev !== 0) await this.release(rev);
    await this.inFlight;
  }

  private async release(rev: number): Promise<void> {
    try {
      await this.kv.delete(this.key, { previousSeq: rev });
      this.log.info({ key: this.key }, 'lease released');
    } catch {
      // A newer revision exists (a renewal in flight: released when it lands) or the key is gone already.
    }
  }

  private async step(): Promise<void> {
    // The server starts the entry's TTL when the write ARRIVES, which can be long before the reply does (a slow
    // network, a GC pause): a lease dated by the reply outlived the entry and overlapped the next holder. Date
    // every write by when it was sent, the earliest the server can have stored it.
    const sentAt = Date.now();
    if (this.revision !== 0) {
      try {
        const rev = await this.kv.update(this.key, this.holder, this.revision);
        if (this.stopped) return await this.release(rev);
        this.revision = rev;
        this.lastRenewAt = sentAt;
      } catch (e) {
        if (this.stopped) return;
        this.revision = 0;
        this.log.warn({ key: this.key, err: e instanceof Error ? e.message : String(e) }, 'lease lost');
      }
      return;
    }
    let rev: number;
    try {
      rev = await this.kv.create(this.key, this.holder);
    } catch {
      return; // Held by someone else: try again next tick.
    }
    if (this.stopped) return await this.release(rev);
    this.revision = rev;
    this.lastRenewAt = sentAt;
    this.leaderSince = Date.now();
    this.delayMs = this.opts.takeoverDelayMs ?? 0;
    if (this.delayMs > 0 && this.opts.skipDelayIf && (await this.opts.skipDelayIf().catch(() => false))) this.delayMs = 0;
    this.log.info({ key: this.key, holder: this.holder, takeoverDelayMs: this.delayMs }, 'lease acquired');
  }
}
