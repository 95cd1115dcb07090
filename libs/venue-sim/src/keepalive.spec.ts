import { startVenueSim, type VenueSim } from './simulator';
import { sleep, TestClient, waitFor } from './spec-helpers';

describe('venue-sim keepalive, lifetime and silence (scaled down)', () => {
  let sim: VenueSim | undefined;
  const clients: TestClient[] = [];
  const open = async (path: string, opts = {}): Promise<TestClient> => {
    const c = await TestClient.open(`${(sim as VenueSim).url}${path}`, opts);
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await sim?.close();
    sim = undefined;
  });

  it('pings at the interval; closes a client that does not pong within the timeout; a ponging client stays', async () => {
    sim = await startVenueSim({ rate: 0, pingIntervalMs: 50, pongTimeoutMs: 200, connectionLifetimeMs: 0 });
    const s = sim;
    const ponging = await open('/ws/btcusdt@trade');
    const silent = await open('/ws/btcusdt@trade', { autoPong: false });
    const closed = await silent.whenClosed;
    const firstPing = silent.pings[0] as number;
    // closed one pong timeout after the first unanswered ping (timer slack allowed)
    expect(closed.atMs - firstPing).toBeGreaterThanOrEqual(190);
    expect(closed.atMs - firstPing).toBeLessThan(400);
    expect(closed.code).toBe(1006); // terminated, no close frame
    expect(s.counters.missedPongCloses).toBe(1);
    // the auto-ponging client stays open over several more intervals (time passing is the assertion)
    await sleep(400);
    expect(ponging.closed).toBeNull();
    expect(ponging.pings.length).toBeGreaterThanOrEqual(8);
    const gaps = ponging.pings.slice(1).map((t, i) => t - (ponging.pings[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(30);
    expect(s.counters.pongsReceived).toBeGreaterThanOrEqual(ponging.pings.length - 1);
    expect(s.counters.missedPongCloses).toBe(1);
  });

  it('unsolicited pongs do not keep a connection alive', async () => {
    sim = await startVenueSim({ rate: 0, pingIntervalMs: 40, pongTimeoutMs: 150, connectionLifetimeMs: 0 });
    const c = await open('/ws', { autoPong: false });
    const t = setInterval(() => c.ws.readyState === c.ws.OPEN && c.ws.pong('unrelated'), 10);
    await c.whenClosed;
    clearInterval(t);
    expect(sim.counters.missedPongCloses).toBe(1);
    expect(sim.counters.unsolicitedPongs).toBeGreaterThan(0);
  });

  it('closes a connection at the end of its lifetime', async () => {
    sim = await startVenueSim({ rate: 100, pingIntervalMs: 50, pongTimeoutMs: 1000, connectionLifetimeMs: 300 });
    const c = await open('/stream?streams=btcusdt@trade');
    const closed = await c.whenClosed;
    expect(closed.code).toBe(1000);
    expect(closed.atMs - c.openedAtMs).toBeGreaterThanOrEqual(280);
    expect(closed.atMs - c.openedAtMs).toBeLessThan(800);
    expect(sim.counters.lifetimeCloses).toBe(1);
    expect(sim.counters.missedPongCloses).toBe(0);
  });

  it('silence sends nothing (no trades, no pings) and loses no trade; then everything resumes', async () => {
    sim = await startVenueSim({ rate: 1000, pingIntervalMs: 30, pongTimeoutMs: 2000, connectionLifetimeMs: 0 });
    const s = sim;
    const c = await open('/stream?streams=btcusdt@trade');
    await waitFor(() => c.frames.length >= 20 && c.pings.length >= 2, 'trades and pings before silence');
    s.silence(400);
    const silencedAt = Date.now();
    await sleep(60); // frames already in flight drain
    const frames = c.frames.length;
    const pings = c.pings.length;
    const generated = s.stats().markets[0]?.generated;
    expect(s.stats().silenced).toBe(true);
    await sleep(250); // time passing: nothing may arrive
    expect(c.frames.length).toBe(frames);
    expect(c.pings.length).toBe(pings);
    expect(s.stats().markets[0]?.generated).toBe(generated);
    await waitFor(() => c.frames.length > frames + 20 && c.pings.length > pings, 'trades and pings after silence');
    expect((c.frameTimes[frames] as number) - silencedAt).toBeGreaterThanOrEqual(390);
    // no gap: ids continue and the record is exactly what was received
    s.pause();
    await waitFor(() => c.frames.length === s.recordCount(), 'client caught up with the record');
    const ids = c.frames.map((f) => Number((/"t":(\d+)/.exec(f) as RegExpExecArray)[1]));
    expect(ids).toEqual(ids.map((_, i) => 5_000_000_000 + i));
    expect(c.closed).toBeNull();
  });
});
