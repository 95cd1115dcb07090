import type { Delivered, HandleOutcome } from '@feed/messaging';
import { context } from '@opentelemetry/api';
import { nowUs, type MarketEventV1 } from '@feed/price-types';
import type { PersisterMetrics } from './metrics';
import type { LateTradeLog } from './late-trades';
import { RefusedError, type ApplyResult, type BatchApplier } from '@feed/projections';

/**
 * The persister's side effect: one atomic, idempotent script call per batch. If Redis refuses the batch's
 * writes (not an outage), the events are applied one by one so only the event responsible is dead-lettered.
 * Acks happen in the consumer loop, after this resolves: never before the write.
 */
export function createBatchHandler(applier: BatchApplier, metrics: PersisterMetrics, late?: LateTradeLog) {
  const account = (evs: MarketEventV1[], r: ApplyResult) => {
    metrics.redisUp.set(1);
    late?.record(r.late, r.future);
    for (const [type, c] of Object.entries(r.counts)) {
      if (c.applied) metrics.events.inc({ type, outcome: 'applied' }, c.applied);
      if (c.duplicates) metrics.events.inc({ type, outcome: 'duplicate' }, c.duplicates);
      if (c.skipped) metrics.events.inc({ type, outcome: 'skipped' }, c.skipped);
    }
    const now = nowUs();
    for (const ev of evs) if (ev.type === 'trade') metrics.latency.observe({ type: 'trade' }, Math.max(0, now - ev.recvTimeUs) / 1e6);
  };
  return async (items: Delivered<MarketEventV1>[]): Promise<void | HandleOutcome<MarketEventV1>> => {
    // The batch span's context, re-entered after each await: the persister's context does not follow awaits
    // (SyncContextManager), and late-trade log lines and the one-by-one retries' Redis spans belong to the batch.
    const ctx = context.active();
    const batch = items.map((i) => ({ ev: i.value, seq: i.seq }));
    try {
      const r = await applier.apply(batch);
      context.with(ctx, () => account(items.map((i) => i.value), r));
      return;
    } catch (e) {
      if (!(e instanceof RefusedError)) {
        metrics.redisUp.set(0);
        throw e;
      }
    }
    const rejected: HandleOutcome<MarketEventV1>['rejected'] = [];
    for (const item of items) {
      try {
        const r = await context.with(ctx, () => applier.apply([{ ev: item.value, seq: item.seq }]));
        context.with(ctx, () => account([item.value], r));
      } catch (e) {
        if (!(e instanceof RefusedError)) throw e;
        rejected.push({ item, reason: 'redis_refused', detail: e.message });
      }
    }
    return { rejected };
  };
}
