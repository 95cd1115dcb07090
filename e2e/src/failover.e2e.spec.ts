import path from 'node:path';
import { FeedStack, ROOT, WsClient, sumSamples } from '@feed/feed-stack';
import { dumpState, keyFamilies } from '@feed/keys';
import { WindowedPublisher } from '@feed/messaging';
import type { TradeV1 } from '@feed/price-types';
import { spawnApp, startRedis, waitFor, type AppProcess } from '@feed/testing';
import { Redis } from 'ioredis';

/**
 * Redis failover done right (issue 5, decision 10), end to end with real redis-server processes stopped and
 * started, the compiled persister and api, TWO persisters on the primary Redis and ONE on the standby Redis (its
 * own group, durable and checkpoint). The test publishes 50,000 normalized trades to the MD log itself, in phases,
 * so each outage has a known set of trades arriving during it whatever the machine's load (the venue -> MD path is
 * covered by the pipeline e2e):
 *  1. the primary is stopped mid-stream: a client polling the api never sees an error, reads move to the standby,
 *     and come back once the primary (restarted EMPTY, as a Redis without persistence does) has been rebuilt from
 *     the log by its persisters and caught up;
 *  2. both Redis are stopped: persisters stop fetching and say why, every /ready is 503; venue resends arrive too;
 *  3. afterwards primary, standby and a replay of the log hold identical projections (registry-wide dump), with
 *     exactly the 50,000 trades once each, and reads are on the primary.
 * Detection threshold here: probes every 200 ms, failover after 1,000 ms; outages last several seconds.
 */
const N = 50_000;
const PHASES = [15_000, 10_000, 10_000, 15_000]; // before, during the primary outage, while both are down, after
const RESENT = 1_000; // trades of phase 1 published again without their msg id (a venue resend) while both are down
const SUBJECT = 'feed.md.v1.trade.BTC-USDT.binance';

function trade(i: number): TradeV1 {
  const tradeId = String(7_000_000 + i);
  const venueTimeUs = 1_790_000_000_000_000 + i * 1_000; // increasing: the zset order is the publish order
  const cents = 6_000_000 + ((i * 7_919) % 500_000);
  const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`.replace(/\.?0+$/, '');
  return { v: 1, type: 'trade', id: `trade:binance:BTC-USDT:${tradeId}`, venue: 'binance', symbol: 'BTC-USDT', source: 'simulated', recvTimeUs: venueTimeUs + 800, tradeId, price, size: `0.00${1 + (i % 9)}`, side: i % 2 ? 'buy' : 'sell', venueTimeUs };
}

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
  let pub: WindowedPublisher;
  let published = 0;
  const all = Array.from({ length: N }, (_v, i) => trade(i));

  const status = async (): Promise<Status> => (await (await fetch(`${stack.apiUrl}/v1/status`)).json()) as Status;
  const zcard = async (r: Redis): Promise<number> => r.zcard('feed:trades:BTC-USDT').catch(() => -1);
  const mdTrades = async (): Promise<number> => (await stack.jsm.streams.info('FEED_MD', { subjects_filter: 'feed.md.v1.trade.>' })).state.subjects?.[SUBJECT] ?? 0;
  /** Publishes the next `n` trades (msg id = event id, as the normalizer does) and waits for every ack. */
  const publishNext = async (n: number): Promise<void> => {
    const batch = all.slice(published, published + n);
    published += batch.length;
    const { acks } = await pub.sendAll(batch.map((ev) => ({ subject: SUBJECT, data: JSON.stringify(ev), msgID: ev.id })));
    await acks;
  };
  const readyStatuses = async (apps: AppProcess[]): Promise<number[]> => Promise.all(apps.map(async (a) => (await fetch(stack.url(a, '/ready'))).status));
  /** Where things stand, printed when a phase fails so a slow or stuck run says where it is. */
  const step = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      const where = { phase, published, md: await mdTrades().catch(() => -1), primary: await zcard(primary), standby: await zcard(standby), status: await status().catch(() => null) };
      process.stdout.write(`failover e2e: ${JSON.stringify(where)}\n`);
      for (const a of [...stack.apps.persister, ...stack.apps.api]) process.stdout.write(`--- ${a.name}\n${a.tail(12)}\n`);
      throw e;
    }
  };

  beforeAll(async () => {
    stack = await FeedStack.start({
      sim: { rate: 1, maxTrades: 1 }, // idle: no ingest runs here
      standby: true,
      appEnv: { api: { REDIS_CHECK_INTERVAL_MS: '200', REDIS_FAILOVER_AFTER_MS: '1000', REDIS_PROBE_TIMEOUT_MS: '5000', REDIS_SWITCHBACK_MAX_BEHIND: '200', PRICE_STALE_AFTER_MS: '600000' }, persister: { PERSISTER_PROBE_INTERVAL_MS: '200', PERSISTER_LAG_INTERVAL_MS: '200' } },
    });
    primary = stack.redis;
    standby = stack.standbyRedis as Redis;
    pub = new WindowedPublisher(stack.nc, { window: 500, timeoutMs: 30_000 });
    await stack.startApp('persister');
    await stack.startApp('persister');
    await stack.startStandbyPersister();
    await stack.startApp('api');
    ws = await WsClient.connect(`${stack.apiUrl.replace('http', 'ws')}/v1/stream`);
    ws.send({ op: 'subscribe', channel: 'trades', symbol: 'BTC-USDT' });
    await waitFor(() => ws.frames.some((f) => f.type === 'subscribed'), { what: 'WS subscription confirmed' });
  });

  afterAll(async () => {
    ws?.close();
    await stack?.stop();
  });

  it('primary stopped mid-stream: the api answers from the standby throughout, then switches back once the rebuilt primary caught up', async () => {
    expect((await status()).readTarget).toBe('primary');
    await publishNext(PHASES[0] as number);
    await step('phase 1', () => waitFor(async () => (await zcard(primary)) === published && (await zcard(standby)) === published, { what: 'phase 1 on both Redis', timeoutMs: 120_000, intervalMs: 200 }));

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

    await stack.redisServer.stop();
    const stoppedAt = Date.now();
    await step('failover', () => waitFor(async () => (await status()).readTarget === 'standby', { what: 'reads on the standby', timeoutMs: 20_000, intervalMs: 50 }));
    // Reported, not asserted (timing targets belong to the benchmark): the issue asks for < 5 s.
    process.stdout.write(`failover e2e: reads on the standby ${Date.now() - stoppedAt} ms after the primary stopped\n`);
    await publishNext(PHASES[1] as number);
    // The standby's persister takes in the trades of the outage while the primary is still down.
    await step('primary outage', () => waitFor(async () => (await zcard(standby)) === published, { what: 'the outage trades on the standby', timeoutMs: 120_000, intervalMs: 200 }));
    expect((await status()).primary.up).toBe(false);

    await stack.redisServer.restart(); // empty: no persistence, as in production
    await step('switch back', () => waitFor(async () => (await status()).readTarget === 'primary', { what: 'reads back on the primary', timeoutMs: 120_000, intervalMs: 100 }));
    polling = false;
    await poller;

    expect(errors).toEqual([]);
    expect(polls).toBeGreaterThan(20);
    expect([...targets].sort()).toEqual(['primary', 'standby']);
    // The primary came back empty: its persisters rebuilt it from the log before reads returned to it.
    expect(await zcard(primary)).toBe(published);
    const rebuilds = await Promise.all(stack.apps.persister.map((p) => stack.counter(p, 'feed_projection_rebuilds_total', { group: 'primary' })));
    expect(rebuilds.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const api = stack.apps.api[0] as AppProcess;
    const switches = api.json().filter((l) => l['msg'] === 'redis read target switched');
    expect(switches.map((l) => [l['from'], l['to'], l['reason']])).toEqual([
      ['primary', 'standby', 'primary_down'],
      ['standby', 'primary', 'primary_caught_up'],
    ]);
    const apiMetrics = await stack.metrics(api);
    expect(sumSamples(apiMetrics, 'feed_redis_read_switches_total', { to: 'standby', reason: 'primary_down' })).toBe(1);
    expect(sumSamples(apiMetrics, 'feed_redis_read_switches_total', { to: 'primary', reason: 'primary_caught_up' })).toBe(1);
    expect(sumSamples(apiMetrics, 'feed_redis_read_target', { target: 'primary' })).toBe(1);
  });

  it('both Redis down: persisters pause and say why, /ready is 503 everywhere; nothing is lost after recovery', async () => {
    await Promise.all([stack.redisServer.stop(), stack.standbyServer?.stop()]);
    const apps = [...stack.apps.persister, ...stack.apps.api];
    await step('both down', () => waitFor(async () => (await readyStatuses(apps)).every((s) => s === 503), { what: '/ready 503 on every persister and the api', timeoutMs: 20_000, intervalMs: 100 }));
    await publishNext(PHASES[2] as number);
    // A venue resend of earlier trades, outside JetStream's duplicate window (no msg id): must not duplicate.
    const { acks } = await pub.sendAll(all.slice(0, RESENT).map((ev) => ({ subject: SUBJECT, data: JSON.stringify(ev) })));
    await acks;
    // The trades are in the log while no Redis is there: JetStream keeps them for the persisters.
    expect(await mdTrades()).toBe(published + RESENT);
    // A few detection thresholds later, still down and still saying why.
    await waitFor(async () => (await status()).primary.up === false && (await status()).standby.up === false, { what: 'the api to see both down', timeoutMs: 20_000 });
    expect(await readyStatuses(apps)).toEqual(apps.map(() => 503));
    for (const p of stack.apps.persister) {
      expect(sumSamples(await stack.metrics(p), 'feed_redis_up')).toBe(0);
      expect(p.json().some((l) => l['msg'] === 'redis connection lost: fetching paused, JetStream keeps the events, /ready is 503 until it answers')).toBe(true);
    }
    await Promise.all([stack.redisServer.restart(), stack.standbyServer?.restart()]);
    await step('both back', () => waitFor(async () => (await readyStatuses(apps)).every((s) => s === 200), { what: '/ready 200 again everywhere', timeoutMs: 60_000, intervalMs: 200 }));
  });

  it('afterwards primary, standby and a replay hold identical projections with all 50,000 trades once each; reads on the primary', async () => {
    await publishNext(PHASES[3] as number);
    expect(published).toBe(N);
    const mdLast = async () => (await stack.jsm.streams.info('FEED_MD')).state.last_seq;
    await step('catch up', () =>
      waitFor(
        async () => {
          const last = await mdLast();
          const [p, s] = await Promise.all([primary.hmget('feed:checkpoint:primary', 'seq', 'rebuild'), standby.hmget('feed:checkpoint:standby', 'seq', 'rebuild')]);
          return Number(p[0]) === last && Number(s[0]) === last && p[1] === null && s[1] === null;
        },
        { what: 'both groups caught up (and no rebuild pending)', timeoutMs: 180_000, intervalMs: 250 },
      ),
    );
    const sent = all.map((t) => t.tradeId);
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

    await waitFor(async () => (await status()).primary.lagEvents === 0 && (await status()).standby.lagEvents === 0, { what: 'the api to report zero lag for both groups', timeoutMs: 20_000 });
    expect((await status()).readTarget).toBe('primary');
    const trades = await fetch(`${stack.apiUrl}/v1/trades?symbol=BTC-USDT&limit=1000`);
    expect(trades.headers.get('x-feed-read-target')).toBe('primary');
    expect(((await trades.json()) as { trades: Array<{ tradeId: string }> }).trades.map((t) => t.tradeId)).toEqual(sent.slice(-1000).reverse());
    // The api's live push does not depend on Redis: every trade reached the WebSocket client once, in order.
    await waitFor(() => ws.trades.length >= N, { what: `${N} trades on the WebSocket`, timeoutMs: 60_000 });
    expect(ws.trades.map((t) => t.tradeId)).toEqual(sent);
  });
});
