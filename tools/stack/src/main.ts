/**
 * The local launcher (`npm start`): runs the whole feed on one machine.
 *   nats-server -js and redis-server as child processes on free loopback ports, data under .data/ (git-ignored);
 *   streams applied by the same setup code the tests and the swarm job use; then persister, normalizer, ingest
 *   and api as separate processes. Ingest follows the six venues production runs (deploy/swarm/feed.yml), so the
 *   dashboard and both composite indices are complete. Live venues when Binance is reachable; otherwise (or with
 *   --simulate) the built-in venue simulator serves all six, and every event is then marked `source: simulated`
 *   end to end. Ctrl-C stops everything.
 *   A second, standby redis-server runs beside the primary with its own persister group (decision 10), and the api
 *   reads through the switch, so failover can be tried locally (kill -STOP / -CONT the primary's pid; see README).
 *
 * Env: FEED_STACK_API_PORT (default 8080), FEED_STACK_SIMULATE=1 (same as --simulate), FEED_STACK_SIM_RATE
 * (trades/s per venue, default 10), FEED_STACK_DATA_DIR (default <repo>/.data).
 */
import { mkdirSync, createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { applyStreams, DEFAULT_STREAM_SETTINGS } from '@feed/messaging';
import { APP_NODE_ARGS, APP_NODE_OPTIONS } from '@feed/service';
import { cleanupAll, freePort, spawnApp, startNats, startRedis, type AppProcess } from '@feed/testing';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { probeBinance } from './binance-probe';

const root = path.resolve(__dirname, '../../..');
const BINANCE = 'wss://stream.binance.com:9443';
/**
 * The venues production ingests (INGEST_VENUES in deploy/swarm/feed.yml). Each side's own default gives the BTC
 * market: the simulator's protocol default in the venue's spelling, ingest's canonical symbol (BTC-USDT, BTC-USD).
 */
const VENUES = ['binance', 'coinbase', 'kraken', 'bitstamp', 'okx', 'bybit'] as const;
const GiB = 1024 ** 3;

function say(msg: string): void {
  process.stdout.write(`feed: ${msg}\n`);
}

async function main(): Promise<void> {
  const simulate = process.argv.includes('--simulate') || process.env['FEED_STACK_SIMULATE'] === '1';
  const apiPort = Number(process.env['FEED_STACK_API_PORT'] ?? 8080);
  const simRate = Number(process.env['FEED_STACK_SIM_RATE'] ?? 10);
  const dataDir = path.resolve(process.env['FEED_STACK_DATA_DIR'] ?? path.join(root, '.data'));
  mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
  mkdirSync(path.join(dataDir, 'redis'), { recursive: true });
  mkdirSync(path.join(dataDir, 'redis-standby'), { recursive: true });

  const nats = await startNats({ storeDir: path.join(dataDir, 'nats'), name: 'feed-local' });
  const redis = await startRedis({ args: ['--dir', path.join(dataDir, 'redis')] });
  const standby = await startRedis({ args: ['--dir', path.join(dataDir, 'redis-standby')] });
  say(`NATS ${nats.url} (monitor ${nats.monitorUrl}), Redis ${redis.url} (primary, pid ${redis.pid}), ${standby.url} (standby, pid ${standby.pid})`);

  const nc = await connect({ servers: nats.url });
  const report = await applyStreams(nc, await jetstreamManager(nc), {
    ...DEFAULT_STREAM_SETTINGS,
    prefix: 'feed',
    rawMaxBytes: 1 * GiB,
    mdMaxBytes: 2 * GiB,
    dlqMaxBytes: GiB / 4,
  });
  await nc.drain();
  say(`streams: created [${report.created.join(', ')}] unchanged [${report.unchanged.join(', ')}]`);

  let simUrl: string | undefined;
  let sim: AppProcess | undefined;
  if (simulate || !(await probeBinance(BINANCE, 5_000))) {
    say(simulate ? 'simulator requested' : 'Binance is not reachable from here: using the built-in venue simulator (all data marked SIMULATED)');
    sim = spawnApp({ name: 'venue-sim', script: path.join(root, 'dist/tools/venue-sim/main.js'), args: ['--port', '0', '--rate', String(simRate), '--venues', VENUES.join(',')] });
    const line = await sim.waitForJson((o) => o['msg'] === 'venue-sim listening', 15_000);
    simUrl = String(line['url']);
  }
  const source: 'live' | 'simulated' = simUrl === undefined ? 'live' : 'simulated';
  // Live: each venue's own public URL (ingest's defaults). Simulated: the simulator's path prefix for each venue.
  const venueEnv: Record<string, string> = { INGEST_VENUES: VENUES.join(',') };
  if (simUrl !== undefined) for (const v of VENUES) venueEnv[`${v.toUpperCase()}_URL`] = `${simUrl}/${v}`;

  const common = {
    FEED_ENV: 'development',
    NODE_OPTIONS: APP_NODE_OPTIONS,
    NATS_URL: nats.url,
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(redis.port),
    FAILOVER_REDIS_HOST: '127.0.0.1',
    FAILOVER_REDIS_PORT: String(standby.port),
    LOG_LEVEL: 'info',
  };
  const logs: WriteStream[] = [];
  const start = (name: string, env: Record<string, string>): Promise<AppProcess> => startAs(name, name, env);
  const startAs = async (name: string, kind: string, env: Record<string, string>): Promise<AppProcess> => {
    const log = createWriteStream(path.join(dataDir, 'logs', `${name}.log`), { flags: 'a' });
    logs.push(log);
    const app = spawnApp({ name, script: path.join(root, `dist/apps/${kind}/main.js`), nodeArgs: [...APP_NODE_ARGS], env: { ...common, ...env }, onLine: (l) => log.write(`${l}\n`) });
    await app.waitForLine(/"msg":"(ops|api) listening"/, 30_000).catch((e: unknown) => {
      throw new Error(`${name} did not start: ${e instanceof Error ? e.message : String(e)}\n${app.tail(20)}`);
    });
    return app;
  };
  const ports = { persister: await freePort(), standbyPersister: await freePort(), normalizer: await freePort(), ingest: await freePort() };
  const apps: AppProcess[] = [];
  const legacyAllowed = source === 'simulated' ? 'true' : 'false';
  apps.push(await start('persister', { HTTP_PORT: String(ports.persister), LEGACY_ALLOW_SIMULATED: legacyAllowed }));
  // The standby's own persister group: same code and settings, its own durable and checkpoint, the standby Redis.
  apps.push(await startAs('persister-standby', 'persister', { HTTP_PORT: String(ports.standbyPersister), LEGACY_ALLOW_SIMULATED: legacyAllowed, PERSISTER_REDIS: 'standby' }));
  apps.push(await start('normalizer', { HTTP_PORT: String(ports.normalizer) }));
  apps.push(await start('api', { HTTP_PORT: String(apiPort) }));
  apps.push(await start('ingest', { HTTP_PORT: String(ports.ingest), INGEST_SOURCE: source, ...venueEnv }));

  const venues = VENUES.join(', ');
  say(`running on ${simUrl === undefined ? `LIVE data from ${venues}` : `SIMULATED data (venue simulator at ${simUrl}: ${venues})`}`);
  say(`dashboard      http://127.0.0.1:${apiPort}/dashboard`);
  say(`latest price   http://127.0.0.1:${apiPort}/v1/prices/latest?symbol=BTC-USDT`);
  say(`index          http://127.0.0.1:${apiPort}/v1/index?symbol=BTC-USD`);
  say(`recent trades  http://127.0.0.1:${apiPort}/v1/trades?symbol=BTC-USDT&limit=20`);
  say(`websocket      ws://127.0.0.1:${apiPort}/v1/stream  (send {"op":"subscribe","channel":"trades","symbol":"BTC-USDT"})`);
  say(`read target    http://127.0.0.1:${apiPort}/v1/status  (failover: kill -STOP ${redis.pid} pauses the primary Redis, kill -CONT ${redis.pid} resumes it)`);
  say(`ops            ingest :${ports.ingest}  normalizer :${ports.normalizer}  persister :${ports.persister}  standby persister :${ports.standbyPersister}  (/health /ready /metrics)`);
  say(`logs           ${path.relative(process.cwd(), path.join(dataDir, 'logs'))}/<app>.log`);
  say('Ctrl-C stops everything');

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    say(`stopping (${why})...`);
    // Upstream first, so nothing is left half-way: ingest, normalizer, persister, api; then the servers.
    for (const app of [...apps].reverse()) await app.stop('SIGTERM', 15_000).catch((e: unknown) => say(String(e)));
    await sim?.stop('SIGTERM', 5_000).catch(() => undefined);
    await cleanupAll();
    for (const l of logs) l.end();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  for (const app of apps) {
    void app.exited.then((info) => {
      if (!stopping) {
        say(`${app.name} exited unexpectedly (${JSON.stringify(info)}):\n${app.tail(20)}`);
        void stop(`${app.name} exited`);
      }
    });
  }
}

main().catch(async (e: unknown) => {
  say(`failed: ${e instanceof Error ? e.message : String(e)}`);
  await cleanupAll().catch(() => undefined);
  process.exit(1);
});
