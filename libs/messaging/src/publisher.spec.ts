import { cleanupAll, startNatsWithClient } from '@feed/testing';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { WindowedPublisher } from './publisher';

jest.setTimeout(30_000);

let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  ({ nc, jsm } = await startNatsWithClient());
});

afterAll(cleanupAll);

/**
 * The real connection, wrapped only to count publishes handed to it whose PubAck has not come back yet: the true
 * in-flight number, independent of the publisher's own bookkeeping (publishes with a reply subject are counted up,
 * messages delivered to the subscriptions it makes are counted down).
 */
function counting(real: NatsConnection): { nc: NatsConnection; max: () => number; now: () => number; calls: () => number } {
  let cur = 0;
  let max = 0;
  let calls = 0;
  const wrapped = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'publish') {
        return (...args: Parameters<NatsConnection['publish']>) => {
          if (args[2]?.reply) {
            calls++;
            cur++;
            max = Math.max(max, cur);
          }
          target.publish(...args);
        };
      }
      if (prop === 'subscribe') {
        return (subject: string, opts: Parameters<NatsConnection['subscribe']>[1]) => {
          const cb = opts?.callback;
          return target.subscribe(subject, { ...opts, ...(cb ? { callback: (e: Error | null, m: Msg) => (cur--, cb(e, m)) } : {}) });
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return { nc: wrapped, max: () => max, now: () => cur, calls: () => calls };
}

describe('WindowedPublisher', () => {
  it('refuses a window below 1', () => {
    expect(() => new WindowedPublisher(nc, { window: 0, timeoutMs: 1000 })).toThrow(/window/);
  });

  it('publishAll of 5,000 keeps at most `window` in flight, uses the whole window, and resolves with every ack', async () => {
    await jsm.streams.add({ name: 'PUB_A', subjects: ['puba.>'] });
    const spy = counting(nc);
    const window = 64;
    const pub = new WindowedPublisher(spy.nc, { window, timeoutMs: 10_000 });
    let maxPending = 0;
    let samples = 0;
    const sampler = setInterval(() => {
      samples++;
      maxPending = Math.max(maxPending, pub.pending);
    }, 1);
    const msgs = Array.from({ length: 5_000 }, (_, i) => ({ subject: `puba.${i % 7}`, data: `m${i}`, msgId: `a-${i}` }));
    const acks = await pub.publishAll(msgs);
    clearInterval(sampler);

    expect(acks).toHaveLength(5_000);
    expect(acks.every((a) => a.stream === 'PUB_A' && !a.duplicate)).toBe(true);
    expect(new Set(acks.map((a) => a.seq)).size).toBe(5_000);
    expect(Math.min(...acks.map((a) => a.seq))).toBe(1);
    expect(Math.max(...acks.map((a) => a.seq))).toBe(5_000);
    // Never more than the window at the client, and the window was actually used (pipelining, not one by one).
    expect(spy.calls()).toBe(5_000);
    expect(spy.max()).toBe(window);
    expect(samples).toBeGreaterThan(0);
    expect(maxPending).toBeLessThanOrEqual(window);
    expect(pub.pending).toBe(0);
    expect(spy.now()).toBe(0);
    expect(pub.stats()).toEqual({ published: 5_000, duplicates: 0, failures: 0, inFlight: 0 });
    expect((await jsm.streams.info('PUB_A')).state.messages).toBe(5_000);
  });

  it('start() makes the caller wait for a slot: pending never exceeds the window while the producer runs ahead', async () => {
    await jsm.streams.add({ name: 'PUB_B', subjects: ['pubb.>'] });
    const spy = counting(nc);
    const pub = new WindowedPublisher(spy.nc, { window: 8, timeoutMs: 10_000 });
    const acks: Array<Promise<unknown>> = [];
    let maxSeen = 0;
    for (let i = 0; i < 500; i++) {
      const { ack } = await pub.start('pubb.x', `b${i}`, { msgId: `b-${i}` });
      maxSeen = Math.max(maxSeen, pub.pending);
      acks.push(ack);
    }
    await Promise.all(acks);
    await pub.idle();
    expect(maxSeen).toBe(8);
    expect(spy.max()).toBe(8);
    expect(pub.pending).toBe(0);
    expect((await jsm.streams.info('PUB_B')).state.messages).toBe(500);
  });

  it('dedupes by msg id within the duplicate window: the same id twice stores one message', async () => {
    await jsm.streams.add({ name: 'PUB_C', subjects: ['pubc.>'] });
    const pub = new WindowedPublisher(nc, { window: 16, timeoutMs: 5_000 });
    const a = await pub.publish('pubc.t', 'first', { msgId: 'trade:binance:BTC-USDT:1' });
    const b = await pub.publish('pubc.t', 'second body, same id', { msgId: 'trade:binance:BTC-USDT:1' });
    const c = await pub.publish('pubc.t', 'other', { msgId: 'trade:binance:BTC-USDT:2' });
    expect(a).toMatchObject({ stream: 'PUB_C', seq: 1, duplicate: false });
    expect(b).toMatchObject({ stream: 'PUB_C', seq: 1, duplicate: true });
    expect(c).toMatchObject({ stream: 'PUB_C', seq: 2, duplicate: false });
    // Duplicates inside one pipelined batch as well.
    const acks = await pub.publishAll([
      { subject: 'pubc.t', data: 'x', msgId: 'q:3' },
      { subject: 'pubc.t', data: 'x', msgId: 'q:3' },
      { subject: 'pubc.t', data: 'y', msgId: 'q:4' },
      { subject: 'pubc.t', data: 'y', msgId: 'q:4' },
    ]);
    expect(acks.map((x) => x.duplicate)).toEqual([false, true, false, true]);
    expect(pub.stats()).toEqual({ published: 7, duplicates: 3, failures: 0, inFlight: 0 });
    const info = await jsm.streams.info('PUB_C');
    expect(info.state.messages).toBe(4);
    expect((await jsm.streams.getMessage('PUB_C', { seq: 1 }))?.string()).toBe('first');
  });

  it('a failed publish releases its slot and is counted; publishAll rejects only after every publish settled', async () => {
    const pub = new WindowedPublisher(nc, { window: 2, timeoutMs: 2_000 });
    // No stream listens on nostream.>: the server answers "no responders" at once.
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => pub.publish('nostream.x', `f${i}`)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect(pub.pending).toBe(0);
    expect(pub.stats()).toMatchObject({ failures: 5, published: 0, inFlight: 0 });

    await jsm.streams.add({ name: 'PUB_D', subjects: ['pubd.>'] });
    const err = await pub
      .publishAll([
        { subject: 'pubd.ok', data: '1' },
        { subject: 'nostream.y', data: '2' },
        { subject: 'pubd.ok', data: '3' },
        { subject: 'pubd.ok', data: '4' },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(pub.pending).toBe(0);
    expect(pub.stats()).toMatchObject({ failures: 6, published: 3, inFlight: 0 });
    expect((await jsm.streams.info('PUB_D')).state.messages).toBe(3);
    // The window is whole again: a later publish goes through.
    await expect(pub.publish('pubd.ok', '5')).resolves.toMatchObject({ stream: 'PUB_D', seq: 4 });
  });

  it('idle() resolves only once everything in flight has its ack', async () => {
    await jsm.streams.add({ name: 'PUB_E', subjects: ['pube.>'] });
    const pub = new WindowedPublisher(nc, { window: 100, timeoutMs: 5_000 });
    await expect(pub.idle()).resolves.toBeUndefined();
    let acked = 0;
    for (let i = 0; i < 300; i++) void (await pub.start('pube.x', `e${i}`)).ack.then(() => acked++);
    expect(pub.pending).toBeGreaterThan(0);
    await pub.idle();
    expect(pub.pending).toBe(0);
    expect(pub.stats().published).toBe(300);
    expect((await jsm.streams.info('PUB_E')).state.messages).toBe(300);
    // The ack callbacks chained after the publisher's own may run a tick later.
    await Promise.resolve();
    expect(acked).toBe(300);
  });
});
