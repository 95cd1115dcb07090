import { cleanupAll, startNatsWithClient } from '@feed/testing';
import { jetstream, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { MissingStreamError } from './errors';
import { applyStreams, verifyStreams } from './setup';
import { DEFAULT_STREAM_SETTINGS, streamSpecs, type StreamSettings } from './streams';

jest.setTimeout(30_000);

let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  ({ nc, jsm } = await startNatsWithClient());
});

afterAll(cleanupAll);

const ns = (ms: number) => ms * 1_000_000;
const settings = (prefix: string, over: Partial<StreamSettings> = {}): StreamSettings => ({
  ...DEFAULT_STREAM_SETTINGS,
  prefix,
  rawMaxBytes: 64 * 1024 * 1024,
  mdMaxBytes: 64 * 1024 * 1024,
  dlqMaxBytes: 8 * 1024 * 1024,
  ...over,
});

async function streamNames(): Promise<string[]> {
  const out: string[] = [];
  for await (const si of jsm.streams.list()) out.push(si.config.name);
  return out.sort();
}

describe('applyStreams', () => {
  it('creates RAW, MD, DLQ and the lease bucket; a second run reports everything unchanged', async () => {
    const s = settings('ap1', { leaseTtlMs: 2_000 });
    const first = await applyStreams(nc, jsm, s);
    expect(first.created).toEqual(['AP1_RAW', 'AP1_MD', 'AP1_DLQ', 'KV_ap1_leases']);
    expect(first.updated).toEqual([]);
    expect(first.unchanged).toEqual([]);
    expect(first.drift).toEqual([]);

    const raw = await jsm.streams.info('AP1_RAW');
    expect(raw.config).toMatchObject({ subjects: ['ap1.raw.>'], storage: 'file', retention: 'limits', discard: 'old', max_age: ns(24 * 3_600_000), max_bytes: 64 * 1024 * 1024, duplicate_window: ns(120_000) });
    expect((await jsm.streams.info('AP1_MD')).config.subjects).toEqual(['ap1.md.v1.>']);
    expect((await jsm.streams.info('AP1_DLQ')).config.subjects).toEqual(['ap1.dlq.>']);
    // The lease bucket is a KV stream whose max_age is the lease TTL.
    const kv = await jsm.streams.info('KV_ap1_leases');
    expect(kv.config.max_age).toBe(ns(2_000));
    expect(kv.config.max_msgs_per_subject).toBe(1);

    const second = await applyStreams(nc, jsm, s);
    expect(second.created).toEqual([]);
    expect(second.updated).toEqual([]);
    expect(second.drift).toEqual([]);
    expect(second.unchanged).toEqual(['AP1_RAW', 'AP1_MD', 'AP1_DLQ', 'KV_ap1_leases']);
    expect((await streamNames()).filter((n) => n.includes('AP1') || n.includes('ap1'))).toEqual(['AP1_DLQ', 'AP1_MD', 'AP1_RAW', 'KV_ap1_leases']);
  });

  it('reports a changed setting as drift and fixes it; then everything is unchanged again', async () => {
    const s = settings('ap2');
    await applyStreams(nc, jsm, s);
    const changed = settings('ap2', { mdMaxAgeMs: 3_600_000, dlqMaxBytes: 4 * 1024 * 1024 });
    const r = await applyStreams(nc, jsm, changed);
    expect(r.created).toEqual([]);
    expect(r.drift).toEqual([
      { stream: 'AP2_MD', field: 'max_age', want: ns(3_600_000), have: ns(DEFAULT_STREAM_SETTINGS.mdMaxAgeMs), fixable: true },
      { stream: 'AP2_DLQ', field: 'max_bytes', want: 4 * 1024 * 1024, have: 8 * 1024 * 1024, fixable: true },
    ]);
    expect(r.updated).toEqual(['AP2_MD', 'AP2_DLQ']);
    expect(r.unchanged).toEqual(['AP2_RAW', 'KV_ap2_leases']);
    expect((await jsm.streams.info('AP2_MD')).config.max_age).toBe(ns(3_600_000));
    expect((await jsm.streams.info('AP2_DLQ')).config.max_bytes).toBe(4 * 1024 * 1024);

    const again = await applyStreams(nc, jsm, changed);
    expect(again.drift).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(again.unchanged).toEqual(['AP2_RAW', 'AP2_MD', 'AP2_DLQ', 'KV_ap2_leases']);
  });

  it('a changed lease TTL is drift of the lease bucket and is fixed (the normalizer reads its TTL from the bucket)', async () => {
    await applyStreams(nc, jsm, settings('ap3', { leaseTtlMs: 3_000 }));
    const r = await applyStreams(nc, jsm, settings('ap3', { leaseTtlMs: 5_000 }));
    expect(r.drift).toEqual([{ stream: 'KV_ap3_leases', field: 'max_age', want: ns(5_000), have: ns(3_000), fixable: true }]);
    expect(r.updated).toEqual(['KV_ap3_leases']);
    expect((await jsm.streams.info('KV_ap3_leases')).config.max_age).toBe(ns(5_000));
    const again = await applyStreams(nc, jsm, settings('ap3', { leaseTtlMs: 5_000 }));
    expect(again.drift).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(again.unchanged).toEqual(['AP3_RAW', 'AP3_MD', 'AP3_DLQ', 'KV_ap3_leases']);
  });

  it('fix:false changes nothing: missing streams and the bucket stay missing, drift stays in place', async () => {
    const dry = await applyStreams(nc, jsm, settings('ap4'), { fix: false });
    expect(dry.created).toEqual([]);
    expect(dry.updated).toEqual([]);
    expect(dry.drift.map((d) => [d.stream, d.field, d.have, d.fixable])).toEqual([
      ['AP4_RAW', '(stream)', 'missing', true],
      ['AP4_MD', '(stream)', 'missing', true],
      ['AP4_DLQ', '(stream)', 'missing', true],
      ['KV_ap4_leases', '(stream)', 'missing', true],
    ]);
    expect((await streamNames()).filter((n) => /ap4/i.test(n))).toEqual([]);

    await applyStreams(nc, jsm, settings('ap4'));
    const before = await jsm.streams.info('AP4_RAW');
    const r = await applyStreams(nc, jsm, settings('ap4', { rawMaxAgeMs: 60_000, leaseTtlMs: 9_000 }), { fix: false });
    expect(r.drift).toEqual([
      { stream: 'AP4_RAW', field: 'max_age', want: ns(60_000), have: ns(24 * 3_600_000), fixable: true },
      { stream: 'KV_ap4_leases', field: 'max_age', want: ns(9_000), have: ns(DEFAULT_STREAM_SETTINGS.leaseTtlMs), fixable: true },
    ]);
    expect(r.updated).toEqual([]);
    expect((await jsm.streams.info('AP4_RAW')).config).toEqual(before.config);
    expect((await jsm.streams.info('KV_ap4_leases')).config.max_age).toBe(ns(DEFAULT_STREAM_SETTINGS.leaseTtlMs));
  });

  it("an MD stream made with the earlier subjects (<p>.md.>) is narrowed to the v1 schema's, keeping its messages", async () => {
    const md = streamSpecs(settings('ap6')).find((x) => x.name === 'AP6_MD');
    if (!md) throw new Error('no MD stream spec');
    await jsm.streams.add({ ...md, subjects: ['ap6.md.>'] });
    await jetstream(nc).publish('ap6.md.v1.trade.BTC-USDT.binance', '{}', { msgID: 'trade:binance:BTC-USDT:1' });
    const r = await applyStreams(nc, jsm, settings('ap6'));
    expect(r.drift.filter((d) => d.stream === 'AP6_MD')).toEqual([{ stream: 'AP6_MD', field: 'subjects', want: ['ap6.md.v1.>'], have: ['ap6.md.>'], fixable: true }]);
    expect(r.updated).toEqual(['AP6_MD']);
    const info = await jsm.streams.info('AP6_MD');
    expect({ subjects: info.config.subjects, messages: info.state.messages }).toEqual({ subjects: ['ap6.md.v1.>'], messages: 1 });
  });

  it('unfixable drift (storage) is reported as such and the stream is left alone', async () => {
    // Someone created AP5_MD by hand on memory storage: JetStream cannot change storage in place.
    await jsm.streams.add({ name: 'AP5_MD', subjects: ['ap5.md.>'], storage: StorageType.Memory });
    const r = await applyStreams(nc, jsm, settings('ap5'));
    expect(r.created).toEqual(['AP5_RAW', 'AP5_DLQ', 'KV_ap5_leases']);
    const md = r.drift.filter((d) => d.stream === 'AP5_MD');
    expect(md.find((d) => d.field === 'storage')).toEqual({ stream: 'AP5_MD', field: 'storage', want: 'file', have: 'memory', fixable: false });
    expect(r.updated).toEqual([]);
    expect((await jsm.streams.info('AP5_MD')).config.storage).toBe('memory');
  });
});

describe('verifyStreams', () => {
  it('passes when everything exists and throws MissingStreamError naming exactly what is missing', async () => {
    await applyStreams(nc, jsm, settings('vf1'));
    await expect(verifyStreams(jsm, ['VF1_RAW', 'VF1_MD', 'VF1_DLQ'])).resolves.toBeUndefined();

    await jsm.streams.delete('VF1_MD');
    const err: unknown = await verifyStreams(jsm, ['VF1_RAW', 'VF1_MD', 'VF1_DLQ', 'NOPE_X']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingStreamError);
    const m = err as MissingStreamError;
    expect(m.code).toBe('STREAM_MISSING');
    expect(m.missing).toEqual(['VF1_MD', 'NOPE_X']);
    expect(m.message).toContain('VF1_MD, NOPE_X');
    expect(m.message).not.toContain('VF1_RAW');
  });
});
