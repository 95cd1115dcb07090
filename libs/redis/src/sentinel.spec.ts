import { ConfigReader, readRedis, type RedisEndpoint } from '@feed/config';
import { cleanupAll, startRedis, startSentinel, waitFor, type RedisServerHandle, type SentinelHandle } from '@feed/testing';
import { Redis } from 'ioredis';
import { connectRedis, createRedisClient } from './create-client';

jest.setTimeout(90_000);

/** The endpoint exactly as an app gets it: through libs/config from environment variables. */
function endpoint(env: Record<string, string>): RedisEndpoint {
  const r = new ConfigReader(env);
  const ep = readRedis(r, 'primary');
  r.done();
  return ep;
}

/** The port of the server a client is connected to, as that server reports it. */
async function serverPort(c: Redis): Promise<number> {
  const info = await c.info('server');
  return Number(/tcp_port:(\d+)/.exec(info)?.[1]);
}

let master: RedisServerHandle;
let replica: RedisServerHandle;
let sentinel: SentinelHandle;
let admin: Redis;
let replicaClient: Redis;
const clients: Redis[] = [];

beforeAll(async () => {
  master = await startRedis();
  replica = await startRedis();
  replicaClient = new Redis({ port: replica.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  clients.push(replicaClient);
  await replicaClient.connect();
  await replicaClient.replicaof('127.0.0.1', master.port);
  sentinel = await startSentinel({ master: { port: master.port }, downAfterMs: 1_000, failoverTimeoutMs: 5_000 });
  admin = new Redis({ port: sentinel.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  clients.push(admin);
  await admin.connect();
});

afterAll(async () => {
  // Wait for each client's end so no reconnect timer or Sentinel subscriber outlives the file.
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

describe('Redis Sentinel as a connection option (Debian redis-sentinel)', () => {
  it('reads REDIS_SENTINELS / REDIS_SENTINEL_MASTER and refuses malformed entries', () => {
    const ep = endpoint({ REDIS_SENTINELS: '127.0.0.1:26379, [::1]:26380', REDIS_SENTINEL_MASTER: 'feed' });
    expect(ep.sentinel).toEqual({ nodes: [{ host: '127.0.0.1', port: 26379 }, { host: '::1', port: 26380 }], masterName: 'feed', tls: false });
    const r = new ConfigReader({ REDIS_SENTINELS: 'host-without-port,h:99999' });
    readRedis(r, 'primary');
    expect(() => r.done()).toThrow(/REDIS_SENTINELS entry "host-without-port" is not host:port[\s\S]*"h:99999"/);
  });

  it('resolves the master through Sentinel, then follows a failover to the promoted replica', async () => {
    const c = createRedisClient(endpoint({ REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`, REDIS_SENTINEL_MASTER: 'mymaster' }), { name: 'sentinel-spec', failFast: true });
    clients.push(c);
    c.on('error', () => undefined);
    await connectRedis(c, 15_000, 'Redis via Sentinel');
    expect(await serverPort(c)).toBe(master.port);
    await c.set('before-failover', '1');

    // Sentinel learns replicas from the master's INFO; a failover needs one it knows and considers in sync.
    await waitFor(
      async () => {
        const reps = (await admin.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
        return reps.some((fields) => fields.includes(String(replica.port)) && !fields.join(' ').includes('disconnected'));
      },
      { what: 'sentinel to know the replica', timeoutMs: 30_000, intervalMs: 200 },
    );
    await waitFor(async () => (await replicaClient.get('before-failover')) === '1', { what: 'the replica to have the write', timeoutMs: 10_000 });
    expect(await admin.call('SENTINEL', 'FAILOVER', 'mymaster')).toBe('OK');

    // The client drops its connection on +switch-master and reconnects to the address Sentinel now gives.
    await waitFor(
      async () => {
        try {
          return (await serverPort(c)) === replica.port && (await c.set('after-failover', '1')) === 'OK';
        } catch {
          return false;
        }
      },
      { what: 'the client to follow the failover to the promoted replica', timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(await c.get('before-failover')).toBe('1');
    const [, masterPort] = (await admin.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as [string, string];
    expect(Number(masterPort)).toBe(replica.port);
  });

  it('an unknown master name fails connectRedis at its deadline with REDIS_UNREACHABLE', async () => {
    const c = createRedisClient(endpoint({ REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`, REDIS_SENTINEL_MASTER: 'nobody' }), { name: 'sentinel-spec-bad', failFast: true });
    clients.push(c);
    c.on('error', () => undefined);
    await expect(connectRedis(c, 1_500, 'Redis via Sentinel')).rejects.toMatchObject({ code: 'REDIS_UNREACHABLE' });
  });
});
