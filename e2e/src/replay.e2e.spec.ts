import { readdirSync } from 'node:fs';
import path from 'node:path';
import { FeedStack, ROOT } from '@feed/feed-stack';
import { dumpState, keyFamilies, type DumpValue } from '@feed/keys';
import { spawnApp, startRedis, tempDir, waitFor, type JsonLine, type RedisServerHandle } from '@feed/testing';
import { Redis } from 'ioredis';

/**
 * Replay, snapshots and rollback (issue 5, hard rule 2), end to end: 50,000 simulated trades through ingest,
 * normalizer and the persister; then the compiled replay tool
 *  - rebuilds a scratch Redis from the start of the log: identical registry-wide dump to the live Redis;
 *  - took a snapshot mid-stream (on its own scratch Redis); restore = that snapshot + a replay of the tail gives the
 *    identical dump too;
 *  - rolls the live Redis back (clear + rebuild, as after a bad projection version): identical again;
 *  - keeps a bounded number of snapshots.
 * Checkpoints are per group, so they are left out of the comparisons; every other registered family is compared.
 */
const N = 50_000;

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
    stack = await FeedStack.start({ sim: { rate: 5_000, maxTrades: N } });
    snapDir = await tempDir('snapshots');
    snapRedis = await startRedis();
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    await stack.startApp('ingest');
    // A snapshot while trades are still flowing: it covers a prefix of the log, the restore below replays the rest.
    await waitFor(async () => (await stack.redis.zcard('feed:trades:BTC-USDT')) >= N / 3, { what: 'a third of the trades persisted', timeoutMs: 120_000, intervalMs: 200 });
    const first = (await run(['snapshot', '--dir', snapDir, '--keep', '2'], snapRedis.port)).find((l) => l['msg'] === 'snapshot written');
    expect(first).toMatchObject({ seq: expect.any(Number), keys: expect.any(Number) });
    await stack.simClient.waitForCount(N, 180_000);
    // Quiesce: stop ingest (no more heartbeats), then wait for the persister to have applied the whole MD stream.
    for (const ingest of [...stack.apps.ingest]) await stack.kill9(ingest);
    const mdLast = async () => (await stack.jsm.streams.info('FEED_MD')).state.last_seq;
    await waitFor(async () => Number(await stack.redis.hget('feed:checkpoint:primary', 'seq')) === (await mdLast()), { what: 'the persister caught up', timeoutMs: 180_000, intervalMs: 250 });
    expect(await stack.redis.zcard('feed:trades:BTC-USDT')).toBe(N);
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
    expect(done.tail.events).toBeGreaterThan(N / 3);
    expect(await dumpOf(target.port)).toEqual(live);
  });

  it('rollback of the live Redis (clear, then rebuild from the log) gives the same state; snapshots stay bounded', async () => {
    // As after a bad projection version: the persister is stopped, its Redis cleared and rebuilt by the previous
    // version (here: the same code), then the persister restarts from its durable.
    for (const p of [...stack.apps.persister]) await p.stop();
    await stack.redis.set('feed:latest:trade:BTC-USDT:binance', 'corrupted by a bad version').catch(() => undefined);
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
