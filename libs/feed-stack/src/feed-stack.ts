import { existsSync } from 'node:fs';
import path from 'node:path';
import { applyStreams, DEFAULT_STREAM_SETTINGS, type StreamSettings } from '@feed/messaging';
import { APP_NODE_ARGS, APP_NODE_OPTIONS } from '@feed/service';
import { cleanupAll, spawnApp, startNats, startRedis, type AppProcess, type NatsServerHandle, type RedisServerHandle } from '@feed/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { SimClient } from './sim-client';

/** The workspace root (holds nx.json), found from this file whether it runs from source or from a bundle. */
export const ROOT = ((): string => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`workspace root not found above ${__dirname}`);
    dir = up;
  }
  return dir;
})();
export type AppKind = 'ingest' | 'normalizer' | 'persister' | 'api';
const MiB = 1024 * 1024;

export interface StackOptions {
  sim?: { rate: number; maxTrades?: number; symbols?: string[]; args?: string[] };
  streams?: Partial<StreamSettings>;
  /** Extra env for every app, and per kind. */
  env?: Record<string, string>;
  appEnv?: Partial<Record<AppKind, Record<string, string>>>;
  /**
   * Also run a standby Redis (decision 10): every app then gets FAILOVER_REDIS_HOST/PORT, so the api reads through
   * the switch and `startApp('persister', { PERSISTER_REDIS: 'standby' })` (or `startStandbyPersister()`) keeps it warm.
   */
  standby?: boolean;
  /**
   * Profiling runs only (the benchmark's BENCH_CPU_PROF_DIR): every app runs with Node's `--cpu-prof` and writes
   * `<kind>-<instance>.cpuprofile` into this directory when it exits (open it in Chrome DevTools or speedscope).
   */
  cpuProfileDir?: string;
  /** Extra node arguments for every app (V8 flags that NODE_OPTIONS refuses), for tuning experiments. */
  nodeArgs?: string[];
}

/**
 * A whole feed on loopback for end-to-end tests: real nats-server (JetStream) and redis-server, the streams
 * applied by the same setup code as production, the venue simulator and the compiled apps as separate processes
 * (decision 12). Apps are started explicitly by the test so it controls order and replica counts.
 */
export class FeedStack {
  readonly apps: Record<AppKind, AppProcess[]> = { ingest: [], normalizer: [], persister: [], api: [] };
  readonly ports = new Map<AppProcess, number>();
  private seq = 0;

  private constructor(
    readonly nats: NatsServerHandle,
    readonly redisServer: RedisServerHandle,
    readonly redis: Redis,
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
    readonly sim: AppProcess,
    readonly simUrl: string,
    readonly simClient: SimClient,
    private readonly o: StackOptions,
    readonly prefix: string,
    /** The standby Redis and a test client on it, when started with `standby: true`. */
    readonly standbyServer?: RedisServerHandle,
    readonly standbyRedis?: Redis,
  ) {}

  static async start(o: StackOptions = {}): Promise<FeedStack> {
    const nats = await startNats();
    const redisServer = await startRedis();
    const redis = new Redis({ host: '127.0.0.1', port: redisServer.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const standbyServer = o.standby ? await startRedis() : undefined;
    const standbyRedis = standbyServer ? new Redis({ host: '127.0.0.1', port: standbyServer.port, lazyConnect: true, maxRetriesPerRequest: 1 }) : undefined;
    await standbyRedis?.connect();
    const nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    const prefix = 'feed';
    await applyStreams(nc, jsm, { ...DEFAULT_STREAM_SETTINGS, prefix, rawMaxBytes: 512 * MiB, mdMaxBytes: 512 * MiB, dlqMaxBytes: 64 * MiB, leaseTtlMs: 3_000, ...o.streams });
    const s = o.sim ?? { rate: 1000 };
    const sim = spawnApp({
      name: 'venue-sim',
      script: path.join(ROOT, 'dist/tools/venue-sim/main.js'),
      args: ['--port', '0', '--rate', String(s.rate), '--symbols', (s.symbols ?? ['BTCUSDT']).join(','), ...(s.maxTrades ? ['--max-trades', String(s.maxTrades)] : []), ...(s.args ?? [])],
    });
    const line = await sim.waitForJson((j) => j['msg'] === 'venue-sim listening', 15_000);
    return new FeedStack(nats, redisServer, redis, nc, jsm, sim, String(line['url']), new SimClient(String(line['control'])), o, prefix, standbyServer, standbyRedis);
  }

  /** Env every app gets: the stack's servers, fast test timings, simulated source allowed. */
  baseEnv(kind: AppKind): Record<string, string> {
    return {
      FEED_ENV: 'test',
      NODE_OPTIONS: APP_NODE_OPTIONS,
      FEED_PREFIX: this.prefix,
      NATS_URL: this.nats.url,
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(this.redisServer.port),
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      STARTUP_TIMEOUT_MS: '15000',
      SHUTDOWN_TIMEOUT_MS: '8000',
      INSTANCE_ID: `${kind}-${++this.seq}`,
      INGEST_SOURCE: 'simulated',
      BINANCE_URL: this.simUrl,
      LEGACY_ALLOW_SIMULATED: 'true',
      RECENT_TRADES_MAX: '100000',
      NORMALIZER_ACK_WAIT_MS: '2000',
      PERSISTER_ACK_WAIT_MS: '3000',
      // Tracing off unless a test turns it on (OTEL_SDK_DISABLED=false): loading the OpenTelemetry SDK costs each
      // app ~1.2 s of CPU at start, which on a loaded machine pushed app starts past their deadline.
      OTEL_SDK_DISABLED: 'true',
      ...(this.standbyServer ? { FAILOVER_REDIS_HOST: '127.0.0.1', FAILOVER_REDIS_PORT: String(this.standbyServer.port) } : {}),
      ...this.o.env,
      ...this.o.appEnv?.[kind],
    };
  }

  async startApp(kind: AppKind, env: Record<string, string> = {}): Promise<AppProcess> {
    const fullEnv = { ...this.baseEnv(kind), ...env };
    const instance = String(fullEnv['INSTANCE_ID']);
    const profile = this.o.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${this.o.cpuProfileDir}`, `--cpu-prof-name=${instance}.cpuprofile`] : [];
    const app = spawnApp({ name: `${kind}:${instance}`, script: path.join(ROOT, `dist/apps/${kind}/main.js`), nodeArgs: [...APP_NODE_ARGS, ...(this.o.nodeArgs ?? []), ...profile], env: fullEnv });
    const line = await app.waitForJson((j) => j['msg'] === 'ops listening' || j['msg'] === 'api listening', 60_000).catch((e: unknown) => {
      throw new Error(`${app.name} did not start: ${e instanceof Error ? e.message : String(e)}\n${app.tail(30)}`);
    });
    this.ports.set(app, Number(line['port']));
    this.apps[kind].push(app);
    return app;
  }

  /** A persister of the standby group, projecting into the standby Redis (needs `standby: true`). */
  async startStandbyPersister(env: Record<string, string> = {}): Promise<AppProcess> {
    if (!this.standbyServer) throw new Error('FeedStack started without standby: true');
    return this.startApp('persister', { PERSISTER_REDIS: 'standby', ...env });
  }

  /** Kill -9 an app and forget it (the test starts a replacement with startApp). */
  async kill9(app: AppProcess): Promise<void> {
    await app.kill9();
    for (const list of Object.values(this.apps)) {
      const i = list.indexOf(app);
      if (i >= 0) list.splice(i, 1);
    }
  }

  url(app: AppProcess, p: string): string {
    return `http://127.0.0.1:${this.ports.get(app)}${p}`;
  }

  get apiUrl(): string {
    const api = this.apps.api[0];
    if (!api) throw new Error('no api started');
    return this.url(api, '');
  }

  async metrics(app: AppProcess): Promise<string> {
    const res = await fetch(this.url(app, '/metrics'));
    return res.text();
  }

  /** Sum of a counter's samples whose labels include all of `labels`. */
  async counter(app: AppProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
    return sumSamples(await this.metrics(app), name, labels);
  }

  async stop(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
    for (const r of [this.redis, this.standbyRedis]) {
      if (!r) continue;
      if (r.status === 'ready') await r.quit().catch(() => r.disconnect());
      else r.disconnect();
    }
    await cleanupAll();
  }
}

/** Parse Prometheus text and sum the samples of `name` matching `labels`. */
export function sumSamples(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
