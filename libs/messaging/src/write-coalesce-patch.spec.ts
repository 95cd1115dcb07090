import type { Socket } from 'node:net';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { cleanupAll, startNats, waitFor, type NatsServerHandle } from '@feed/testing';
import { connectNats } from './connect';
import { applyWriteCoalescePatch } from './write-coalesce-patch';

/** Counts the socket writes of one connection (nats.js 3.3.1 internals: protocol.transport.socket). */
function countWrites(nc: NatsConnection): { readonly count: number } {
  const socket = (nc as unknown as { protocol: { transport: { socket: Socket } } }).protocol.transport.socket;
  const counter = { count: 0 };
  const write = socket.write.bind(socket) as (...a: unknown[]) => boolean;
  (socket as unknown as { write: (...a: unknown[]) => boolean }).write = (...a: unknown[]) => {
    counter.count++;
    return write(...a);
  };
  return counter;
}

describe('the nats.js write-coalescing patch', () => {
  let nats: NatsServerHandle;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => cleanupAll());

  it('when publishes come from ten promise hops of one event-loop turn, then they leave in one socket write, in order', async () => {
    const nc = await connectNats({ servers: [nats.url], name: 'coalesce-test', startupTimeoutMs: 5_000 });
    try {
      const got: string[] = [];
      const sub = nc.subscribe('coalesce.x', { callback: (_e, m) => void got.push(m.string()) });
      await nc.flush();
      const writes = countWrites(nc);
      // Unpatched, each hop's publish is flushed by its own microtask: ten writes.
      for (let i = 0; i < 10; i++) {
        nc.publish('coalesce.x', String(i));
        await Promise.resolve();
      }
      await new Promise<void>((r) => setImmediate(r));
      expect(writes.count).toBe(1);
      await waitFor(() => got.length === 10, { what: 'the ten messages', timeoutMs: 5_000 });
      expect(got).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      sub.unsubscribe();
    } finally {
      await nc.close();
    }
  });

  it('when more than the size threshold is queued in one turn, then it is written inline, without waiting for the turn to end', async () => {
    const nc = await connectNats({ servers: [nats.url], name: 'coalesce-big', startupTimeoutMs: 5_000 });
    try {
      await nc.flush();
      const writes = countWrites(nc);
      const big = new Uint8Array(40 * 1024);
      // nats.js flushes inline once 32 KiB are pending (FLUSH_THRESHOLD); the patch keeps that bound on memory:
      // publishes 2 and 4 each find more than that queued and write it out before this turn ends.
      for (let i = 0; i < 4; i++) nc.publish('coalesce.big', big);
      expect(writes.count).toBe(2);
    } finally {
      await nc.close();
    }
  });

  it('given the patch, JetStream publishes with headers, requests, flush and drain behave as before', async () => {
    applyWriteCoalescePatch();
    const nc = await connectNats({ servers: [nats.url], name: 'coalesce-js', startupTimeoutMs: 5_000 });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'COALESCE', subjects: ['coalesce.js.>'] });
    const js = jetstream(nc);
    const h = headers();
    h.set('Feed-Source', 'simulated');
    const acks = await Promise.all(Array.from({ length: 200 }, (_, i) => js.publish('coalesce.js.a', String(i), { msgID: `m${i}`, headers: h })));
    expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect((await js.publish('coalesce.js.a', 'again', { msgID: 'm0' })).duplicate).toBe(true);
    await expect(nc.request('nobody.here', 'x', { timeout: 300 })).rejects.toThrow();
    await nc.flush();
    nc.publish('coalesce.js.a', 'last');
    await nc.drain();
    const info = await (async () => {
      const nc2 = await connectNats({ servers: [nats.url], name: 'coalesce-check', startupTimeoutMs: 5_000 });
      try {
        return await (await jetstreamManager(nc2)).streams.info('COALESCE');
      } finally {
        await nc2.close();
      }
    })();
    // The core publish queued just before drain() reached the server too (drain flushes what is pending).
    expect(info.state.messages).toBe(201);
  });
});
