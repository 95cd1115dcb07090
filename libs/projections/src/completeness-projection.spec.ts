import { Keys, dumpState, keyFamilies } from '@feed/keys';
import type { GapV1 } from '@feed/price-types';
import { cleanupAll, registry, startRedis, type RedisServerHandle } from '@feed/testing';
import { Redis } from 'ioredis';
import { BatchApplier } from './applier';
import type { SequencedEvent } from './batch-args';
import { completenessProjection, completenessRecord } from './completeness-projection';
import { PREFIX, T0, context } from './fixtures/events';

jest.setTimeout(60_000);

/* The completeness projection against a real redis-server, beside the main apply script (one MULTI/EXEC). */

const keys = new Keys(PREFIX);
const families = keyFamilies(PREFIX);
let server: RedisServerHandle;
const clients: Redis[] = [];
let db = 0;

async function fresh(): Promise<Redis> {
  const c = new Redis({ host: '127.0.0.1', port: server.port, db: db++ % 16, maxRetriesPerRequest: 0, retryStrategy: () => null });
  clients.push(c);
  await c.flushdb();
  return c;
}

function gapEv(after: number, state: GapV1['state'], over: Partial<GapV1> = {}): GapV1 {
  const key = `trade-${after}-${after + 4}`;
  return {
    v: 1,
    type: 'gap',
    id: `gap:binance:BTC-USDT:${key}:${state}`,
    venue: 'binance',
    symbol: 'BTC-USDT',
    source: 'simulated',
    recvTimeUs: T0 + after + (state === 'detected' ? 0 : 500),
    channel: 'trade',
    afterId: String(after),
    beforeId: String(after + 4),
    missing: 3,
    detectedAtUs: T0 + after,
    state,
    detectedBy: 'trade_id',
    ...(state === 'repaired' ? { repairedTrades: 3 } : {}),
    ...(state === 'unrepaired' ? { reason: 'no_rest' } : {}),
    ...over,
  };
}

const seq = (evs: GapV1[]): SequencedEvent[] => evs.map((ev, i) => ({ ev, seq: i + 1 }));

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  await cleanupAll();
  expect(registry.alive()).toEqual([]);
});

describe('given Gap events on the log', () => {
  const events = [gapEv(100, 'detected'), gapEv(100, 'repaired'), gapEv(200, 'detected'), gapEv(200, 'unrepaired'), gapEv(300, 'detected')];

  it('when applied then the stream zset holds one record per (gap, state), scored by detection time, without receive times', async () => {
    const redis = await fresh();
    await new BatchApplier(redis, context(), [completenessProjection(keys)]).apply(seq(events));
    const members = await redis.zrange(keys.completeness('BTC-USDT', 'binance', 'trade'), '0', '-1', 'WITHSCORES');
    const expected = events.map((g) => [JSON.stringify(completenessRecord(g)), String(g.detectedAtUs)]);
    expect(members).toEqual(expected.flat());
    expect(JSON.parse(members[2] as string)).toEqual({ k: 'gap:binance:BTC-USDT:trade-100-104', s: 'repaired', a: '100', b: '104', m: 3, d: T0 + 100, by: 'trade_id', n: 3 });
  });

  it('when applied twice then the first run counts every gap event as applied, the second as duplicates, none as skipped', async () => {
    const applier = new BatchApplier(await fresh(), context(), [completenessProjection(keys)]);
    expect((await applier.apply(seq(events))).counts['gap']).toEqual({ applied: 5, duplicates: 0, skipped: 0 });
    expect((await applier.apply(seq(events))).counts['gap']).toEqual({ applied: 0, duplicates: 5, skipped: 0 });
  });

  it('when applied twice, in reverse order, or one by one then the state is identical (idempotent, order-independent)', async () => {
    const a = await fresh();
    await new BatchApplier(a, context(), [completenessProjection(keys)]).apply(seq(events));
    const b = await fresh();
    const applier = new BatchApplier(b, context(), [completenessProjection(keys)]);
    for (const ev of [...events].reverse()) await applier.apply(seq([ev]));
    await applier.apply(seq(events));
    expect(await dumpState(b, families)).toEqual(await dumpState(a, families));
  });

  it('when more records arrive than the bound then the newest are kept, whatever the order', async () => {
    const many = Array.from({ length: 12 }, (_, i) => gapEv(1000 + i * 10, 'detected'));
    const a = await fresh();
    await new BatchApplier(a, context(), [completenessProjection(keys, 5)]).apply(seq(many));
    const b = await fresh();
    const pb = new BatchApplier(b, context(), [completenessProjection(keys, 5)]);
    for (const ev of [...many].reverse()) await pb.apply(seq([ev]));
    const key = keys.completeness('BTC-USDT', 'binance', 'trade');
    expect(await a.zcard(key)).toBe(5);
    expect(await b.zrange(key, '0', '-1')).toEqual(await a.zrange(key, '0', '-1'));
    expect((await a.zrange(key, '0', '0', 'WITHSCORES'))[1]).toBe(String(T0 + 1070));
  });
});
