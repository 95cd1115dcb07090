import { startVenueSim, type VenueSim } from './simulator';
import { sleep, TestClient, tradeOf, waitFor } from './spec-helpers';
import { HOSTILE_KINDS } from './types';

describe('venue-sim fault switches', () => {
  let sim: VenueSim | undefined;
  const clients: TestClient[] = [];
  const open = async (path: string): Promise<TestClient> => {
    const c = await TestClient.open(`${(sim as VenueSim).url}${path}`);
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await sim?.close();
    sim = undefined;
  });

  it('injects each hostile kind, as specified, to every connection and records it apart', async () => {
    sim = await startVenueSim({ rate: 0, pingIntervalMs: 0, oversizeBytes: 300_000 });
    const s = sim;
    const raw = await open('/ws/btcusdt@trade');
    const combined = await open('/stream?streams=btcusdt@trade');
    for (const kind of HOSTILE_KINDS) expect(s.hostile(kind, 2)).toEqual({ kind, deliveries: 4, connections: 2 });
    const n = HOSTILE_KINDS.length * 2;
    await waitFor(() => raw.frames.length === n && combined.frames.length === n, 'all hostile frames');
    const oversizeAt = HOSTILE_KINDS.indexOf('oversize') * 2;
    combined.frames.forEach((f, i) => {
      // same content in both framings (oversize padding differs so that both frames are exactly oversizeBytes)
      if (i < oversizeAt || i > oversizeAt + 1) expect(f).toBe(`{"stream":"btcusdt@trade","data":${raw.frames[i]}}`);
    });
    const at = (kind: string, copy = 0): string => raw.frames[HOSTILE_KINDS.indexOf(kind as never) * 2 + copy] as string;
    const obj = (kind: string): Record<string, unknown> => JSON.parse(at(kind)) as Record<string, unknown>;
    expect(obj('non_numeric')['p']).toBe('abc');
    expect(obj('negative')['p']).toBe('-1.00000000');
    expect(obj('nan')['p']).toBe('NaN');
    expect(obj('infinity')['p']).toBe('Infinity');
    expect(obj('zero_size')['q']).toBe('0.00000000');
    expect(obj('huge_number')['p']).toBe('123456789012345678901234567890');
    expect(obj('future_time')['T']).toBe(4_070_908_800_000);
    expect(typeof obj('wrong_types')['p']).toBe('number');
    expect(obj('wrong_types')['t']).toBe('x');
    expect(obj('missing_field')).not.toHaveProperty('p');
    expect(obj('missing_field')).toMatchObject({ e: 'trade', s: 'BTCUSDT' });
    expect(obj('unknown_type')['e']).toBe('weird');
    expect(at('not_json')).toBe('{"e":"trade",');
    expect(Buffer.byteLength(at('oversize'))).toBe(300_000);
    expect(Buffer.byteLength(combined.frames[HOSTILE_KINDS.indexOf('oversize') * 2] as string)).toBe(300_000);
    expect(obj('oversize')).toMatchObject({ e: 'trade', s: 'BTCUSDT' });
    // ids count down below firstTradeId, never colliding with a genuine trade
    expect(obj('non_numeric')['t']).toBe(4_999_999_999);
    expect(s.recordCount()).toBe(0);
    expect(s.hostileRecord().length).toBe(HOSTILE_KINDS.length * 2 * 2); // per kind, copy, framing
    const summary = s.recordSummary()[0];
    expect(summary?.count).toBe(0);
    expect(summary?.hostile).toEqual(Object.fromEntries(HOSTILE_KINDS.map((k) => [k, 4])));
    expect(s.counters.hostileFramesSent).toBe(n * 2);
  });

  it('resend re-broadcasts the last trades, same ids and content, after the delay', async () => {
    sim = await startVenueSim({ rate: 2000, maxTrades: 100, pingIntervalMs: 0 });
    const s = sim;
    const c = await open('/stream?streams=btcusdt@trade');
    await waitFor(() => c.frames.length === 100, '100 trades');
    const t0 = Date.now();
    const handle = s.resend(5, 150);
    expect(handle.scheduled).toBe(5);
    await sleep(100); // time passing: nothing before the delay
    expect(c.frames.length).toBe(100);
    const report = await handle.done;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(145);
    expect(report).toEqual({ trades: 5, deliveries: 5 });
    await waitFor(() => c.frames.length === 105, 'resent frames');
    expect(c.frames.slice(100)).toEqual(c.frames.slice(95, 100));
    expect(c.frames.slice(100).map((f) => tradeOf(f)['t'])).toEqual([5000000095, 5000000096, 5000000097, 5000000098, 5000000099]);
    expect(s.recordCount()).toBe(100);
    expect(s.resendRecord().map((r) => r.tradeId)).toEqual(['5000000095', '5000000096', '5000000097', '5000000098', '5000000099']);
    expect(s.recordSummary()[0]?.resends).toBe(5);
  });

  it('drop terminates every connection abruptly; closeAll closes gracefully with the code', async () => {
    sim = await startVenueSim({ rate: 100, pingIntervalMs: 0 });
    const s = sim;
    const a = await open('/ws/btcusdt@trade');
    const b = await open('/ws/btcusdt@trade');
    expect(s.drop()).toBe(2);
    expect((await a.whenClosed).code).toBe(1006);
    expect((await b.whenClosed).code).toBe(1006);
    await waitFor(() => s.connectionCount === 0, 'server to forget the connections');
    const c = await open('/ws/btcusdt@trade');
    expect(s.closeAll(4000, 'maintenance')).toBe(1);
    expect(await c.whenClosed).toMatchObject({ code: 4000, reason: 'maintenance' });
    expect(() => s.closeAll(1005)).toThrow(RangeError);
    expect(s.counters).toMatchObject({ dropCloses: 2, closeAllCloses: 1 });
  });

  it('pause stops the market (pings go on), resume continues without a gap, setRate changes the rate', async () => {
    sim = await startVenueSim({ rate: 500, pingIntervalMs: 20, pongTimeoutMs: 1000 });
    const s = sim;
    const c = await open('/ws/btcusdt@trade');
    await waitFor(() => c.frames.length >= 10, 'trades');
    s.pause();
    await sleep(30);
    const frames = c.frames.length;
    const pings = c.pings.length;
    await sleep(150); // time passing: no trade while paused
    expect(c.frames.length).toBe(frames);
    expect(c.pings.length).toBeGreaterThan(pings);
    s.setRate(2000);
    s.resume();
    await waitFor(() => c.frames.length >= frames + 50, 'trades after resume');
    expect(s.stats().markets[0]?.rate).toBe(2000);
    s.pause();
    await waitFor(() => c.frames.length === s.recordCount(), 'client caught up');
    expect(c.frames.map((f) => tradeOf(f)['t'])).toEqual(c.frames.map((_, i) => 5_000_000_000 + i));
  });
});
