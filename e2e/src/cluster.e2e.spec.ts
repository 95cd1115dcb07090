import path from 'node:path';
import { ROOT, SimClient } from '@feed/feed-stack';
import { applyStreams, connectNats, DEFAULT_STREAM_SETTINGS, NATS_USERS, type NatsUser, renderNatsAuth } from '@feed/messaging';
import { APP_NODE_OPTIONS } from '@feed/service';
import { cleanupAll, spawnApp, startNatsCluster, startRedis, waitFor, type AppProcess, type NatsClusterHandle, type RedisServerHandle } from '@feed/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';

/**
 * Cluster rehearsal (issue 7), the swarm's topology on loopback: three nats-server nodes in one JetStream cluster
 * with the streams at R3, created by the setup code under the `streams` user, the apps as two replicas each, every
 * app under its own NATS user with the production permissions (libs/messaging nats-accounts.ts). In the middle of
 * 20,000 trades the leader of the RAW stream is killed with -9, and so is one replica of every app: the final
 * state holds exactly the simulator's trades, once each.
 */
const N = 20_000;
const MiB = 1024 * 1024;
const PASSWORDS = Object.fromEntries(NATS_USERS.map((u) => [u, `${u}-rehearsal-password-01`])) as Record<NatsUser, string>;
type Kind = 'ingest' | 'normalizer' | 'persister' | 'api';
const USER: Record<Kind, NatsUser> = { ingest: 'ingest', normalizer: 'normalizer', persister: 'persister', api: 'api' };

describe('three-node JetStream cluster, two replicas of each app', () => {
  let cluster: NatsClusterHandle;
  let redisServer: RedisServerHandle;
  let redis: Redis;
  let admin: NatsConnection;
  let sim: AppProcess;
  let simClient: SimClient;
  let simUrl = '';
  let seq = 0;
  const apps: Record<Kind, AppProcess[]> = { ingest: [], normalizer: [], persister: [], api: [] };

  afterAll(async () => {
    await admin?.close().catch(() => undefined);
    if (redis?.status === 'ready') await redis.quit().catch(() => undefined);
    await cleanupAll();
  });

  async function start(kind: Kind): Promise<AppProcess> {
    const app = spawnApp({
      name: `${kind}-${++seq}`,
      script: path.join(ROOT, `dist/apps/${kind}/main.js`),
      env: {
        FEED_ENV: 'test',
        NODE_OPTIONS: APP_NODE_OPTIONS,
        FEED_PREFIX: 'feed',
        NATS_URL: cluster.urls.join(','),
        NATS_USER: USER[kind],
        NATS_PASSWORD: PASSWORDS[USER[kind]],
        REDIS_HOST: '127.0.0.1',
        REDIS_PORT: String(redisServer.port),
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        STARTUP_TIMEOUT_MS: '20000',
        SHUTDOWN_TIMEOUT_MS: '8000',
        INSTANCE_ID: `${kind}-${seq}`,
        INGEST_SOURCE: 'simulated',
        BINANCE_URL: simUrl,
        LEGACY_ALLOW_SIMULATED: 'true',
        RECENT_TRADES_MAX: '100000',
        NORMALIZER_ACK_WAIT_MS: '2000',
        PERSISTER_ACK_WAIT_MS: '3000',
      },
    });
    // Generous: six apps start at once on a shared machine.
    await app.waitForJson((j) => j['msg'] === 'ops listening' || j['msg'] === 'api listening', 90_000).catch((e: unknown) => {
      throw new Error(`${app.name} did not start: ${String(e)}\n${app.tail(30)}`);
    });
    apps[kind].push(app);
    return app;
  }

  const persisted = async (): Promise<number> => redis.zcard('feed:trades:BTC-USDT');

  it('loses nothing and duplicates nothing when a NATS node and one replica of every app are killed -9 mid-stream', async () => {
    cluster = await startNatsCluster(3, { extraConfig: renderNatsAuth({ prefix: 'feed', passwords: PASSWORDS }) });
    redisServer = await startRedis();
    redis = new Redis({ host: '127.0.0.1', port: redisServer.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    // The setup job's code, as the `streams` user, at three replicas.
    admin = await connectNats({ servers: cluster.urls, name: 'rehearsal-setup', user: 'streams', pass: PASSWORDS.streams, startupTimeoutMs: 10_000 });
    const jsm = await jetstreamManager(admin);
    await applyStreams(admin, jsm, { ...DEFAULT_STREAM_SETTINGS, prefix: 'feed', replicas: 3, rawMaxBytes: 256 * MiB, mdMaxBytes: 256 * MiB, dlqMaxBytes: 16 * MiB, leaseTtlMs: 3_000 });
    for (const s of ['FEED_RAW', 'FEED_MD', 'FEED_DLQ']) expect((await jsm.streams.info(s)).config.num_replicas).toBe(3);

    sim = spawnApp({ name: 'venue-sim', script: path.join(ROOT, 'dist/tools/venue-sim/main.js'), args: ['--port', '0', '--rate', '1000', '--symbols', 'BTCUSDT', '--max-trades', String(N)] });
    const line = await sim.waitForJson((j) => j['msg'] === 'venue-sim listening', 15_000);
    simUrl = String(line['url']);
    simClient = new SimClient(String(line['control']));

    // Consumers first (so nothing waits on a durable), then the publishers; the replicas of a kind start together.
    for (const kinds of [['persister', 'normalizer', 'api'], ['ingest']] as const) await Promise.all(kinds.flatMap((k) => [start(k), start(k)]));
    await waitFor(async () => (await persisted()) >= N / 4, { what: 'a quarter of the trades persisted', timeoutMs: 150_000, intervalMs: 250 }).catch((e: unknown) => {
      const tails = Object.values(apps)
        .flat()
        .map((a) => `--- ${a.name}\n${a.tail(15)}`)
        .join('\n');
      throw new Error(`${String(e)}\n${tails}`);
    });

    // The node leading the RAW stream (where ingest's publishes land) dies without a word.
    const leader = (await jsm.streams.info('FEED_RAW')).cluster?.leader;
    const victim = cluster.nodes.find((n) => n.name === leader) ?? cluster.nodes[0];
    await victim?.kill9();
    for (const kind of ['ingest', 'normalizer', 'persister', 'api'] as const) await apps[kind].shift()?.kill9();

    await simClient.waitForCount(N, 120_000);
    const sent = (await simClient.record()).map((t) => t.tradeId);
    expect(sent).toHaveLength(N);
    await waitFor(async () => (await persisted()) >= N, { what: 'every trade persisted after the kills', timeoutMs: 180_000, intervalMs: 500 }).catch(async (e: unknown) => {
      // Say where the trades stopped: in the log (MD) or only in Redis.
      const md = await jsm.streams.info('FEED_MD', { subjects_filter: 'feed.md.v1.trade.>' }).catch(() => undefined);
      const tails = Object.values(apps)
        .flat()
        .map((a) => `--- ${a.name}\n${a.tail(15)}`)
        .join('\n');
      throw new Error(`${String(e)}; persisted ${await persisted()} of ${N}, MD holds ${md?.state.subjects?.['feed.md.v1.trade.BTC-USDT.binance'] ?? '?'}\n${tails}`);
    });
    const members = await redis.zrange('feed:trades:BTC-USDT', '0', '-1');
    const ids = members.map((m) => String((JSON.parse(m.slice(m.indexOf('|') + 1)) as { tradeId: string }).tradeId));
    expect(ids).toHaveLength(N);
    expect(new Set(ids).size).toBe(N);
    expect(ids).toEqual(sent);
    // The log itself holds each trade once, on the two surviving nodes' quorum.
    const md = await jsm.streams.info('FEED_MD', { subjects_filter: 'feed.md.v1.trade.>' });
    expect(md.state.subjects?.['feed.md.v1.trade.BTC-USDT.binance']).toBe(N);
    // The surviving replicas are still healthy (a NATS node loss restarts nothing).
    for (const kind of ['ingest', 'normalizer', 'persister', 'api'] as const) for (const a of apps[kind]) expect(a.running).toBe(true);
  }, 600_000);
});
