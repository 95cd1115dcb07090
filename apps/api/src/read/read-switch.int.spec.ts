/**
 * Integration: the api in-process with TWO real redis-servers (primary and standby, each written by the
 * persister's own BatchApplier under its own group, as its persister group would) and a real nats-server. Redis
 * processes are stopped and restarted; the read switch must move reads to the standby within the threshold,
 * never answer a polling client with an error meanwhile, and come back only once the primary's checkpoint has
 * caught up.
 */
import { ConfigReader } from '@feed/config';
import { Keys } from '@feed/keys';
import { createLogger } from '@feed/logging';
import { applyStreams, connectNats, DEFAULT_STREAM_SETTINGS, trackConnection } from '@feed/messaging';
import { createRegistry } from '@feed/metrics';
import { BatchApplier } from '@feed/projections';
import { nowUs, type TradeV1 } from '@feed/price-types';
import { connectRedis, createRedisClient } from '@feed/redis';
import { cleanupAll, startNats, startRedis, waitFor, type NatsServerHandle, type RedisServerHandle } from '@feed/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Redis } from 'ioredis';
import { readConfig } from '../config';
import { startApi, type ApiHandle } from '../server';

jest.setTimeout(90_000);

const PREFIX = 'rs';
const keys = new Keys(`${PREFIX}:`);
const FAIL_AFTER_MS = 600;

let nats: NatsServerHandle;
let primary: RedisServerHandle;
let standby: RedisServerHandle;
let nc: NatsConnection;
let api: ApiHandle;
let base: string;
const clients: Redis[] = [];
const lines: string[] = [];

function trade(i: number): TradeV1 {
  const t = nowUs() - 1_000_000 + i;
  return { v: 1, type: 'trade', id: `trade:binance:BTC-USDT:${900 + i}`, venue: 'binance', symbol: 'BTC-USDT', source: 'simulated', recvTimeUs: t + 10, tradeId: String(900 + i), price: `6000${i}`, size: '0.5', side: 'buy', venueTimeUs: t };
}

function client(server: RedisServerHandle, name: string): Redis {
  const c = createRedisClient({ host: '127.0.0.1', port: server.port, db: 0, tls: false, tlsVerify: true }, { name, failFast: true });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

/** Applies trades the way a persister of `group` does (same script, its own checkpoint). */
async function project(server: RedisServerHandle, group: string, events: Array<{ ev: TradeV1; seq: number }>): Promise<void> {
  const c = client(server, `writer-${group}`);
  await connectRedis(c, 10_000, group);
  const applier = new BatchApplier(c, { keys, group, recentTradesMax: 100, dedupeTtlSeconds: 86_400, publish: false, legacy: { enabled: false, venue: 'binance', symbol: 'BTC-USDT', defaultVenue: 'binance', allowSimulated: true } });
  await applier.apply(events);
  c.disconnect();
}

async function getJson(path: string): Promise<{ status: number; target: string | null; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, target: res.headers.get('x-feed-read-target'), body: (await res.json()) as Record<string, unknown> };
}

async function metric(name: string, label: string): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

beforeAll(async () => {
  [nats, primary, standby] = await Promise.all([startNats(), startRedis(), startRedis()]);
  nc = await connectNats({ servers: [nats.url], name: 'read-switch-spec', startupTimeoutMs: 5_000 });
  await applyStreams(nc, await jetstreamManager(nc), { ...DEFAULT_STREAM_SETTINGS, prefix: PREFIX });
  const events = [1, 2, 3].map((i) => ({ ev: trade(i), seq: i * 10 }));
  await project(primary, 'primary', events);
  await project(standby, 'standby', events);

  const cfg = readConfig(
    new ConfigReader({
      FEED_PREFIX: PREFIX,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      NATS_URL: nats.url,
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(primary.port),
      FAILOVER_REDIS_HOST: '127.0.0.1',
      FAILOVER_REDIS_PORT: String(standby.port),
      REDIS_CHECK_INTERVAL_MS: '100',
      REDIS_FAILOVER_AFTER_MS: String(FAIL_AFTER_MS),
      REDIS_SWITCHBACK_MAX_BEHIND: '0',
      PRICE_STALE_AFTER_MS: '3600000',
    }),
  );
  const rc = client(primary, 'api-primary');
  const sc = client(standby, 'api-standby');
  await Promise.all([connectRedis(rc, 5_000, 'primary'), connectRedis(sc, 5_000, 'standby')]);
  const state = trackConnection(nc);
  const log = createLogger({ service: 'api', instanceId: 'rs', level: 'info', destination: { write: (s: string) => void lines.push(s) } });
  api = await startApi({ cfg, js: jetstream(nc), jsm: await jetstreamManager(nc), redis: rc, standby: sc, natsConnected: () => state.connected(), registry: createRegistry('api', 'rs'), log });
  base = `http://127.0.0.1:${api.port}`;
});

afterAll(async () => {
  await api?.close();
  await nc?.drain();
  // Wait for each client's end so no reconnect timer outlives the file.
  await Promise.all(
    clients.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.status === 'end') return resolve();
          c.once('end', () => resolve());
          c.disconnect();
          setTimeout(resolve, 3_000).unref();
        }),
    ),
  );
  await cleanupAll();
});

it('starts on the primary and says so in /v1/status, the response header, /ready and the metrics', async () => {
  const s = await getJson('/v1/status');
  expect(s.status).toBe(200);
  expect(s.target).toBe('primary');
  expect(s.body).toMatchObject({ readTarget: 'primary', primary: { up: true, group: 'primary', checkpoint: 30 }, standby: { up: true, group: 'standby', checkpoint: 30 } });
  expect(await metric('feed_redis_read_target', 'target="primary"')).toBe(1);
  expect(await metric('feed_redis_read_target', 'target="standby"')).toBe(0);
  expect(await metric('feed_redis_up', 'role="standby"')).toBe(1);
  expect(await metric('feed_projection_checkpoint_seq', 'group="standby"')).toBe(30);
  // No MD events published here: the stream's last sequence is 0, so lag floors at 0.
  expect(await metric('feed_projection_lag_events', 'group="primary"')).toBe(0);
  const ready = await getJson('/ready');
  expect(ready).toMatchObject({ status: 200, body: { checks: { redis: true }, details: { redis: { readTarget: 'primary' } } } });
  expect((await getJson('/redis/status')).body).toMatchObject({ connected: true, port: primary.port, role: 'primary' });
});

it('primary stopped: a polling client never sees an error, reads move to the standby, then come back only once the primary caught up', async () => {
  const errors: string[] = [];
  let polls = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const r = await getJson('/v1/prices/latest?symbol=BTC-USDT');
      polls++;
      const venues = r.body['venues'] as unknown[] | undefined;
      if (r.status !== 200 || !venues || venues.length !== 1) errors.push(`${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      // Candles and 24 h stats read through the same fallback rule (readWithFallback): no error either.
      for (const path of ['/v1/candles?symbol=BTC-USDT&venue=binance&interval=1m', '/v1/stats?symbol=BTC-USDT']) {
        const c = await getJson(path);
        if (c.status !== 200) errors.push(`${path}: ${c.status} ${JSON.stringify(c.body).slice(0, 200)}`);
      }
    }
  })();

  await primary.stop();
  await waitFor(async () => (await getJson('/v1/status')).body['readTarget'] === 'standby', { what: 'reads on the standby', timeoutMs: 10_000, intervalMs: 50 });
  expect((await getJson('/v1/trades?symbol=BTC-USDT')).target).toBe('standby');
  expect(await metric('feed_redis_read_target', 'target="standby"')).toBe(1);
  expect(await metric('feed_redis_up', 'role="primary"')).toBe(0);
  expect(await metric('feed_redis_read_switches_total', 'reason="primary_down"')).toBe(1);
  expect((await getJson('/ready')).status).toBe(200);
  expect((await getJson('/redis/status')).body).toMatchObject({ connected: true, port: standby.port, role: 'standby' });

  // The standby's persister keeps going; the primary comes back empty (no persistence here) and behind.
  await project(standby, 'standby', [{ ev: trade(4), seq: 40 }]);
  await primary.restart();
  await waitFor(async () => ((await getJson('/v1/status')).body['primary'] as { up: boolean }).up, { what: 'the primary to answer probes again', timeoutMs: 15_000 });
  await project(primary, 'primary', [1, 2, 3].map((i) => ({ ev: trade(i), seq: i * 10 })));
  // Answering, but its checkpoint (30) is behind the standby's (40): reads must stay on the standby.
  await waitFor(async () => ((await getJson('/v1/status')).body['primary'] as { checkpoint: number }).checkpoint === 30, { what: 'the probe to see checkpoint 30' });
  expect((await getJson('/v1/status')).body['readTarget']).toBe('standby');

  await project(primary, 'primary', [{ ev: trade(4), seq: 40 }]);
  await waitFor(async () => (await getJson('/v1/status')).body['readTarget'] === 'primary', { what: 'reads back on the primary', timeoutMs: 10_000, intervalMs: 50 });
  expect(await metric('feed_redis_read_switches_total', 'reason="primary_caught_up"')).toBe(1);
  polling = false;
  await poller;
  expect(polls).toBeGreaterThan(10);
  expect(errors).toEqual([]);
  const switched = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'redis read target switched');
  expect(switched.map((l) => [l['from'], l['to'], l['reason']])).toEqual([
    ['primary', 'standby', 'primary_down'],
    ['standby', 'primary', 'primary_caught_up'],
  ]);
});

it('both Redis down: /ready is 503 and reads fail with 503 unavailable; both back: ready again', async () => {
  await Promise.all([primary.stop(), standby.stop()]);
  await waitFor(async () => (await getJson('/ready')).status === 503, { what: '/ready 503', timeoutMs: 10_000 });
  const r = await getJson('/v1/prices/latest?symbol=BTC-USDT');
  expect(r).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
  // /ready follows the connections at once; /v1/status reports the probes, which see it on their next round.
  await waitFor(async () => {
    const s = (await getJson('/v1/status')).body as { primary: { up: boolean }; standby: { up: boolean } };
    return !s.primary.up && !s.standby.up;
  }, { what: '/v1/status to show both Redis down', timeoutMs: 10_000 });
  await Promise.all([primary.restart(), standby.restart()]);
  await waitFor(async () => (await getJson('/ready')).status === 200, { what: '/ready 200 again', timeoutMs: 15_000 });
});
