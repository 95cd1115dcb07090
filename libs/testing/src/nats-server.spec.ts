import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { stat } from 'node:fs/promises';
import { startNats, type NatsServerHandle } from './nats-server';
import { cleanupAll, registry } from './registry';

jest.setTimeout(60_000);

let nats: NatsServerHandle;
const connections: NatsConnection[] = [];

async function client(url: string): Promise<NatsConnection> {
  const nc = await connect({ servers: url, reconnect: false });
  connections.push(nc);
  return nc;
}

beforeAll(async () => {
  nats = await startNats();
});

afterAll(async () => {
  await Promise.all(connections.map((nc) => (nc.isClosed() ? undefined : nc.close())));
  await cleanupAll();
  expect(registry.alive()).toEqual([]);
  expect(registry.pending()).toEqual([]);
  await expect(stat(nats.storeDir)).rejects.toThrow(/ENOENT/);
});

describe('startNats (single server, JetStream)', () => {
  it('runs on private loopback ports with its own store dir', () => {
    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
    expect(nats.port).not.toBe(4222);
    expect(nats.pid).toBeGreaterThan(0);
    expect(nats.storeDir).toMatch(/feed-test-nats-/);
    expect(nats.logs()).toContain('Server is ready');
  });

  it('stores and reads back through JetStream, and the stream survives a restart', async () => {
    const nc = await client(nats.url);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'T', subjects: ['t.>'] });
    const js = jetstream(nc);
    const ack = await js.publish('t.a', 'hello', { msgID: 'id-1' });
    expect(ack).toMatchObject({ stream: 'T', seq: 1, duplicate: false });
    expect((await jsm.streams.getMessage('T', { seq: 1 }))?.string()).toBe('hello');
    await nc.close();

    const oldPid = nats.pid;
    await nats.restart();
    expect(nats.pid).not.toBe(oldPid);

    const nc2 = await client(nats.url);
    const jsm2 = await jetstreamManager(nc2);
    const info = await jsm2.streams.info('T');
    expect(info.state.messages).toBe(1);
    expect((await jsm2.streams.getMessage('T', { seq: 1 }))?.string()).toBe('hello');
    // The duplicate window is part of the stored state too.
    expect(await jetstream(nc2).publish('t.a', 'hello', { msgID: 'id-1' })).toMatchObject({ seq: 1, duplicate: true });
    await nc2.close();
  });

  it('survives kill -9 and comes back on the same port with its data', async () => {
    await nats.kill9();
    expect(nats.running).toBe(false);
    expect(nats.pid).toBe(-1);
    await nats.restart();
    const nc = await client(nats.url);
    expect((await (await jetstreamManager(nc)).streams.info('T')).state.messages).toBe(1);
    await nc.close();
    expect(nats.logs()).toContain('[harness] killed (signal SIGKILL)');
  });

  it('runs without JetStream when asked', async () => {
    const plain = await startNats({ jetstream: false });
    const varz = await plain.monitor<{ jetstream?: { config?: unknown } }>('/varz');
    expect(varz.jetstream?.config).toBeUndefined();
    const nc = await client(plain.url);
    await expect(jetstreamManager(nc)).rejects.toThrow();
    await nc.close();
    await plain.dispose();
    expect(plain.running).toBe(false);
  });

  it('fails fast with the server log when the server cannot start', async () => {
    const t0 = Date.now();
    const err = await startNats({ args: ['--no-such-flag'] }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/exited \(code \d+\) before it was ready/);
    expect((err as Error).message).toContain('no-such-flag');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
