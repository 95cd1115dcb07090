import net from 'node:net';
import { createLogger } from '@feed/logging';
import { Registry } from '@feed/metrics';
import { cleanupAll, startNats, waitFor, type NatsServerHandle } from '@feed/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectNats } from './connect';
import { ConsumerLoop, ensureDurable, type Delivered } from './consumer-loop';
import { createConsumerMetrics } from './consumer-metrics';
import { DeadLetterer } from './dead-letter';
import { WindowedPublisher } from './publisher';
import { applyStreams } from './setup';
import { DEFAULT_STREAM_SETTINGS } from './streams';
import { Subjects } from './subjects';

jest.setTimeout(60_000);

let nats: NatsServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: [nats.url], name: 'loop-restart-spec', startupTimeoutMs: 5_000 });
});

const extra: NatsConnection[] = [];
const relays: net.Server[] = [];
const sockets: net.Socket[] = [];

afterAll(async () => {
  for (const c of extra) if (!c.isClosed()) await c.close().catch(() => undefined);
  await nc?.close();
  for (const s of sockets) s.destroy();
  for (const r of relays) r.close();
  await cleanupAll();
});

/**
 * A TCP relay in front of the server whose traffic can be stalled (held, both ways) and resumed (released in
 * order): a network stall with the connection still up, which the client does not see as a disconnect.
 */
async function stallableRelay(port: number): Promise<{ url: string; stall: () => void; resume: () => void }> {
  let stalled = false;
  const held: Array<() => void> = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.push(client, upstream);
    const pipe = (from: net.Socket, to: net.Socket) =>
      from.on('data', (d) => {
        if (stalled) held.push(() => void (to.destroyed || to.write(d)));
        else to.write(d);
      });
    pipe(client, upstream);
    pipe(upstream, client);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  relays.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `nats://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    stall: () => (stalled = true),
    resume: () => {
      stalled = false;
      for (const f of held.splice(0)) f();
    },
  };
}

describe('ConsumerLoop across a NATS restart', () => {
  it('keeps running through a server restart and handles everything published before and after it exactly once', async () => {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await applyStreams(nc, jsm, { ...DEFAULT_STREAM_SETTINGS, prefix: 'rs', rawMaxBytes: 1 << 24, mdMaxBytes: 1 << 24, dlqMaxBytes: 1 << 20 });
    const pub = new WindowedPublisher(nc, { window: 64, timeoutMs: 5_000 });
    const send = (from: number, to: number) =>
      pub.publishAll(Array.from({ length: to - from }, (_, k) => ({ subject: 'rs.md.v1.trade.BTC-USD.sim', data: String(from + k), msgId: `rs:${from + k}` })));
    const o = { stream: 'RS_MD', durable: 'rs_loop', filterSubject: 'rs.md.v1.>', ackWaitMs: 2_000, maxDeliver: -1, maxAckPending: 1_000 };
    await ensureDurable(jsm, o);
    const handled: Array<Delivered<number>> = [];
    const loop = new ConsumerLoop<number>({
      ...o,
      name: o.durable,
      js,
      jsm,
      batchSize: 50,
      decode: (m) => Number(m.string()),
      handle: async (items) => void handled.push(...items),
      deadLetter: new DeadLetterer(pub, new Subjects('rs'), 'spec'),
      probe: async () => true,
      probeIntervalMs: 100,
      nakDelayMs: 200,
      log: createLogger({ service: 'spec', instanceId: 't', level: 'fatal', destination: { write: () => undefined } }),
      metrics: createConsumerMetrics(new Registry()),
    });
    loop.start();
    await send(0, 100);
    await waitFor(() => handled.length >= 100, { what: 'the first 100 handled' });

    await nats.stop();
    // Time passing is the point: longer than two idle heartbeats of the loop's pull requests.
    await new Promise((r) => setTimeout(r, 1_500));
    await nats.restart();
    await waitFor(async () => (await jsm.streams.info('RS_MD').catch(() => undefined))?.state.messages === 100, { what: 'the client back with the stream', timeoutMs: 15_000 });
    await send(100, 200);
    await waitFor(() => handled.length >= 200, { what: 'the next 100 handled after the restart', timeoutMs: 15_000 });
    await waitFor(async () => {
      const ci = await jsm.consumers.info('RS_MD', 'rs_loop');
      return ci.num_pending === 0 && ci.num_ack_pending === 0;
    }, { what: 'all acked' });

    expect(loop.state).toBe('running');
    expect(loop.isAlive(10_000)).toBe(true);
    const values = handled.map((d) => d.value).sort((a, b) => a - b);
    expect(values).toEqual(Array.from({ length: 200 }, (_, i) => i));
    await loop.stop();
  });
});

describe('ConsumerLoop across a network stall', () => {
  it('a stall longer than the heartbeats and a request timeout does not kill the loop; it carries on when the network does', async () => {
    const relay = await stallableRelay(nats.port);
    const c = await connect({ servers: relay.url, name: 'stall-spec' });
    extra.push(c);
    // Short API timeouts, so a request made during the stall fails within the test's time.
    const jsm = await jetstreamManager(c, { timeout: 1_500 });
    const js = jetstream(c, { timeout: 1_500 });
    const admin = await jetstreamManager(nc);
    await applyStreams(nc, admin, { ...DEFAULT_STREAM_SETTINGS, prefix: 'st', rawMaxBytes: 1 << 24, mdMaxBytes: 1 << 24, dlqMaxBytes: 1 << 20 });
    const pub = new WindowedPublisher(nc, { window: 64, timeoutMs: 5_000 });
    const send = (from: number, to: number) =>
      pub.publishAll(Array.from({ length: to - from }, (_, k) => ({ subject: 'st.md.v1.trade.BTC-USD.sim', data: String(from + k), msgId: `st:${from + k}` })));
    const o = { stream: 'ST_MD', durable: 'st_loop', filterSubject: 'st.md.v1.>', ackWaitMs: 2_000, maxDeliver: -1, maxAckPending: 1_000 };
    await ensureDurable(admin, o);
    const handled: Array<Delivered<number>> = [];
    const loop = new ConsumerLoop<number>({
      ...o,
      name: o.durable,
      js,
      jsm,
      batchSize: 50,
      decode: (m) => Number(m.string()),
      handle: async (items) => void handled.push(...items),
      deadLetter: new DeadLetterer(pub, new Subjects('st'), 'spec'),
      probe: async () => true,
      probeIntervalMs: 100,
      nakDelayMs: 200,
      log: createLogger({ service: 'spec', instanceId: 't', level: 'fatal', destination: { write: () => undefined } }),
      metrics: createConsumerMetrics(new Registry()),
    });
    loop.start();
    await send(0, 50);
    await waitFor(() => handled.length >= 50, { what: 'the first 50 handled' });

    relay.stall();
    // Time passing is the point: past two missed idle heartbeats (the loop then re-creates its consume) and past
    // the API timeout of the requests it makes to do so.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(loop.state).not.toBe('failed');
    relay.resume();
    await send(50, 100);
    await waitFor(() => handled.length >= 100, { what: 'the next 50 handled after the stall', timeoutMs: 15_000 });
    expect(loop.state).toBe('running');
    expect(loop.isAlive(10_000)).toBe(true);
    expect(new Set(handled.map((d) => d.value)).size).toBe(100);
    await loop.stop();
  });
});
