import { cleanupAll, startNatsWithClient } from '@feed/testing';
import { AckPolicy, jetstream, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { durableFilter, ensureDurable } from './durable';

let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  ({ nc, jsm } = await startNatsWithClient());
});

afterAll(async () => {
  await cleanupAll();
});

const opts = (stream: string, durable: string, filterSubject: string) => ({ stream, durable, filterSubject, ackWaitMs: 2_000, maxDeliver: 5, maxAckPending: 100 });

describe('durableFilter', () => {
  it("drops a filter that is the stream's only subject and keeps any other", () => {
    expect(durableFilter(['f.raw.>'], 'f.raw.>')).toBeUndefined();
    expect(durableFilter(['f.md.>'], 'f.md.v1.>')).toBe('f.md.v1.>');
    expect(durableFilter(['f.md.v1.>', 'f.md.v2.>'], 'f.md.v1.>')).toBe('f.md.v1.>');
    expect(durableFilter(undefined, 'f.x')).toBe('f.x');
  });
});

describe('ensureDurable', () => {
  it('creates the durable without a filter when the filter is the whole stream, and it still gets every message', async () => {
    await jsm.streams.add({ name: 'D1', subjects: ['d1.raw.>'], storage: StorageType.File });
    await ensureDurable(jsm, opts('D1', 'd1', 'd1.raw.>'));
    const c = await jsm.consumers.info('D1', 'd1');
    expect(c.config.filter_subject ?? '').toBe('');
    expect(c.config).toMatchObject({ ack_policy: 'explicit', max_deliver: 5, max_ack_pending: 100, ack_wait: 2_000_000_000 });
    const js = jetstream(nc);
    for (const s of ['d1.raw.binance.trade.BTC-USDT', 'd1.raw.okx.quote.BTC-USDT']) await js.publish(s, 'x');
    const got = await (await js.consumers.get('D1', 'd1')).fetch({ max_messages: 2, expires: 2_000 });
    const subjects: string[] = [];
    for await (const m of got) {
      subjects.push(m.subject);
      m.ack();
    }
    expect(subjects).toEqual(['d1.raw.binance.trade.BTC-USDT', 'd1.raw.okx.quote.BTC-USDT']);
  });

  it('keeps a narrower filter', async () => {
    await jsm.streams.add({ name: 'D2', subjects: ['d2.md.>'], storage: StorageType.File });
    await ensureDurable(jsm, opts('D2', 'd2', 'd2.md.v1.>'));
    expect((await jsm.consumers.info('D2', 'd2')).config.filter_subject).toBe('d2.md.v1.>');
  });

  it('leaves a durable made earlier with the whole-stream filter as it is, and still applies other settings', async () => {
    await jsm.streams.add({ name: 'D3', subjects: ['d3.raw.>'], storage: StorageType.File });
    await jsm.consumers.add('D3', { durable_name: 'd3', ack_policy: AckPolicy.Explicit, filter_subject: 'd3.raw.>', max_deliver: 5, max_ack_pending: 100, ack_wait: 2_000_000_000 });
    await ensureDurable(jsm, { ...opts('D3', 'd3', 'd3.raw.>'), maxAckPending: 200 });
    const c = (await jsm.consumers.info('D3', 'd3')).config;
    expect({ filter: c.filter_subject, maxAckPending: c.max_ack_pending }).toEqual({ filter: 'd3.raw.>', maxAckPending: 200 });
  });
});
