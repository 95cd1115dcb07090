import { TransientError } from '@feed/messaging';
import { ReplyError, type Redis } from 'ioredis';
import { APPLY_BATCH_LUA } from './apply-script';
import { buildApplyArgs, type ApplyContext, type SequencedEvent } from './batch-args';

/** Redis refused the batch's writes; the caller isolates the event responsible. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
  readonly code = 'REDIS_REFUSED';
}

export interface ApplyResult {
  /** Per event type: applied (new) and duplicate (id already applied) counts; skipped = types not projected. */
  counts: Record<string, { applied: number; duplicates: number; skipped: number }>;
}

/**
 * Applies a batch through the Lua script (EVALSHA, loading it on NOSCRIPT, e.g. after a Redis restart).
 * Redis connection errors become TransientError so the consumer loop naks and pauses instead of crashing.
 */
export class BatchApplier {
  private sha: string | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly ctx: ApplyContext,
  ) {}

  async apply(batch: SequencedEvent[]): Promise<ApplyResult> {
    const { argv, projected, skipped } = buildApplyArgs(batch, this.ctx);
    let flags: number[];
    try {
      flags = (await this.run(argv)) as number[];
    } catch (e) {
      // A reply error is Redis refusing the script's writes (e.g. a foreign key of the wrong type): not an outage.
      if (e instanceof ReplyError && !/^(LOADING|BUSY|MASTERDOWN|READONLY|NOSCRIPT|TRYAGAIN|CLUSTERDOWN|OOM)/.test((e as Error).message)) throw new RefusedError((e as Error).message);
      throw new TransientError(`redis apply failed: ${e instanceof Error ? e.message : String(e)}`, 'REDIS_UNAVAILABLE', { cause: e });
    }
    const counts: ApplyResult['counts'] = {};
    const slot = (type: string) => (counts[type] ??= { applied: 0, duplicates: 0, skipped: 0 });
    projected.forEach((batchIndex, i) => {
      const c = slot((batch[batchIndex] as SequencedEvent).ev.type);
      if (flags[i] === 1) c.applied++;
      else c.duplicates++;
    });
    for (const batchIndex of skipped) slot((batch[batchIndex] as SequencedEvent).ev.type).skipped++;
    return { counts };
  }

  private async run(argv: string[]): Promise<unknown> {
    if (!this.sha) this.sha = (await this.redis.script('LOAD', APPLY_BATCH_LUA)) as string;
    try {
      return await this.redis.evalsha(this.sha, 0, ...argv);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('NOSCRIPT')) {
        this.sha = (await this.redis.script('LOAD', APPLY_BATCH_LUA)) as string;
        return this.redis.evalsha(this.sha, 0, ...argv);
      }
      throw e;
    }
  }
}
