import type { Delivered } from '@feed/messaging';
import { Registry } from '@feed/metrics';
import type { MarketEventV1 } from '@feed/price-types';
import { RefusedError, type ApplyResult } from '@feed/projections';
import { SyncContextManager } from '@feed/tracing';
import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { createBatchHandler } from './handle-batch';
import { createPersisterMetrics } from './metrics';

const BATCH = createContextKey('batch');
const batchCtx = ROOT_CONTEXT.setValue(BATCH, 'the batch span');
const inBatch = () => context.active().getValue(BATCH);

const item = (n: number): Delivered<MarketEventV1> =>
  ({ value: { v: 1, type: 'trade', id: `trade:binance:BTC-USDT:${n}`, venue: 'binance', symbol: 'BTC-USDT', recvTimeUs: 1, venueTimeUs: 1 }, seq: n }) as unknown as Delivered<MarketEventV1>;
const applied = (n: number): ApplyResult => ({ counts: { trade: { applied: n, duplicates: 0, skipped: 0 } }, late: [], future: [] });

/** The persister runs SyncContextManager: its context does not follow awaits, so the handler re-enters it. */
describe('the persister batch handler, given a context manager that does not follow awaits', () => {
  beforeAll(() => context.setGlobalContextManager(new SyncContextManager()));
  afterAll(() => context.disable());

  it('when the batch applies after an await, then the late-trade accounting runs in the batch context', async () => {
    const seen: unknown[] = [];
    const applier = {
      apply: async () => {
        seen.push(['apply', inBatch()]);
        await new Promise((r) => setImmediate(r));
        return applied(2);
      },
    };
    const late = { record: () => void seen.push(['late', inBatch()]) };
    const handle = createBatchHandler(applier as never, createPersisterMetrics(new Registry()), late as never);
    await context.with(batchCtx, () => handle([item(1), item(2)]));
    expect(seen).toEqual([
      ['apply', 'the batch span'],
      ['late', 'the batch span'],
    ]);
  });

  it('when Redis refuses the batch, then each one-by-one apply starts in the batch context (its Redis span is the batch span\'s child)', async () => {
    const seen: unknown[] = [];
    let calls = 0;
    const applier = {
      apply: async (b: unknown[]) => {
        seen.push([b.length, inBatch()]);
        await new Promise((r) => setImmediate(r));
        if (calls++ === 0) throw new RefusedError('OOM command not allowed');
        return applied(1);
      },
    };
    const handle = createBatchHandler(applier as never, createPersisterMetrics(new Registry()), { record: () => undefined } as never);
    const out = await context.with(batchCtx, () => handle([item(1), item(2)]));
    expect(out).toEqual({ rejected: [] });
    expect(seen).toEqual([
      [2, 'the batch span'],
      [1, 'the batch span'],
      [1, 'the batch span'],
    ]);
  });
});
