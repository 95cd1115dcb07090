import { createLogger } from '@feed/logging';
import { Registry } from '@feed/metrics';
import { freePort, waitFor } from '@feed/testing';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BackoffOptions } from './backoff';
import { createIngestMetrics, type IngestMetrics } from './metrics';
import { VenueSupervisor, type SupervisorOptions } from './venue-supervisor';
import type { StreamKey } from './venues';
import { binanceAdapter } from './venues/binance';

jest.setTimeout(30_000);

/*
 * The supervisor against a real local WebSocket server (no venue host is ever dialled). Intervals are scaled
 * down (decision 12): backoff in tens of ms, silence in hundreds, a connection lifetime of 1.5 s.
 */

const BTC: StreamKey = { venue: 'binance', channel: 'trade', symbol: 'BTC-USDT' };

interface ServerConn {
  ws: WebSocket;
  url: string;
  openedAt: number;
  /** When the server decided to close it (server-initiated closes only). */
  serverClosedAt?: number;
  /** When the socket was closed, by either side. */
  closedAt?: number;
}

/** A tiny venue: records every upgrade attempt and connection, refuses or accepts as the test says. */
class TestVenue {
  readonly attempts: number[] = [];
  readonly conns: ServerConn[] = [];
  readonly timers: NodeJS.Timeout[] = [];
  port = 0;
  refuse: (attempt: number) => { status: number; headers?: Record<string, string> } | undefined = () => undefined;
  onConnection: (c: ServerConn, index: number) => void = () => undefined;
  private wss: WebSocketServer | undefined;

  async start(): Promise<void> {
    this.port = await freePort();
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: this.port,
      verifyClient: (_info, cb) => {
        const n = this.attempts.push(Date.now()) - 1;
        const r = this.refuse(n);
        if (r) cb(false, r.status, 'Refused', r.headers);
        else cb(true);
      },
    });
    this.wss = wss;
    wss.on('connection', (ws, req) => {
      const c: ServerConn = { ws, url: req.url ?? '', openedAt: Date.now() };
      this.conns.push(c);
      ws.on('close', () => {
        c.closedAt = Date.now();
      });
      this.onConnection(c, this.conns.length - 1);
    });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
  }

  close(c: ServerConn, code = 1000): void {
    c.serverClosedAt = Date.now();
    c.ws.close(code, 'bye');
  }

  every(ms: number, fn: () => void): void {
    this.timers.push(setInterval(fn, ms));
  }

  after(ms: number, fn: () => void): void {
    this.timers.push(setTimeout(fn, ms));
  }

  open(): ServerConn[] {
    return this.conns.filter((c) => c.closedAt === undefined && c.ws.readyState === c.ws.OPEN);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    const wss = this.wss;
    if (!wss) return;
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
}

interface Harness {
  venue: TestVenue;
  sup: VenueSupervisor;
  frames: Array<{ text: string; recvUs: number }>;
  connected: Array<{ up: boolean; reason: string; at: number }>;
  metrics: IngestMetrics;
  registry: Registry;
}

let current: Harness | undefined;

async function harness(o: { silentMs?: number; backoff?: Partial<BackoffOptions>; lifetimeMs?: number; rotateBeforeMs?: number; setup: (v: TestVenue) => void }): Promise<Harness> {
  const venue = new TestVenue();
  o.setup(venue);
  await venue.start();
  const registry = new Registry();
  const metrics = createIngestMetrics(registry);
  const frames: Harness['frames'] = [];
  const connected: Harness['connected'] = [];
  const opts: SupervisorOptions = {
    baseUrl: `ws://127.0.0.1:${venue.port}`,
    streams: [BTC],
    silentMs: o.silentMs ?? 5_000,
    backoff: { baseMs: 50, maxMs: 1_000, stableMs: 60_000, ...o.backoff },
    lifetimeMs: o.lifetimeMs ?? 3_600_000,
    rotateBeforeMs: o.rotateBeforeMs ?? 0,
    overlapMs: 1_000,
    handshakeTimeoutMs: 2_000,
  };
  const sup = new VenueSupervisor(
    binanceAdapter,
    opts,
    (data, _isBinary, recvUs) => frames.push({ text: data.toString('utf8'), recvUs }),
    (up, reason) => connected.push({ up, reason, at: Date.now() }),
    metrics,
    createLogger({ service: 'ingest-spec', instanceId: 'spec', level: 'silent' }),
  );
  current = { venue, sup, frames, connected, metrics, registry };
  sup.start();
  return current;
}

async function counter(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

afterEach(async () => {
  jest.restoreAllMocks();
  if (current) {
    current.sup.stop();
    await current.venue.stop();
    current = undefined;
  }
});

describe('given a venue that drops every connection', () => {
  it('when the supervisor reconnects then each attempt waits the backoff delay, growing per attempt, and a stable connection resets it', async () => {
    // random() just below 1 makes full jitter deterministic: delays are cap - 1 = 49, 99, 199, 399, ...
    jest.spyOn(Math, 'random').mockReturnValue(0.999_999);
    const h = await harness({
      backoff: { baseMs: 50, maxMs: 400, stableMs: 250 },
      setup: (v) => {
        v.onConnection = (c, i) => {
          if (i === 4) v.after(350, () => v.close(c)); // the fifth connection stays up longer than stableMs
          else v.close(c);
        };
      },
    });
    await waitFor(() => h.venue.attempts.length >= 7, { what: 'seven connection attempts', timeoutMs: 10_000 });
    h.sup.stop();
    expect(h.venue.conns[0]?.url).toBe('/stream?streams=btcusdt@trade');
    // Delay before attempt i+1, measured from the server's close of connection i.
    const expected = [49, 99, 199, 399, /* reset after a stable connection: */ 49, 99];
    for (const [i, d] of expected.entries()) {
      const closed = h.venue.conns[i]?.serverClosedAt as number;
      const gap = (h.venue.attempts[i + 1] as number) - closed;
      expect({ attempt: i + 1, atLeast: gap >= d - 2 }).toEqual({ attempt: i + 1, atLeast: true });
      expect({ attempt: i + 1, bounded: gap < d + 500 }).toEqual({ attempt: i + 1, bounded: true });
    }
    expect(h.connected.filter((c) => !c.up).length).toBeGreaterThanOrEqual(6);
    expect(h.connected.find((c) => !c.up)?.reason).toBe('closed 1000');
    expect(await counter(h.registry, 'feed_ingest_reconnects_total', { venue: 'binance', reason: 'closed' })).toBeGreaterThanOrEqual(6);
  });
});

describe('given a connection that goes silent', () => {
  it('when no frame and no ping arrive for longer than silentMs then it is replaced', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    let lastSent = 0;
    const h = await harness({
      silentMs: 300,
      setup: (v) => {
        v.onConnection = (c, i) => {
          if (i === 0) {
            for (let n = 0; n < 3; n++) c.ws.send(JSON.stringify({ n }));
            lastSent = Date.now();
          }
          if (i > 0) v.every(50, () => c.ws.readyState === c.ws.OPEN && c.ws.send('{"n":-1}'));
        };
      },
    });
    await waitFor(() => h.venue.conns.length >= 2, { what: 'a replacement connection', timeoutMs: 5_000 });
    const first = h.venue.conns[0] as ServerConn;
    expect((h.venue.attempts[1] as number) - lastSent).toBeGreaterThanOrEqual(300);
    expect((h.venue.attempts[1] as number) - lastSent).toBeLessThan(300 + 500);
    await waitFor(() => first.closedAt !== undefined, { what: 'the silent connection to be closed', timeoutMs: 3_000 });
    expect(h.frames.slice(0, 3).map((f) => f.text)).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
    expect(h.connected.filter((c) => !c.up).map((c) => c.reason)).toEqual([expect.stringMatching(/^silent \d+ ms$/)]);
    expect(await counter(h.registry, 'feed_ingest_reconnects_total', { venue: 'binance', reason: 'silent' })).toBe(1);
    // The replacement keeps delivering, so it is not replaced in turn.
    await new Promise((r) => setTimeout(r, 600));
    expect(h.venue.conns).toHaveLength(2);
  });

  it('when the server only pings (Binance keepalive) then the connection is not silent and is kept', async () => {
    const h = await harness({
      silentMs: 300,
      setup: (v) => {
        v.onConnection = (c) => v.every(100, () => c.ws.readyState === c.ws.OPEN && c.ws.ping());
      },
    });
    await waitFor(() => h.venue.conns.length === 1, { what: 'the connection', timeoutMs: 5_000 });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.venue.attempts).toHaveLength(1);
    expect(h.connected.filter((c) => !c.up)).toEqual([]);
  });
});

describe('given a venue that cuts each connection at its lifetime (Binance: 24 h, here 1.5 s)', () => {
  it('when the lifetime nears then a second connection opens before the first closes and no frame number is missed', async () => {
    let seq = 0;
    const h = await harness({
      silentMs: 1_000,
      lifetimeMs: 1_500,
      rotateBeforeMs: 500,
      setup: (v) => {
        // Numbered frames broadcast identically to every open connection, like a venue's market stream.
        v.every(10, () => {
          seq++;
          for (const c of v.open()) c.ws.send(`{"n":${seq}}`);
        });
        v.onConnection = (c) => v.after(1_500, () => v.close(c));
      },
    });
    await waitFor(() => h.venue.conns.length >= 3 && h.venue.conns[1]?.closedAt !== undefined, { what: 'two rotations', timeoutMs: 10_000 });
    await waitFor(() => h.frames.length > 0 && h.venue.open().length >= 1, { what: 'frames on the current connection', timeoutMs: 2_000 });
    h.sup.stop();

    const [c0, c1, c2] = h.venue.conns as [ServerConn, ServerConn, ServerConn];
    // Make before break: each replacement was open before its predecessor closed.
    expect(c1.openedAt).toBeLessThan(c0.closedAt as number);
    expect(c2.openedAt).toBeLessThan(c1.closedAt as number);
    // And it opened ahead of the lifetime cut-off: at most lifetime - rotateBefore + one watch interval (250 ms) + slack.
    // (the server stamps open times a few ms after the client decided, so allow that skew)
    expect(c1.openedAt - c0.openedAt).toBeGreaterThanOrEqual(950);
    expect(c1.openedAt - c0.openedAt).toBeLessThan(1_450);

    const seen = new Set(h.frames.map((f) => (JSON.parse(f.text) as { n: number }).n));
    const nums = [...seen].sort((a, b) => a - b);
    const lo = nums[0] as number;
    const hi = nums[nums.length - 1] as number;
    const missing = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i).filter((n) => !seen.has(n));
    expect(missing).toEqual([]);
    expect(hi - lo).toBeGreaterThan(200); // frames flowed across both rotations
    expect(h.connected.filter((c) => !c.up)).toEqual([]); // never reported down
    expect(await counter(h.registry, 'feed_ingest_reconnects_total', { venue: 'binance', reason: 'rotation' })).toBeGreaterThanOrEqual(2);
  });
});

describe('given a venue that answers the upgrade with HTTP 429 and Retry-After', () => {
  it('when the first attempt is refused with Retry-After: 1 then the next attempt comes no sooner than 1 s', async () => {
    const h = await harness({
      backoff: { baseMs: 20, maxMs: 40 },
      setup: (v) => {
        v.refuse = (n) => (n === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : undefined);
      },
    });
    await waitFor(() => h.venue.conns.length >= 1, { what: 'the connection after the refusal', timeoutMs: 5_000 });
    expect(h.venue.attempts).toHaveLength(2);
    expect((h.venue.attempts[1] as number) - (h.venue.attempts[0] as number)).toBeGreaterThanOrEqual(1_000);
    expect(h.connected.filter((c) => !c.up).map((c) => c.reason)).toEqual(['http 429']);
  });

  it('when a rotation attempt is refused with Retry-After: 1 then the supervisor does not try again before 1 s', async () => {
    const refuseUntil = Date.now() + 3_000;
    const h = await harness({
      silentMs: 400, // watch every 100 ms
      lifetimeMs: 1_000,
      rotateBeforeMs: 500,
      setup: (v) => {
        v.refuse = (n) => (n > 0 && Date.now() < refuseUntil ? { status: 429, headers: { 'Retry-After': '1' } } : undefined);
        v.every(20, () => {
          for (const c of v.open()) c.ws.send('{"n":0}');
        });
      },
    });
    await waitFor(() => Date.now() > refuseUntil + 200, { what: 'the refusal window to pass', timeoutMs: 10_000, intervalMs: 100 });
    const refused = h.venue.attempts.filter((t, i) => i > 0 && t < refuseUntil);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    const gaps = refused.slice(1).map((t, i) => t - (refused[i] as number));
    expect(gaps.filter((g) => g < 1_000)).toEqual([]);
    // The established connection carried on meanwhile.
    expect(h.connected.filter((c) => !c.up)).toEqual([]);
  });
});
