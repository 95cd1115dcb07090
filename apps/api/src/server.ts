import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Keys } from '@feed/keys';
import type { Logger } from '@feed/logging';
import { streamName, Subjects } from '@feed/messaging';
import type { Registry } from '@feed/metrics';
import { EventLoopMonitor, Health, type ShutdownStep } from '@feed/service';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Redis } from 'ioredis';
import { createApp } from './app';
import type { ApiConfig } from './config';
import { createApiMetrics, type ApiMetrics } from './metrics';
import { IndexReader } from './read/index-store';
import { createReadSwitchMetrics, ReadSwitch } from './read/read-switch';
import { ProjectionReader } from './read/store';
import { indexRoutes } from './routes/index-routes';
import { CandleReader } from './read/candles-store';
import { candleRoutes } from './routes/candles';
import { statusRoute } from './routes/status';
import { marketRoutes } from './routes/market';
import { DuplicateFilter } from './stream/dedupe';
import { StreamHub } from './stream/hub';
import { LiveFeed } from './stream/live-feed';
import { candleChannel, statsChannel } from './stream/market-channels';
import { PolledHub } from './stream/polled-channels';
import { CloseCode } from './stream/protocol';
import { StreamServer } from './stream/ws-server';
import { IndexPush } from './stream/index-push';

export interface ApiDeps {
  cfg: ApiConfig;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Read side (the primary Redis); connected by the caller. */
  redis: Redis;
  /** The standby Redis (cfg.standby), connected by the caller; reads switch to it when the primary fails. */
  standby?: Redis;
  natsConnected: () => boolean;
  registry: Registry;
  log: Logger;
  /** Wall clock in epoch µs for staleness (tests pin it); defaults to the real clock. */
  nowUs?: () => number;
}

export interface ApiHandle {
  /** The bound port (HTTP_PORT=0 picks a free one). */
  port: number;
  server: Server;
  hub: StreamHub;
  feed: LiveFeed;
  streams: StreamServer;
  metrics: ApiMetrics;
  health: Health;
  readSwitch: ReadSwitch;
  /**
   * The api's own shutdown, in order: stop accepting, close WebSocket clients with 1001, stop the live consumer,
   * let in-flight HTTP requests finish. The caller then drains NATS and quits Redis (it owns them).
   */
  shutdownSteps(): ShutdownStep[];
  /** Runs shutdownSteps() (tests). */
  close(): Promise<void>;
}

/**
 * Builds and starts the api in-process: live consumer (back-filling the resume ring), express app, HTTP server
 * with the WebSocket stream on its upgrade event. Resolves once listening.
 */
export async function startApi(d: ApiDeps): Promise<ApiHandle> {
  const { cfg, log } = d;
  const metrics = createApiMetrics(d.registry);
  const subjects = new Subjects(cfg.common.prefix);
  const hub = new StreamHub(cfg.ws.resumeWindow);
  const feed = new LiveFeed({
    js: d.js,
    jsm: d.jsm,
    stream: streamName(cfg.common.prefix, 'MD'),
    filterSubject: subjects.mdFilter('trade'),
    hub,
    dedupe: new DuplicateFilter(),
    resumeWindow: cfg.ws.resumeWindow,
    metrics,
    log: log.child({ module: 'live-feed' }),
  });
  await feed.start();

  const keys = new Keys(cfg.common.keyPrefix);
  const md = streamName(cfg.common.prefix, 'MD');
  const readSwitch = new ReadSwitch({
    primary: { role: 'primary', client: d.redis, endpoint: cfg.redis, group: cfg.readSwitch.primaryGroup },
    ...(d.standby && cfg.standby ? { standby: { role: 'standby' as const, client: d.standby, endpoint: cfg.standby, group: cfg.readSwitch.standbyGroup } } : {}),
    settings: cfg.readSwitch,
    keys,
    streamLastSeq: async () => (await d.jsm.streams.info(md)).state.last_seq,
    metrics: createReadSwitchMetrics(d.registry),
    log: log.child({ module: 'read-switch' }),
  });
  await readSwitch.start();
  const activeEndpoint = () => (readSwitch.target === 'standby' && cfg.standby ? cfg.standby : cfg.redis);

  const loopMonitor = new EventLoopMonitor();
  const health = new Health()
    .addLiveness('event_loop', () => loopMonitor.responsive())
    .addLiveness('live_consumer', () => feed.isAlive())
    .addReadiness('nats', d.natsConnected)
    // Ready while reads can be answered: from the current target, or from the other Redis standing in.
    .addReadiness('redis', () => readSwitch.readable());
  const symbols = new Set(cfg.symbols);
  const indexReader = new IndexReader(readSwitch, keys);
  const indexPush =
    cfg.indexSymbols.length > 0
      ? new IndexPush({ symbols: new Set(cfg.indexSymbols), latest: (s) => indexReader.latest(s), intervalMs: cfg.indexPushIntervalMs, log: log.child({ module: 'index-push' }) })
      : undefined;
  indexPush?.start();
  // Candle reads follow the read switch's current target (switched once a failure is detected; no one-shot
  // fallback during the detection window as for prices and the index).
  const candleReader = new CandleReader(readSwitch, keys, cfg.candles);
  // Channels polled from the projections (candles, stats): a new one is one more PolledChannel in this list.
  const channelDeps = { reader: candleReader, lastSeq: () => hub.lastSeq, staleAfterMs: cfg.priceStaleAfterMs, ...(d.nowUs ? { nowUs: d.nowUs } : {}) };
  const polled = new PolledHub([candleChannel(channelDeps), statsChannel(channelDeps)], cfg.ws.pollMs, log.child({ module: 'polled-channels' }));
  polled.start();
  const streams = new StreamServer({ hub, ws: cfg.ws, symbols, metrics, log: log.child({ module: 'stream' }), polled, ...(indexPush ? { index: indexPush } : {}) });
  health.addDetail('redis', () => readSwitch.status());
  health.addDetail('live', () => ({ state: feed.state, lastSeq: hub.lastSeq, ring: hub.ring.length, oldestSeq: hub.ring.coverageStart, clients: streams.clientCount }));

  const app = createApp({
    candles: candleRoutes({ reader: candleReader, symbols, ...(d.nowUs ? { nowUs: d.nowUs } : {}) }),
    market: marketRoutes({
      reader: new ProjectionReader(readSwitch, keys),
      symbols,
      priceStaleAfterMs: cfg.priceStaleAfterMs,
      ...(d.nowUs ? { nowUs: d.nowUs } : {}),
    }),
    ...(cfg.indexSymbols.length > 0
      ? {
          index: indexRoutes({
            reader: indexReader,
            symbols: new Set(cfg.indexSymbols),
            staleAfterMs: cfg.priceStaleAfterMs,
            ...(d.nowUs ? { nowUs: d.nowUs } : {}),
          }),
        }
      : {}),
    ops: {
      health,
      registry: d.registry,
      // The legacy /redis/status reports the Redis reads currently come from.
      redisEndpoint: {
        get host() {
          return activeEndpoint().host;
        },
        get port() {
          return activeEndpoint().port;
        },
      },
      redisConnected: () => readSwitch.current().status === 'ready',
      redisRole: () => readSwitch.target,
    },
    status: statusRoute(readSwitch),
    readTarget: () => readSwitch.target,
    metrics,
    trustProxyHops: cfg.trustProxyHops,
    symbols: cfg.symbols,
    log: log.child({ module: 'http' }),
  });
  const server = createServer(app);
  server.keepAliveTimeout = 5_000;
  streams.attach(server);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(cfg.http.port, cfg.http.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    loopMonitor.stop();
    indexPush?.stop();
    polled.stop();
    await readSwitch.stop();
    await feed.stop();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, 'api listening');

  let httpClosed: Promise<void> = Promise.resolve();
  const shutdownSteps = (): ShutdownStep[] => [
    {
      name: 'stop accepting',
      run: async () => {
        streams.stopAccepting();
        httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
      },
    },
    { name: 'close websocket clients', run: () => streams.closeAll(CloseCode.goingAway, 'server shutting down', cfg.ws.closeTimeoutMs) },
    { name: 'stop polled channels', run: async () => polled.stop() },
    {
      name: 'stop live consumer',
      run: async () => {
        indexPush?.stop();
        await feed.stop();
      },
    },
    {
      name: 'finish http requests',
      run: async () => {
        await httpClosed;
        loopMonitor.stop();
        await readSwitch.stop();
      },
    },
  ];
  return {
    port,
    server,
    hub,
    feed,
    streams,
    metrics,
    health,
    readSwitch,
    shutdownSteps,
    close: async () => {
      for (const s of shutdownSteps()) await s.run();
    },
  };
}
