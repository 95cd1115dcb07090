import { EventLoopMonitor, Health } from './health';

const never = () => new Promise<boolean>(() => undefined);

function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // block the event loop on purpose
  }
}

describe('Health', () => {
  it('with no checks it is ok', async () => {
    await expect(new Health().live()).resolves.toEqual({ ok: true, checks: {} });
    await expect(new Health().ready()).resolves.toEqual({ ok: true, checks: {} });
  });

  it('ok only when every check is true; sync and async checks both count', async () => {
    let nats = true;
    const h = new Health()
      .addReadiness('nats', () => nats)
      .addReadiness('redis', async () => true);
    await expect(h.ready()).resolves.toEqual({ ok: true, checks: { nats: true, redis: true } });
    nats = false;
    await expect(h.ready()).resolves.toEqual({ ok: false, checks: { nats: false, redis: true } });
  });

  it('a check that throws or rejects counts as false', async () => {
    const h = new Health()
      .addLiveness('ok', () => true)
      .addLiveness('throws', () => {
        throw new Error('boom');
      })
      .addLiveness('rejects', () => Promise.reject(new Error('nope')));
    const r = await h.live();
    expect(r.checks).toEqual({ ok: true, throws: false, rejects: false });
    expect(r.ok).toBe(false);
  });

  it('a check that hangs counts as false after about a second, and the report still comes', async () => {
    const h = new Health().addReadiness('fast', () => true).addReadiness('hangs', never);
    const t0 = Date.now();
    const r = await h.ready();
    const took = Date.now() - t0;
    expect(r).toEqual({ ok: false, checks: { fast: true, hangs: false } });
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(2_000);
  });

  it('liveness and readiness are separate: a dependency down fails /ready, never /health', async () => {
    const h = new Health().addLiveness('event_loop', () => true).addReadiness('redis', () => false);
    expect((await h.live()).ok).toBe(true);
    expect((await h.ready()).ok).toBe(false);
  });

  it('details are reported beside the checks and never affect ok, even when they throw', async () => {
    const h = new Health()
      .addLiveness('loop', () => true)
      .addDetail('venues', () => ({ binance: 'stale', kraken: 'gap' }))
      .addDetail('broken', () => {
        throw new Error('no data');
      });
    const r = await h.live();
    expect(r).toEqual({ ok: true, checks: { loop: true }, details: { venues: { binance: 'stale', kraken: 'gap' }, broken: { error: 'no data' } } });
    const ready = await h.ready();
    expect(ready.ok).toBe(true);
    expect(ready.details).toEqual(r.details);
  });

  it('re-adding a check by name replaces it', async () => {
    const h = new Health().addLiveness('x', () => false).addLiveness('x', () => true);
    await expect(h.live()).resolves.toEqual({ ok: true, checks: { x: true } });
  });
});

describe('EventLoopMonitor', () => {
  const monitors: EventLoopMonitor[] = [];
  afterAll(() => monitors.forEach((m) => m.stop()));

  it('is responsive on an idle loop', async () => {
    const m = new EventLoopMonitor(20, 200);
    monitors.push(m);
    await new Promise((r) => setTimeout(r, 100));
    expect(m.responsive()).toBe(true);
    expect(m.lagMs()).toBeLessThan(200);
  });

  it('reports lag while the loop is blocked longer than maxLag, and recovers after', async () => {
    const m = new EventLoopMonitor(20, 200);
    monitors.push(m);
    await new Promise((r) => setTimeout(r, 60));
    busy(450);
    // Still inside the same turn: the timer could not fire, and the monitor sees how late it is.
    expect(m.lagMs()).toBeGreaterThanOrEqual(400);
    expect(m.responsive()).toBe(false);
    // The late tick records the lag...
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 0));
    // ...and a few normal ticks later it is responsive again.
    const t0 = Date.now();
    while (!m.responsive()) {
      if (Date.now() - t0 > 2_000) throw new Error(`still unresponsive, lag ${m.lagMs()} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(m.lagMs()).toBeLessThan(200);
  });

  it('a block shorter than maxLag stays responsive', () => {
    const m = new EventLoopMonitor(20, 500);
    monitors.push(m);
    busy(150);
    expect(m.responsive()).toBe(true);
  });

  it('stopping the timer counts as unresponsive once maxLag has passed', async () => {
    const m = new EventLoopMonitor(20, 150);
    m.stop();
    await new Promise((r) => setTimeout(r, 250));
    expect(m.responsive()).toBe(false);
  });
});
