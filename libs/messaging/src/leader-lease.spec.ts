import net from 'node:net';
import { createLogger } from '@feed/logging';
import { cleanupAll, startNats, waitFor, type NatsServerHandle } from '@feed/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { LeaderLease, type LeaseOptions } from './leader-lease';
import { applyStreams } from './setup';
import { DEFAULT_STREAM_SETTINGS } from './streams';
import { leaseBucket } from './subjects';

jest.setTimeout(30_000);

const TTL = 1_000;
let nats: NatsServerHandle;
const connections: NatsConnection[] = [];
const leases: LeaderLease[] = [];
const proxies: net.Server[] = [];
const sockets: net.Socket[] = [];
const log = createLogger({ service: 'lease-spec', instanceId: 't', level: 'info', destination: { write: () => undefined } });

beforeAll(async () => {
  nats = await startNats();
  const nc = await conn(nats.url);
  await applyStreams(nc, await jetstreamManager(nc), { ...DEFAULT_STREAM_SETTINGS, prefix: 'll', leaseTtlMs: TTL, rawMaxBytes: 1 << 20, mdMaxBytes: 1 << 20, dlqMaxBytes: 1 << 20 });
});

afterEach(async () => {
  await Promise.all(leases.splice(0).map((l) => Promise.race([l.stop(), new Promise((r) => setTimeout(r, 1_000).unref())])));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  for (const p of proxies) p.close();
  for (const c of connections) if (!c.isClosed()) await c.close().catch(() => undefined);
  await cleanupAll();
});

async function conn(url: string): Promise<NatsConnection> {
  const nc = await connect({ servers: url, reconnect: false });
  connections.push(nc);
  return nc;
}

async function bucket(nc: NatsConnection): Promise<KV> {
  return new Kvm(nc).open(leaseBucket('ll'));
}

async function lease(nc: NatsConnection, key: string, holder: string, opts: Partial<LeaseOptions> = {}): Promise<LeaderLease> {
  const l = new LeaderLease(await bucket(nc), key, holder, { ttlMs: TTL, renewMs: 100, ...opts }, log);
  leases.push(l);
  return l;
}

/** Samples isLeader() of every lease every 2 ms; `overlaps` counts samples where more than one was leader. */
function sampler(ls: LeaderLease[]): { stop: () => void; overlaps: () => number; samples: () => number } {
  let overlaps = 0;
  let samples = 0;
  const t = setInterval(() => {
    samples++;
    if (ls.filter((l) => l.isLeader()).length > 1) overlaps++;
  }, 2);
  return { stop: () => clearInterval(t), overlaps: () => overlaps, samples: () => samples };
}

interface Relay {
  url: string;
  /** Nothing more is forwarded either way: a partition, not a disconnect the client would notice. */
  freeze: () => void;
  /** Every server-to-client chunk is held this long (order kept): replies arrive late. */
  delayToClient: (ms: number) => void;
  /** Forward the next client chunk containing `marker`, then nothing more towards the server. */
  cutToServerAfter: (marker: string) => Promise<void>;
}

/** A TCP relay in front of the NATS server, so a client's network can be cut or slowed without closing its socket. */
async function relay(port: number): Promise<Relay> {
  let frozen = false;
  let toServerCut = false;
  let delay = 0;
  let cutAfter: { marker: string; done: () => void } | undefined;
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.push(client, upstream);
    let chain = Promise.resolve();
    client.on('data', (d) => {
      if (frozen || toServerCut) return;
      upstream.write(d);
      if (cutAfter && d.toString('latin1').includes(cutAfter.marker)) {
        toServerCut = true;
        cutAfter.done();
      }
    });
    upstream.on('data', (d) => {
      if (frozen) return;
      const ms = delay;
      chain = chain.then(() => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : undefined)).then(() => void (frozen || client.destroyed || client.write(d)));
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  proxies.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address() as net.AddressInfo;
  return {
    url: `nats://127.0.0.1:${addr.port}`,
    freeze: () => (frozen = true),
    delayToClient: (ms) => (delay = ms),
    cutToServerAfter: (marker) => new Promise<void>((done) => (cutAfter = { marker, done })),
  };
}

describe('LeaderLease', () => {
  it('two leases on one key: exactly one leads, and keeps leading across several TTLs by renewing', async () => {
    const a = await lease(await conn(nats.url), 'k1', 'A');
    const b = await lease(await conn(nats.url), 'k1', 'B');
    a.start();
    b.start();
    const leader = await waitFor(() => (a.isLeader() ? a : b.isLeader() ? b : undefined), { what: 'a leader' });
    const other = leader === a ? b : a;
    const s = sampler([a, b]);
    const t0 = Date.now();
    let switched = 0;
    // Time passing is the point: three TTLs, so the holder must have renewed to still hold.
    await waitFor(
      () => {
        if (!leader.isLeader() || other.isLeader() || other.holds()) switched++;
        return Date.now() - t0 >= 3 * TTL;
      },
      { what: 'three TTLs', intervalMs: 10 },
    );
    s.stop();
    expect(switched).toBe(0);
    expect(s.overlaps()).toBe(0);
    expect(s.samples()).toBeGreaterThan(100);
    expect(leader.holds()).toBe(true);
    expect(other.holds()).toBe(false);
    const kv = await bucket(await conn(nats.url));
    expect((await kv.get('k1'))?.string()).toBe(leader === a ? 'A' : 'B');
  });

  it('stopping the holder releases the key: the other acquires without waiting for the TTL', async () => {
    const a = await lease(await conn(nats.url), 'k2', 'A');
    a.start();
    await waitFor(() => a.isLeader(), { what: 'A leads' });
    const b = await lease(await conn(nats.url), 'k2', 'B');
    b.start();
    const s = sampler([a, b]);
    await new Promise((r) => setTimeout(r, 300)); // B tries (and fails) a few times while A holds
    expect(b.holds()).toBe(false);
    const t0 = Date.now();
    await a.stop();
    expect(a.isLeader()).toBe(false);
    await waitFor(() => b.isLeader(), { what: 'B leads', timeoutMs: 3_000, intervalMs: 5 });
    const took = Date.now() - t0;
    s.stop();
    // B's next attempt (every 100 ms) wins. Without the release, A's last renewal (at most 100 ms before the stop)
    // would have kept the key until it expired, at least 900 ms after the stop.
    expect(took).toBeLessThan(600);
    expect(s.overlaps()).toBe(0);
  });

  it('a holder whose connection dies stops leading; the other acquires only after the entry expires, never overlapping', async () => {
    const ncA = await conn(nats.url);
    const a = await lease(ncA, 'k3', 'A');
    a.start();
    await waitFor(() => a.isLeader(), { what: 'A leads' });
    const b = await lease(await conn(nats.url), 'k3', 'B');
    b.start();
    const s = sampler([a, b]);
    const t0 = Date.now();
    await ncA.close();
    await waitFor(() => !a.isLeader(), { what: 'A steps down', timeoutMs: TTL });
    await waitFor(() => b.isLeader(), { what: 'B leads', timeoutMs: 5_000, intervalMs: 5 });
    const took = Date.now() - t0;
    s.stop();
    expect(s.overlaps()).toBe(0);
    // A's last write expires at most one TTL after it was made, and A renewed it at most 100 ms before dying.
    expect(took).toBeGreaterThanOrEqual(TTL - 100 - 50);
    expect(a.holds()).toBe(false);
  });

  it('a holder cut off by a partition (renewals hang, not fail) fences itself before the other can acquire', async () => {
    const r = await relay(nats.port);
    const a = await lease(await conn(r.url), 'k4', 'A');
    a.start();
    await waitFor(() => a.isLeader(), { what: 'A leads' });
    const b = await lease(await conn(nats.url), 'k4', 'B');
    b.start();
    const s = sampler([a, b]);
    const t0 = Date.now();
    r.freeze();
    await waitFor(() => b.isLeader(), { what: 'B leads', timeoutMs: 5_000, intervalMs: 5 });
    const took = Date.now() - t0;
    // Keep sampling a little: A must not come back while its renewals still hang.
    await new Promise((res) => setTimeout(res, 300));
    s.stop();
    expect(s.overlaps()).toBe(0);
    expect(s.samples()).toBeGreaterThan(100);
    expect(a.isLeader()).toBe(false);
    expect(b.isLeader()).toBe(true);
    expect(took).toBeGreaterThanOrEqual(TTL - 100 - 50);
  });

  it('a renewal whose reply arrives late does not extend leadership past the expiry of the entry on the server', async () => {
    // The server stores the renewal when the request arrives; the lease lives TTL from then. A holder that dates
    // its renewal by the (late) reply believes in a lease the server has already let go.
    const r = await relay(nats.port);
    const a = await lease(await conn(r.url), 'k9', 'A', { renewMs: 100 });
    a.start();
    await waitFor(() => a.isLeader(), { what: 'A leads' });
    const b = await lease(await conn(nats.url), 'k9', 'B');
    b.start();
    const s = sampler([a, b]);
    // One more renewal reaches the server (and is stored there); its reply comes 800 ms late; after it, A is cut off.
    r.delayToClient(800);
    await r.cutToServerAfter('$KV.ll_leases.k9');
    const storedAt = Date.now();
    await waitFor(() => b.isLeader(), { what: 'B leads', timeoutMs: 5_000, intervalMs: 5 });
    await waitFor(() => !a.isLeader(), { what: 'A fenced', timeoutMs: 5_000, intervalMs: 5 });
    s.stop();
    expect(Date.now() - storedAt).toBeGreaterThanOrEqual(TTL - 50);
    expect(s.overlaps()).toBe(0);
  });

  it('stop() during a renewal in flight still releases the key and never reports leadership afterwards', async () => {
    const r = await relay(nats.port);
    const a = await lease(await conn(r.url), 'k10', 'A', { ttlMs: 3_000, renewMs: 50 });
    a.start();
    await waitFor(() => a.isLeader(), { what: 'A leads' });
    // Every reply to A now takes 300 ms, so a renewal is always in flight.
    r.delayToClient(300);
    await new Promise((res) => setTimeout(res, 400));
    const b = await lease(await conn(nats.url), 'k10', 'B', { ttlMs: 3_000, renewMs: 50 });
    b.start();
    const t0 = Date.now();
    await a.stop();
    expect(a.isLeader()).toBe(false);
    await waitFor(() => b.isLeader(), { what: 'B leads', timeoutMs: 5_000, intervalMs: 5 });
    const took = Date.now() - t0;
    // The late renewal reply must not resurrect A's lease.
    await new Promise((res) => setTimeout(res, 400));
    expect(a.holds()).toBe(false);
    expect(a.isLeader()).toBe(false);
    // Released, not expired: well under the 3 s TTL.
    expect(took).toBeLessThan(1_500);
  });

  it('takeoverDelayMs delays isLeader() after acquisition', async () => {
    const a = await lease(await conn(nats.url), 'k5', 'A', { takeoverDelayMs: 600 });
    a.start();
    await waitFor(() => a.holds(), { what: 'A holds', intervalMs: 2 });
    const t0 = Date.now();
    expect(a.isLeader()).toBe(false);
    let earlyLeader = 0;
    await waitFor(
      () => {
        if (a.isLeader()) return true;
        if (Date.now() - t0 >= 1_500) earlyLeader = -1;
        return false;
      },
      { what: 'A leads after the delay', intervalMs: 5, timeoutMs: 3_000 },
    );
    expect(earlyLeader).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
  });

  it('skipDelayIf resolving true skips the delay; false, or throwing, keeps it', async () => {
    let asked = 0;
    const skip = await lease(await conn(nats.url), 'k6', 'A', {
      takeoverDelayMs: 10_000,
      skipDelayIf: async () => {
        asked++;
        return true;
      },
    });
    skip.start();
    await waitFor(() => skip.isLeader(), { what: 'A leads at once', timeoutMs: 1_500 });
    expect(asked).toBe(1);

    const keep = await lease(await conn(nats.url), 'k7', 'B', { takeoverDelayMs: 10_000, skipDelayIf: async () => false });
    const boom = await lease(await conn(nats.url), 'k8', 'C', {
      takeoverDelayMs: 10_000,
      skipDelayIf: () => Promise.reject(new Error('consumer info failed')),
    });
    keep.start();
    boom.start();
    await waitFor(() => keep.holds() && boom.holds(), { what: 'both hold' });
    // Time passing is the point: well past acquisition, neither reports leadership yet.
    await new Promise((r) => setTimeout(r, 500));
    expect(keep.isLeader()).toBe(false);
    expect(boom.isLeader()).toBe(false);
    expect(keep.holds()).toBe(true);
  });
});
