import { readdirSync } from 'node:fs';
import path from 'node:path';
import { FeedStack, ROOT } from '@feed/feed-stack';
import { dumpState, keyFamilies, type DumpValue } from '@feed/keys';
import { WindowedPublisher } from '@feed/messaging';
import type { TradeV1 } from '@feed/price-types';
import { spawnApp, startRedis, tempDir, waitFor, type JsonLine, type RedisServerHandle } from '@feed/testing';
import { Redis } from 'ioredis';

/**
 * Replay, snapshots and rollback (issue 5, hard rule 2), end to end: the live pipeline (simulator, ingest,
 * normalizer, persister) runs at a low rate for heartbeats, statuses and Binance trades, while the test publishes
 * 50,000 normalized Coinbase BTC-USD trades to the MD log itself (so the volume does not depend on the machine's
 * load); the persister projects all of it. Then the compiled replay tool
 *  - rebuilds a scratch Redis from the start of the log: identical registry-wide dump to the live Redis;
 *  - took a snapshot mid-stream (on its own scratch Redis); restore = that snapshot + a replay of the tail gives the
 *    identical dump too;
 *  - rolls the live Redis back (clear + rebuild, as after a bad projection version): identical again;
 *  - keeps a bounded number of snapshots.
 * Checkpoints are per group, so they are left out of the comparisons; every other registered family is compared.
 */
const N = 50_000;
const SUBJECT = 'feed.md.v1.trade.BTC-USD.coinbase';

function trade(i: number): TradeV1 {
  const tradeId = String(3_000_000 + i);
  const venueTimeUs = 1_790_000_000_000_000 + ((i * 7_919) % N) * 1_000 + i; // not in publish order
  const cents = 6_000_000 + ((i * 104_729) % 400_000);
  const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`.replace(/\.?0+$/, '');
  return { v: 1, type: 'trade', id: `trade:coinbase:BTC-USD:${tradeId}`, venue: 'coinbase', symbol: 'BTC-USD', source: 'simulated', recvTimeUs: venueTimeUs + 900, tradeId, price, size: `0.0${1 + (i % 9)}`, side: i % 2 ? 'buy' : 'sell', venueTimeUs };
}

describe('replay and snapshots against the live projection of 50,000 trades', () => {
  let stack: FeedStack;
  let snapDir: string;
  let snapRedis: RedisServerHandle;
  let live: Record<string, DumpValue>;
  const families = keyFamilies('feed:');
  const exclude = { exclude: ['checkpoint'] };
  const scratchClients: Redis[] = [];

  const run = async (args: string[], port: number, extra: Record<string, string> = {}): Promise<JsonLine[]> => {
    const app = spawnApp({ name: `replay ${args[0] ?? ''}`, script: path.join(ROOT, 'dist/tools/replay/main.js'), args, env: { ...stack.baseEnv('persister'), REDIS_PORT: String(port), ...extra } });
    const exit = await app.exited;
    expect({ code: exit.code, tail: exit.code === 0 ? '' : app.tail(20) }).toEqual({ code: 0, tail: '' });
    return app.json();
  };
  const dumpOf = async (port: number): Promise<Record<string, DumpValue>> => {
    const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
    scratchClients.push(c);
    await c.connect();
    return dumpState(c, families, exclude);
  };

  beforeAll(async () => {
    stack = await FeedStack.start({ sim: { rate: 50 } });
    snapDir = await tempDir('snapshots');
    snapRedis = await startRedis();
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    await stack.startApp('ingest');
    const pub = new WindowedPublisher(stack.nc, { window: 500, timeoutMs: 30_000 });
    const events = Array.from({ length: N }, (_v, i) => trade(i));
    const publish = async (from: number, to: number) => {
      const { acks } = await pub.sendAll(events.slice(from, to).map((ev) => ({ subject: SUBJECT, data: JSON.stringify(ev), msgID: ev.id })));
      await acks;
      await waitFor(async () => (await stack.redis.zcard('feed:trades:BTC-USD')) === to, { what: `${to} trades persisted`, timeoutMs: 180_000, intervalMs: 200 });
    };
    // A snapshot while the live pipeline still runs: it covers a prefix of the log, the restore below replays the rest.
    await publish(0, 20_000);
    const first = (await run(['snapshot', '--dir', snapDir, '--keep', '2'], snapRedis.port)).find((l) => l['msg'] === 'snapshot written');
    expect(first).toMatchObject({ seq: expect.any(Number), keys: expect.any(Number) });
    await publish(20_000, N);
    // Quiesce: stop ingest (no more heartbeats), then wait for the persister to have applied the whole MD stream.
    for (const ingest of [...stack.apps.ingest]) await stack.kill9(ingest);
    const mdLast = async () => (await stack.jsm.streams.info('FEED_MD')).state.last_seq;
    await waitFor(async () => Number(await stack.redis.hget('feed:checkpoint:primary', 'seq')) === (await mdLast()), { what: 'the persister caught up', timeoutMs: 180_000, intervalMs: 250 });
    expect(await stack.redis.zcard('feed:trades:BTC-USD')).toBe(N);
    // The live pipeline's own events are in the state too (statuses, Binance trades).
    expect(await stack.redis.exists('feed:latest:trade:BTC-USDT:binance')).toBe(1);
    live = await dumpState(stack.redis, families, exclude);
    expect(Object.keys(live).length).toBeGreaterThan(5);
  });

  afterAll(async () => {
    for (const c of scratchClients) c.disconnect();
    await stack?.stop();
  });

  it('a rebuild from the start of the log into a scratch Redis equals the live state', async () => {
    const scratch = await startRedis();
    const out = await run(['rebuild'], scratch.port);
    const done = out.find((l) => l['msg'] === 'replay complete') as JsonLine;
    expect(done).toMatchObject({ fromSeq: 1, poison: 0 });
    expect(done['applied'] as number).toBeGreaterThanOrEqual(N);
    process.stdout.write(`replay: ${String(done['events'])} events in ${String(done['ms'])} ms = ${String(done['eventsPerSecond'])} events/s\n`);
    expect(await dumpOf(scratch.port)).toEqual(live);
  });

  it('restore = the mid-stream snapshot + a replay of the tail equals the live state', async () => {
    const target = await startRedis();
    const out = await run(['restore', '--dir', snapDir], target.port);
    const done = out.find((l) => l['msg'] === 'restore complete') as JsonLine & { tail: { events: number; fromSeq: number } };
    expect(done['snapshotSeq'] as number).toBeGreaterThan(0);
    // The tail really is a tail: it starts after the snapshot and carries trades the snapshot did not have.
    expect(done.tail.fromSeq).toBe((done['snapshotSeq'] as number) + 1);
    expect(done.tail.events).toBeGreaterThanOrEqual(N - 20_000);
    expect(await dumpOf(target.port)).toEqual(live);
  });

  it('rollback of the live Redis (clear, then rebuild from the log) gives the same state; snapshots stay bounded', async () => {
    // As after a bad projection version: the persister is stopped, its Redis cleared and rebuilt by the previous
    // version (here: the same code), then the persister restarts from its durable.
    for (const p of [...stack.apps.persister]) await p.stop();
    await stack.redis.del('feed:latest:trade:BTC-USD:coinbase');
    await stack.redis.set('feed:latest:trade:BTC-USD:coinbase', 'written by a bad version');
    const out = await run(['rebuild', '--clear'], stack.redisServer.port);
    expect((out.find((l) => l['msg'] === 'replay complete') as JsonLine)['cleared'] as number).toBeGreaterThan(0);
    expect(await dumpState(stack.redis, families, exclude)).toEqual(live);

    // Two more snapshot rounds with --keep 2: the scratch Redis continues from its own checkpoint, and only the two
    // newest files remain, the newest covering the whole log.
    const again = (await run(['snapshot', '--dir', snapDir, '--keep', '2'], snapRedis.port)).find((l) => l['msg'] === 'snapshot written');
    expect(again).toBeDefined();
    const unchanged = (await run(['snapshot', '--dir', snapDir, '--keep', '2'], snapRedis.port)).find((l) => l['msg'] === 'snapshot unchanged');
    expect(unchanged).toMatchObject({ seq: again?.['seq'] });
    expect(readdirSync(snapDir).filter((f) => f.endsWith('.ndjson.gz'))).toHaveLength(2);
    // The snapshot Redis itself is the projection of the log up to that sequence.
    expect(await dumpOf(snapRedis.port)).toEqual(live);
  });
});
