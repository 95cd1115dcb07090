import { Redis } from 'ioredis';
import { stat } from 'node:fs/promises';
import net from 'node:net';
import { redisPing } from './probes';
import { startRedis, type RedisServerHandle } from './redis-server';
import { cleanupAll, registry } from './registry';
import { waitFor } from './wait-for';

jest.setTimeout(60_000);

const clients: Redis[] = [];
function client(url: string): Redis {
  // No retries: a test that loses its Redis should see the error, not hang in reconnect.
  const r = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  clients.push(r);
  return r;
}

let redis: RedisServerHandle;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  // ioredis arms a 2 s timer on every disconnect() of an already closed client, so only close open ones.
  for (const c of clients) if (c.status !== 'end') c.disconnect();
  await cleanupAll();
  expect(registry.alive()).toEqual([]);
  await expect(stat(redis.dir)).rejects.toThrow(/ENOENT/);
});

describe('startRedis', () => {
  it('answers PING, SET and GET on a private port with noeviction', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.port).not.toBe(6379);
    expect(await redisPing(redis.port)).toBe(true);
    const c = client(redis.url);
    await c.connect();
    expect(await c.ping()).toBe('PONG');
    await c.set('k', 'v');
    expect(await c.get('k')).toBe('v');
    expect(await c.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(await c.config('GET', 'save')).toEqual(['save', '']);
    c.disconnect();
  });

  it('restarts on the same port, empty because persistence is off', async () => {
    const c = client(redis.url);
    await c.connect();
    await c.set('before', '1');
    c.disconnect();
    const oldPid = redis.pid;
    await redis.restart();
    expect(redis.pid).not.toBe(oldPid);
    const c2 = client(redis.url);
    await c2.connect();
    expect(await c2.get('before')).toBeNull();
    await c2.set('after', '2');
    expect(await c2.get('after')).toBe('2');
    c2.disconnect();
  });

  it('comes back after kill -9', async () => {
    await redis.kill9();
    expect(redis.running).toBe(false);
    await expect(redisPing(redis.port, { timeoutMs: 500 })).rejects.toThrow();
    await redis.restart();
    expect(await redisPing(redis.port)).toBe(true);
  });

  it('restart waits out a port that something else holds for a moment', async () => {
    await redis.stop();
    // Drops whatever connects (the readiness probe does): an unread accepted socket would keep close() waiting.
    const squatter = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => squatter.listen(redis.port, '127.0.0.1', r));
    const restarted = redis.restart();
    await waitFor(() => redis.logs().includes('port still taken, retrying restart'), { what: 'a refused first restart' });
    await new Promise<void>((r) => squatter.close(() => r()));
    await restarted;
    expect(await redisPing(redis.port)).toBe(true);
  });

  it('requires the password when one is set, and passes extra args through', async () => {
    const secured = await startRedis({ password: 's3cret', args: ['--maxmemory', '10mb'] });
    expect(secured.url).toBe(`redis://:s3cret@127.0.0.1:${secured.port}`);
    await expect(redisPing(secured.port)).rejects.toThrow(/NOAUTH/);
    expect(await redisPing(secured.port, { password: 's3cret' })).toBe(true);
    const c = client(secured.url);
    await c.connect();
    expect(await c.config('GET', 'maxmemory')).toEqual(['maxmemory', String(10 * 1024 * 1024)]);
    c.disconnect();
    await secured.dispose();
    expect(secured.running).toBe(false);
  });
});
