import path from 'node:path';
import { FeedStack, ROOT, WsClient, sumSamples } from '@feed/feed-stack';
import { dumpState, keyFamilies } from '@feed/keys';
import { spawnApp, startRedis, waitFor, type AppProcess } from '@feed/testing';
import { Redis } from 'ioredis';

/**
 * Redis failover done right (issue 5, decision 10), end to end with real redis-server processes stopped and
 * started: 50,000 simulated trades through ingest, normalizer, TWO persisters on the primary Redis, ONE on the
 * standby Redis (its own group, durable and checkpoint) and the api.
 *  1. the primary is stopped mid-stream for a few times the detection threshold: a client polling the api never
 *     sees an error, reads move to the standby, and come back once the primary (restarted EMPTY, as a Redis without
 *     persistence does) has been rebuilt from the log by its persisters and caught up;
 *  2. both Redis are stopped: persisters stop fetching and say why, every /ready is 503; both come back empty;
 *  3. afterwards primary, standby and a replay of the log hold identical projections (registry-wide dump), with
 *     exactly the simulator's 50,000 trades once each, and reads are on the primary.
 * Detection threshold here: probes every 200 ms, failover after 1,000 ms.
 */
const N = 50_000;
const RATE = 2_500;
const OUTAGE_TRADES = 6_000; // ~2.4 s of trading at RATE: a few times the 1 s threshold (more on a loaded machine)

interface Status {
  readTarget: string;
  primary: { up: boolean; checkpoint: number; lagEvents: number | null };
  standby: { up: boolean; checkpoint: number; lagEvents: number | null };
}

function tradeIdsOf(members: string[]): string[] {
  return members.map((m) => (JSON.parse(m.slice(m.indexOf('|') + 1)) as { tradeId: string }).tradeId);
}

describe('Redis failover: standby as a second projection of the log', () => {
  let stack: FeedStack;
  let ws: WsClient;
  let primary: Redis;
  let standby: Redis;

  const status = async (): Promise<Status> => (await (await fetch(`${stack.apiUrl}/v1/status`)).json()) as Status;
  const zcard = async (r: Redis): Promise<number> => r.zcard('feed:trades:BTC-USDT').catch(() => -1);
  /** Where every stage stands: printed with each phase so a slow or stuck run says where it is. */
  const where = async (phase: string): Promise<void> => {
    const md = await stack.jsm.streams.info('FEED_MD', { subjects_filter: 'feed.md.v1.trade.>' }).catch(() => undefined);
    const line = { phase, sim: await stack.simClient.count().catch(() => -1), md: md?.state.subjects?.['feed.md.v1.trade.BTC-USDT.binance'] ?? -1, primary: await zcard(primary), standby: await zcard(standby), t: new Date().toISOString() };
    process.stdout.write(`failover e2e: ${JSON.stringify(line)}\n`);
  };
  const step = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    await where(`${phase}: start`);
    try {
      return await fn();
    } catch (e) {
      await where(`${phase}: FAILED`);
      for (const a of [...stack.apps.persister, ...stack.apps.ingest, ...stack.apps.normalizer]) process.stdout.write(`--- ${a.name}\n${a.tail(15)}\n`);
      throw e;
    }
  };
  /** Lets the simulator run until it has sent at least `n` trades in all, pauses it, and returns its exact count. */
  const runSimUntil = async (n: number): Promise<number> => {
    await stack.simClient.control('resume');
    await waitFor(async () => (await stack.simClient.count()) >= n, { what: `the simulator to send ${n} trades`, timeoutMs: 60_000, intervalMs: 20 });
    await stack.simClient.control('pause');
    return stack.simClient.count();
  };

  beforeAll(async () => {
    stack = await FeedStack.start({
      sim: { rate: RATE, maxTrades: N },
      standby: true,
      appEnv: { api: { REDIS_CHECK_INTERVAL_MS: '200', REDIS_FAILOVER_AFTER_MS: '1000', REDIS_SWITCHBACK_MAX_BEHIND: '200', PRICE_STALE_AFTER_MS: '600000' }, persister: { PERSISTER_PROBE_INTERVAL_MS: '200', PERSISTER_LAG_INTERVAL_MS: '200' } },
    });
    primary = stack.redis;
    standby = stack.standbyRedis as Redis;
    await stack.startApp('persister');
    await stack.startApp('persister');
    await stack.startStandbyPersister();
    await stack.startApp('normalizer');
    await stack.startApp('api');
    ws = await WsClient.connect(`${stack.apiUrl.replace('http', 'ws')}/v1/stream`);
    ws.send({ op: 'subscribe', channel: 'trades', symbol: 'BTC-USDT' });
    await waitFor(() => ws.frames.some((f) => f.type === 'subscribed'), { what: 'WS subscription confirmed' });
    await stack.startApp('ingest');
  });

  afterAll(async () => {
    ws?.close();
    await stack?.stop();
  });

  it('primary stopped mid-stream: the api answers from the standby throughout, then switches back once the rebuilt primary caught up', async () => {
    expect((await status()).readTarget).toBe('primary');
    // The simulator is paused between phases so each outage really has trades arriving during it, however slow
    // the machine is (the pipeline may lag the simulator by many seconds under load).
    await step('phase 1', async () => {
      await runSimUntil(12_000);
      await waitFor(async () => (await zcard(standby)) >= 10_000, { what: '10,000 trades on the standby', timeoutMs: 180_000, intervalMs: 200 });
    });

    const errors: string[] = [];
    const targets = new Set<string>();
    let polls = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        for (const p of ['/v1/trades?symbol=BTC-USDT&limit=5', '/v1/prices/latest?symbol=BTC-USDT']) {
          try {
            const res = await fetch(`${stack.apiUrl}${p}`);
            const body = (await res.json()) as Record<string, unknown>;
            polls++;
            targets.add(res.headers.get('x-feed-read-target') ?? 'none');
            const items = (body['trades'] ?? body['venues']) as unknown[] | undefined;
            if (res.status !== 200 || !items || items.length === 0) errors.push(`${p}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
          } catch (e) {
            errors.push(`${p}: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      }
    })();

    const sentAtStop = await stack.simClient.count();
    await stack.redisServer.stop();
    const stoppedAt = Date.now();
    await waitFor(async () => (await status()).readTarget === 'standby', { what: 'reads on the standby', timeoutMs: 15_000, intervalMs: 50 });
    // Reported, not asserted (timing targets belong to the benchmark): the issue asks for < 5 s.
    process.stdout.write(`failover: reads on the standby ${Date.now() - stoppedAt} ms after the primary stopped\n`);
    const sentInOutage = await runSimUntil(sentAtStop + OUTAGE_TRADES);
    // The standby's persister takes in the trades sent during the outage while the primary is still down.
    await step('primary outage', () => waitFor(async () => (await zcard(standby)) === sentInOutage, { what: 'the outage trades on the standby', timeoutMs: 180_000, intervalMs: 200 }));
    expect((await status()).primary.up).toBe(false);

    await stack.redisServer.restart(); // empty: no persistence, as in production
    await step('switch back', () => waitFor(async () => (await status()).readTarget === 'primary', { what: 'reads back on the primary', timeoutMs: 180_000, intervalMs: 100 }));
    polling = false;
    await poller;

    expect(errors).toEqual([]);
    expect(polls).toBeGreaterThan(20);
    expect([...targets].sort()).toEqual(['primary', 'standby']);
    const persisters = stack.apps.persister;
    const rebuilds = await Promise.all(persisters.map((p) => stack.counter(p, 'feed_projection_rebuilds_total', { group: 'primary' })));
    expect(rebuilds.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const apiMetrics = await stack.metrics(stack.apps.api[0] as AppProcess);
    expect(sumSamples(apiMetrics, 'feed_redis_read_switches_total', { to: 'standby', reason: 'primary_down' })).toBe(1);
    expect(sumSamples(apiMetrics, 'feed_redis_read_switches_total', { to: 'primary', reason: 'primary_caught_up' })).toBe(1);
    expect(sumSamples(apiMetrics, 'feed_redis_read_target', { target: 'primary' })).toBe(1);
  });

  it('both Redis down: persisters pause and say why, /ready is 503 everywhere; nothing is lost after recovery', async () => {
    const sentBefore = await stack.simClient.count();
    await Promise.all([stack.redisServer.stop(), stack.standbyServer?.stop()]);
    const apps = [...stack.apps.persister, ...stack.apps.api];
    await waitFor(async () => (await Promise.all(apps.map(async (a) => (await fetch(stack.url(a, '/ready'))).status))).every((s) => s === 503), { what: '/ready 503 on every persister and the api', timeoutMs: 15_000, intervalMs: 100 });
    const sent = await runSimUntil(sentBefore + OUTAGE_TRADES);
    // The trades reached the log while no Redis was there: JetStream keeps them for the persisters.
    await waitFor(async () => (await stack.jsm.streams.info('FEED_MD', { subjects_filter: 'feed.md.v1.trade.>' })).state.subjects?.['feed.md.v1.trade.BTC-USDT.binance'] === sent, {
      what: 'the outage trades on the MD stream',
      timeoutMs: 180_000,
      intervalMs: 200,
    });
    for (const a of apps) expect((await fetch(stack.url(a, '/ready'))).status).toBe(503);
    for (const p of stack.apps.persister) {
      expect(sumSamples(await stack.metrics(p), 'feed_redis_up')).toBe(0);
      expect(p.json().some((l) => l['msg'] === 'redis connection lost: fetching paused, JetStream keeps the events, /ready is 503 until it answers')).toBe(true);
    }
    await Promise.all([stack.redisServer.restart(), stack.standbyServer?.restart()]);
    await waitFor(async () => (await Promise.all(apps.map(async (a) => (await fetch(stack.url(a, '/ready'))).status))).every((s) => s === 200), { what: '/ready 200 again everywhere', timeoutMs: 30_000, intervalMs: 200 });
  });

  it('afterwards primary, standby and a replay hold identical projections with all 50,000 trades once each; reads on the primary', async () => {
    await stack.simClient.control('resume');
    await step('finish', async () => {
      await stack.simClient.waitForCount(N, 180_000);
      await waitFor(async () => (await zcard(primary)) === N && (await zcard(standby)) === N, { what: `${N} trades on both Redis`, timeoutMs: 180_000, intervalMs: 250 });
    });
    // Quiesce: stop ingest (no more heartbeats), then wait for both groups to have applied the whole MD stream.
    for (const ingest of [...stack.apps.ingest]) await stack.kill9(ingest);
    const mdLast = async () => (await stack.jsm.streams.info('FEED_MD')).state.last_seq;
    await waitFor(
      async () => {
        const last = await mdLast();
        const [p, s] = await Promise.all([primary.hmget('feed:checkpoint:primary', 'seq', 'rebuild'), standby.hmget('feed:checkpoint:standby', 'seq', 'rebuild')]);
        return Number(p[0]) === last && Number(s[0]) === last && p[1] === null && s[1] === null;
      },
      { what: 'both groups caught up (and no rebuild pending)', timeoutMs: 180_000, intervalMs: 250 },
    );
    const sent = (await stack.simClient.record()).map((t) => t.tradeId);
    expect(sent).toHaveLength(N);
    expect(tradeIdsOf(await primary.zrange('feed:trades:BTC-USDT', '0', '-1'))).toEqual(sent);
    expect(tradeIdsOf(await standby.zrange('feed:trades:BTC-USDT', '0', '-1'))).toEqual(sent);

    const families = keyFamilies('feed:');
    const exclude = { exclude: ['checkpoint'] };
    const p = await dumpState(primary, families, exclude);
    const s = await dumpState(standby, families, exclude);
    expect(Object.keys(p).length).toBeGreaterThan(5);
    expect(s).toEqual(p);

    // One replay of the log into a scratch Redis gives the same state (two persisters = one persister = a replay).
    const scratch = await startRedis();
    const replay = spawnApp({ name: 'replay', script: path.join(ROOT, 'dist/tools/replay/main.js'), env: { ...stack.baseEnv('persister'), REDIS_PORT: String(scratch.port) } });
    expect((await replay.exited).code).toBe(0);
    const sc = new Redis({ host: '127.0.0.1', port: scratch.port, lazyConnect: true });
    await sc.connect();
    try {
      expect(await dumpState(sc, families, exclude)).toEqual(p);
    } finally {
      await sc.quit();
    }

    await waitFor(async () => (await status()).primary.lagEvents === 0 && (await status()).standby.lagEvents === 0, { what: 'the api to report zero lag for both groups', timeoutMs: 10_000 });
    expect((await status()).readTarget).toBe('primary');
    const trades = await fetch(`${stack.apiUrl}/v1/trades?symbol=BTC-USDT&limit=1`);
    expect(trades.headers.get('x-feed-read-target')).toBe('primary');
    expect(((await trades.json()) as { trades: Array<{ tradeId: string }> }).trades[0]?.tradeId).toBe(sent[sent.length - 1]);
    // The api's live push is independent of Redis: every trade reached the WebSocket client once, in order.
    await waitFor(() => ws.trades.length >= N, { what: `${N} trades on the WebSocket (got ${ws.trades.length})`, timeoutMs: 90_000 });
    expect(ws.trades.map((t) => t.tradeId)).toEqual(sent);
  });
});
