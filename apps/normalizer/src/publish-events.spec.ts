import { Hdr, Subjects, TransientError, type Delivered, type WindowedPublisher } from '@feed/messaging';
import { Registry } from '@feed/metrics';
import type { MarketEventV1, TradeV1 } from '@feed/price-types';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { JsMsg } from '@nats-io/jetstream';
import type { MapResult } from './mappers';
import { createNormalizerMetrics } from './metrics';
import { createBatchHandler } from './publish-events';
import { RecentIds } from './recent-ids';

/* The normalizer's side effect with a recording stand-in for the JetStream publisher (a unit test of the pure
 * batching and dedupe logic; real publishes are covered by the messaging lib's tests against nats-server). */

type Sent = { subject: string; data: Uint8Array | string; msgId?: string; headers?: { get(k: string): string } };

function trade(id: string, venueTimeUs = 1_795_939_333_010_000): TradeV1 {
  return { v: 1, type: 'trade', id: `trade:binance:BTC-USDT:${id}`, venue: 'binance', symbol: 'BTC-USDT', source: 'live', recvTimeUs: venueTimeUs + 900, tradeId: id, price: '60001.26', size: '0.01', side: 'buy', venueTimeUs };
}

function item(value: MapResult, seq: number, subject = 'feed.raw.binance.trade.BTC-USDT'): Delivered<MapResult> {
  return { value, seq, subject, msg: {} as JsMsg, deliveryCount: 1, ctx: ROOT_CONTEXT };
}

function setup(fail = false, storedBefore: string[] = []) {
  const sent: Sent[][] = [];
  const publisher = {
    // sendAll resolves once sent; the PubAcks settle later (the loop pipelines batches).
    sendAll: async (msgs: Sent[]) => {
      if (!fail) sent.push(msgs);
      const acks = fail ? Promise.reject(new Error('timeout')) : Promise.resolve(msgs.map((m) => ({ duplicate: storedBefore.includes(m.msgId ?? '') })));
      acks.catch(() => undefined);
      return { acks };
    },
  } as unknown as WindowedPublisher;
  const registry = new Registry();
  const metrics = createNormalizerMetrics(registry);
  const recent = new RecentIds(100);
  const send = createBatchHandler({ publisher, subjects: new Subjects('feed'), recent, metrics });
  // Runs the handler and waits for its pipelined completion, as the consumer loop does before acking.
  const handle = async (items: Delivered<MapResult>[]): Promise<void> => {
    const r = await send(items);
    if (r && 'settled' in r) await r.settled;
  };
  const value = async (name: string, labels: Record<string, string>) =>
    (await registry.getSingleMetric(name)?.get())?.values.find((v) => Object.entries(labels).every(([k, x]) => String(v.labels[k]) === x))?.value ?? 0;
  return { handle, sent, recent, value, registry };
}

describe('given a batch of mapped RAW frames', () => {
  it('when published then each event goes to its MD subject with its id as msg id and the source header', async () => {
    const { handle, sent } = setup();
    const t = trade('1');
    await handle([item({ events: [t] }, 1)]);
    expect(sent).toHaveLength(1);
    const m = sent[0]?.[0] as Sent;
    expect(m.subject).toBe('feed.md.v1.trade.BTC-USDT.binance');
    expect(m.msgId).toBe('trade:binance:BTC-USDT:1');
    expect(m.headers?.get(Hdr.source)).toBe('live');
    expect(JSON.parse(new TextDecoder().decode(m.data as Uint8Array))).toEqual(t);
  });

  it('when the same event id appears twice in one batch or was published recently then it is published once and counted as duplicate', async () => {
    const { handle, sent, value } = setup();
    await handle([item({ events: [trade('1'), trade('2')] }, 1), item({ events: [trade('2')] }, 2)]);
    await handle([item({ events: [trade('1'), trade('3')] }, 3)]);
    expect(sent.map((b) => b.map((m) => m.msgId))).toEqual([['trade:binance:BTC-USDT:1', 'trade:binance:BTC-USDT:2'], ['trade:binance:BTC-USDT:3']]);
    expect(await value('feed_normalizer_duplicates_total', { venue: 'binance' })).toBe(2);
    expect(await value('feed_normalizer_events_total', { venue: 'binance', type: 'trade' })).toBe(3);
  });

  it('when trades are published then the venue -> receive hop is observed from their own times (clock skew clamped at 0)', async () => {
    const { handle, value, registry } = setup();
    const late = trade('1'); // recvTimeUs = venueTimeUs + 900 µs
    const skewed = { ...trade('2'), recvTimeUs: trade('2').venueTimeUs - 5_000 }; // our clock behind the venue's
    await handle([item({ events: [late, skewed] }, 1)]);
    expect(await value('feed_normalizer_receive_delay_seconds', { venue: 'binance', le: '0.0001' })).toBe(1);
    expect(await value('feed_normalizer_receive_delay_seconds', { venue: 'binance', le: '0.001' })).toBe(2);
    const h = await registry.getSingleMetric('feed_normalizer_receive_delay_seconds')?.get();
    const values = (h?.values ?? []) as Array<{ metricName?: string; value: number }>;
    expect(values.find((v) => v.metricName === 'feed_normalizer_receive_delay_seconds_sum')?.value).toBeCloseTo(0.0009, 9);
  });

  it('when JetStream reports a publish as a duplicate (a redelivered frame) then it counts as a duplicate, not as an event', async () => {
    const { handle, value } = setup(false, ['trade:binance:BTC-USDT:2']);
    await handle([item({ events: [trade('1'), trade('2')] }, 1)]);
    expect(await value('feed_normalizer_events_total', { venue: 'binance', type: 'trade' })).toBe(1);
    expect(await value('feed_normalizer_duplicates_total', { venue: 'binance' })).toBe(1);
    expect(await value('feed_normalizer_latency_seconds', { venue: 'binance', le: '+Inf' })).toBe(1);
  });

  it('when frames carry no market data then they are counted as ignored and nothing is published', async () => {
    const { handle, sent, value } = setup();
    await handle([item({ events: [], ignored: 'subscription_ack' }, 1), item({ events: [trade('9')] }, 2)]);
    expect(await value('feed_normalizer_frames_total', { venue: 'binance', outcome: 'ignored' })).toBe(1);
    expect(await value('feed_normalizer_frames_total', { venue: 'binance', outcome: 'mapped' })).toBe(1);
    expect(sent.flat()).toHaveLength(1);
  });

  it('when the publish fails then the batch fails as transient and no id is remembered, so the retry publishes again', async () => {
    const failing = setup(true);
    const err = await failing.handle([item({ events: [trade('5')] }, 1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).code).toBe('NATS_PUBLISH_FAILED');
    expect(failing.recent.has('trade:binance:BTC-USDT', 'trade:binance:BTC-USDT:5')).toBe(false);
  });

  it('when the publish succeeds then the ids are remembered per stream', async () => {
    const { handle, recent } = setup();
    await handle([item({ events: [trade('5') as MarketEventV1] }, 1)]);
    expect(recent.has('trade:binance:BTC-USDT', 'trade:binance:BTC-USDT:5')).toBe(true);
  });
});
