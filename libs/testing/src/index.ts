/**
 * @feed/testing: real servers and real app processes for integration and end-to-end tests (hard rule 4).
 *
 *   const nats = await startNats();            // nats-server -js on free loopback ports, own store dir
 *   const redis = await startRedis();          // redis-server, no persistence, noeviction
 *   const app = spawnApp({ name: 'persister', script: 'dist/apps/persister/main.js', env: { NATS_URL: nats.url } });
 *   await app.waitForJson((o) => o['msg'] === 'ready', 10_000);
 *   await waitFor(() => somethingTrue(), { what: 'the projection to catch up' });   // never a fixed sleep
 *   afterAll(cleanupAll);                      // stops everything started, removes temp dirs
 *
 * Every process started here is also SIGKILLed if the test process exits or is killed before cleanup.
 */
export { freePort, freePorts } from './free-port';
export { waitFor, type WaitForOptions, type Falsy } from './wait-for';
export { findBinary, type ServerBinary } from './binaries';
export { tempDir, removeTempDir } from './temp-dir';
export { ProcessRegistry, registry, cleanupAll, type Tracked, type LiveChild } from './registry';
export { type ExitInfo, type StopResult, minimalEnv } from './managed-child';
export { httpGet, httpGetJson, type HttpResult } from './http-get';
export { natsAcceptsClients, redisPing } from './probes';
export { startNats, type NatsServerHandle, type StartNatsOptions } from './nats-server';
export { startNatsWithClient, type NatsWithClient } from './nats-client';
export { startNatsCluster, type NatsClusterHandle, type StartNatsClusterOptions } from './nats-cluster';
export { startRedis, type RedisServerHandle, type StartRedisOptions } from './redis-server';
export { startSentinel, type SentinelHandle, type StartSentinelOptions } from './redis-sentinel';
export { spawnApp, AppProcess, type SpawnAppOptions, type AppStopResult, type JsonLine, type LineMatch } from './app-process';
export { RedisDbs } from './redis-dbs';
export { shuffle } from './shuffle';
