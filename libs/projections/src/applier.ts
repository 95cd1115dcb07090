import { TransientError } from '@feed/messaging';
import type { TradeV1 } from '@feed/price-types';
import { ReplyError, type Redis } from 'ioredis';
import { APPLY_BATCH_LUA } from './apply-script';
import { buildApplyArgs, type ApplyContext, type SequencedEvent } from './batch-args';
import type { ScriptProjection } from './script-projection';

/** Redis refused the batch's writes; the caller isolates the event responsible. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
  readonly code = 'REDIS_REFUSED';
}

export interface ApplyResult {
  /** Per event type: applied (new) and duplicate (id already applied) counts; skipped = types not projected. */
  counts: Record<string, { applied: number; duplicates: number; skipped: number }>;
  /** Trades applied but received after their 1s bar's finality horizon: counted in the bar as late, not in its OHLCV. */
  late: TradeV1[];
  /** Trades applied but kept out of the candles: venue time more than CANDLE_MAX_FUTURE_MS ahead of receive time. */
  future: TradeV1[];
}

/** A reply error is Redis refusing the script's writes (e.g. a foreign key of the wrong type): not an outage. */
const OUTAGE_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|NOSCRIPT|TRYAGAIN|CLUSTERDOWN|OOM|EXECABORT)/;

function classify(e: unknown): Error {
  if (e instanceof ReplyError && !OUTAGE_REPLY.test((e as Error).message)) return new RefusedError((e as Error).message);
  return new TransientError(`redis apply failed: ${e instanceof Error ? e.message : String(e)}`, 'REDIS_UNAVAILABLE', { cause: e });
}

/**
 * Applies a batch through the main Lua script and any script projections (EVALSHA, loading the scripts on
 * NOSCRIPT, e.g. after a Redis restart). With script projections the calls run in one MULTI/EXEC, so the batch
 * stays atomic. Redis connection errors become TransientError so the consumer loop naks and pauses instead of
 * crashing.
 */
export class BatchApplier {
  private readonly shas = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly ctx: ApplyContext,
    private readonly extras: readonly ScriptProjection[] = [],
  ) {}

  async apply(batch: SequencedEvent[]): Promise<ApplyResult> {
    const { argv, projected, skipped } = buildApplyArgs(batch, this.ctx);
    const calls: { lua: string; argv: string[]; p?: ScriptProjection }[] = [{ lua: APPLY_BATCH_LUA, argv }];
    for (const p of this.extras) {
      const a = p.args(batch);
      if (a) calls.push({ lua: p.lua, argv: a, p });
    }
    let replies: unknown[];
    try {
      replies = calls.length === 1 ? [await this.runOne(calls[0] as { lua: string; argv: string[] })] : await this.runAll(calls);
    } catch (e) {
      throw classify(e);
    }
    const flags = replies[0] as number[];
    const counts: ApplyResult['counts'] = {};
    const claimed = new Set<string>();
    calls.forEach((c, i) => {
      c.p?.onResult?.(replies[i]);
      for (const t of c.p?.claims ?? []) claimed.add(t);
      for (const x of c.p?.counts?.(replies[i]) ?? []) {
        const cnt = (counts[x.type] ??= { applied: 0, duplicates: 0, skipped: 0 });
        cnt.applied += x.applied;
        cnt.duplicates += x.duplicates;
      }
    });
    const late: TradeV1[] = [];
    const future: TradeV1[] = [];
    const slot = (type: string) => (counts[type] ??= { applied: 0, duplicates: 0, skipped: 0 });
    projected.forEach((batchIndex, i) => {
      const ev = (batch[batchIndex] as SequencedEvent).ev;
      const c = slot(ev.type);
      const f = flags[i];
      if (f === 1 || f === 2 || f === 3) c.applied++;
      else c.duplicates++;
      if (f === 2 && ev.type === 'trade') late.push(ev);
      if (f === 3 && ev.type === 'trade') future.push(ev);
    });
    // Types the main script skips but a script projection that ran applied (gap: completeness) are counted above.
    for (const batchIndex of skipped) {
      const type = (batch[batchIndex] as SequencedEvent).ev.type;
      if (!claimed.has(type)) slot(type).skipped++;
    }
    return { counts, late, future };
  }

  private async sha(lua: string, reload = false): Promise<string> {
    let sha = this.shas.get(lua);
    if (!sha || reload) {
      sha = (await this.redis.script('LOAD', lua)) as string;
      this.shas.set(lua, sha);
    }
    return sha;
  }

  // argv goes in as one array (ioredis flattens it once into the command) rather than spread into the call, which
  // copied the thousands of arguments of a batch twice more (the spread and the rest parameter).
  // The script call is issued synchronously when its sha is cached (every batch but the first): the persister's
  // tracing context is active only for the synchronous part of a batch (SyncContextManager in libs/tracing), and
  // the ioredis span must start inside it to be the batch span's child.
  private async runOne(call: { lua: string; argv: string[] }): Promise<unknown> {
    try {
      return await this.redis.evalsha(this.shas.get(call.lua) ?? (await this.sha(call.lua)), 0, call.argv);
    } catch (e) {
      if (!(e instanceof Error && e.message.startsWith('NOSCRIPT'))) throw e;
      return this.redis.evalsha(await this.sha(call.lua, true), 0, call.argv);
    }
  }

  /**
   * All scripts in one MULTI/EXEC. A script missing from Redis' cache (NOSCRIPT inside EXEC, e.g. after a restart
   * between our load and this call) did not run while the others did; every script is idempotent, so the missing
   * ones are loaded and run again on their own. Any other error reply fails the batch (the first one is thrown).
   * Returns every script's reply, in call order.
   */
  private async runAll(calls: { lua: string; argv: string[] }[]): Promise<unknown[]> {
    const cached = calls.map((c) => this.shas.get(c.lua));
    // Synchronous when every sha is cached, as in runOne.
    const shas = cached.every((x) => x !== undefined) ? cached : await Promise.all(calls.map((c) => this.sha(c.lua)));
    const tx = this.redis.multi();
    calls.forEach((c, i) => tx.evalsha(shas[i] as string, 0, c.argv));
    const res = (await tx.exec()) as [Error | null, unknown][] | null;
    if (!res) throw new TransientError('redis apply failed: transaction aborted', 'REDIS_UNAVAILABLE');
    const out: unknown[] = [];
    for (let i = 0; i < res.length; i++) {
      const [err, value] = res[i] as [Error | null, unknown];
      if (err && err.message.startsWith('NOSCRIPT')) out.push(await this.runOne(calls[i] as { lua: string; argv: string[] }));
      else if (err) throw err;
      else out.push(value);
    }
    return out;
  }
}
