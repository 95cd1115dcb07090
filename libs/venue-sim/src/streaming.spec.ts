import * as net from 'node:net';
import { startVenueSim, type VenueSim } from './simulator';
import { TestClient, tradeOf, waitFor } from './spec-helpers';

const TRADE_TEXT_RE = /^\{"e":"trade","E":\d{13},"s":"BTCUSDT","t":\d+,"p":"\d+\.\d{8}","q":"\d+\.\d{8}","T":\d{13},"m":(true|false),"M":true\}$/;

describe('venue-sim streaming (Binance)', () => {
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

  it('combined and raw paths give Binance-shaped frames', async () => {
    sim = await startVenueSim({ rate: 500, pingIntervalMs: 0 });
    const combined = await open('/stream?streams=btcusdt@trade');
    const raw = await open('/ws/btcusdt@trade');
    await waitFor(() => combined.frames.length >= 20 && raw.frames.length >= 20, '20 frames on each');
    for (const f of combined.frames) {
      const m = /^\{"stream":"btcusdt@trade","data":(.*)\}$/.exec(f);
      expect(m).not.toBeNull();
      expect((m as RegExpExecArray)[1]).toMatch(TRADE_TEXT_RE);
    }
    for (const f of raw.frames) expect(f).toMatch(TRADE_TEXT_RE);
    const first = tradeOf(combined.frames[0] as string);
    expect(first['t']).toBe(5_000_000_000);
    expect(first['E']).toBeGreaterThanOrEqual(first['T'] as number);
    // the venue prefix path reaches the same market
    const prefixed = await open('/binance/ws/btcusdt@trade');
    await waitFor(() => prefixed.frames.length > 0, 'a frame on /binance/ws');
    expect(prefixed.frames[0]).toMatch(TRADE_TEXT_RE);
  });

  it('two connections receive byte-identical frames and the record equals what each received', async () => {
    sim = await startVenueSim({ rate: 2000, maxTrades: 1500, pingIntervalMs: 0 });
    const s = sim;
    s.pause(); // both subscribe before the first trade
    const a = await open('/stream?streams=btcusdt@trade');
    const b = await open('/stream?streams=btcusdt@trade');
    const c = await open('/ws/btcusdt@trade');
    s.resume();
    await waitFor(() => s.recordCount() === 1500, 'market to reach maxTrades');
    await waitFor(() => a.frames.length === 1500 && b.frames.length === 1500 && c.frames.length === 1500, 'all frames on every client');
    expect(b.frames).toEqual(a.frames); // same framing: byte-identical
    expect(c.frames).toEqual(a.frames.map((f) => f.slice('{"stream":"btcusdt@trade","data":'.length, -1)));
    const record = s.record();
    expect(record.length).toBe(1500);
    const received = a.frames.map(tradeOf);
    record.forEach((r, i) => {
      const t = received[i] as Record<string, unknown>;
      expect(r.index).toBe(i);
      expect(String(t['t'])).toBe(r.tradeId);
      expect(t['p']).toBe(r.priceRaw);
      expect(t['q']).toBe(r.qtyRaw);
      expect(t['T']).toBe(r.tradeTimeMs);
      expect(t['E']).toBe(r.eventTimeMs);
      expect(t['m']).toBe(r.buyerIsMaker);
      expect(r.price).toBe(r.priceRaw.replace(/0+$/, '').replace(/\.$/, ''));
      expect(r.qty).toBe(r.qtyRaw.replace(/0+$/, '').replace(/\.$/, ''));
      expect(r.deliveredTo).toBe(3);
    });
  });

  it("writes a tick's frames to each connection in one socket write, not one write per frame", async () => {
    // 40 trades per 20 ms tick, 10 ticks. Counted on the socket's write path, where the frames leave the process.
    sim = await startVenueSim({ rate: 2000, tickMs: 20, maxTrades: 400, pingIntervalMs: 0 });
    const s = sim;
    s.pause();
    const a = await open('/ws/btcusdt@trade');
    const b = await open('/stream?streams=btcusdt@trade');
    const proto = net.Socket.prototype as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
    const original = { w: proto._write, wv: proto._writev };
    let writes = 0;
    proto._write = function (this: unknown, ...args: unknown[]) {
      writes++;
      return original.w.apply(this, args);
    };
    proto._writev = function (this: unknown, ...args: unknown[]) {
      writes++;
      return original.wv.apply(this, args);
    };
    try {
      s.resume();
      await waitFor(() => a.frames.length === 400 && b.frames.length === 400, '400 frames on each client');
    } finally {
      proto._write = original.w;
      proto._writev = original.wv;
    }
    // Two connections x ~10 ticks (a late timer merges ticks, never splits one); one write per frame would be 800.
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(2 * 12);
  });

  it('stops at exactly maxTrades, with ids +1 from firstTradeId', async () => {
    sim = await startVenueSim({ rate: 5000, maxTrades: 777, pingIntervalMs: 0 });
    const s = sim;
    const c = await open('/ws/btcusdt@trade');
    await waitFor(() => s.stats().markets[0]?.exhausted, 'market exhausted');
    await waitFor(() => c.frames.length === 777, '777 frames');
    await new Promise((r) => setTimeout(r, 100)); // time passing: nothing more may come
    expect(c.frames.length).toBe(777);
    expect(s.recordCount()).toBe(777);
    expect(c.frames.map((f) => tradeOf(f)['t'])).toEqual(Array.from({ length: 777 }, (_, i) => 5_000_000_000 + i));
  });

  it('writes ids above 2^53 exactly into the frame text', async () => {
    sim = await startVenueSim({ rate: 1000, maxTrades: 5, firstTradeId: 9007199254740993n, pingIntervalMs: 0 });
    const c = await open('/ws/btcusdt@trade');
    await waitFor(() => c.frames.length === 5, '5 frames');
    const ids = c.frames.map((f) => (/"t":(\d+),/.exec(f) as RegExpExecArray)[1]);
    expect(ids).toEqual(['9007199254740993', '9007199254740994', '9007199254740995', '9007199254740996', '9007199254740997']);
    expect(sim.record().map((r) => r.tradeId)).toEqual(ids);
    expect(sim.recordSummary()[0]).toMatchObject({ count: 5, firstTradeId: '9007199254740993', lastTradeId: '9007199254740997' });
  });

  it('generates nothing without subscribers, and supports live SUBSCRIBE / UNSUBSCRIBE', async () => {
    sim = await startVenueSim({ rate: 1000, symbols: ['BTCUSDT', 'ETHUSDT'], pingIntervalMs: 0 });
    const s = sim;
    const c = await open('/stream');
    await new Promise((r) => setTimeout(r, 50)); // time passing: no subscriber, no trade
    expect(s.stats().markets.map((m) => m.generated)).toEqual([0, 0]);
    c.send('{"method":"SUBSCRIBE","params":["ethusdt@trade"],"id":1}');
    await waitFor(() => c.frames.length >= 10, 'eth frames');
    expect(c.frames[0]).toBe('{"result":null,"id":1}');
    expect(c.frames.slice(1).every((f) => f.startsWith('{"stream":"ethusdt@trade","data":{"e":"trade"'))).toBe(true);
    expect(s.stats().markets[0]?.generated).toBe(0);
    c.send('{"method":"UNSUBSCRIBE","params":["ethusdt@trade"],"id":2}');
    await waitFor(() => c.frames.includes('{"result":null,"id":2}'), 'unsubscribe reply');
    const after = c.frames.length;
    const generated = s.stats().markets[1]?.generated;
    await new Promise((r) => setTimeout(r, 50));
    expect(c.frames.length).toBe(after);
    expect(s.stats().markets[1]?.generated).toBe(generated);
    expect(s.recordCount('ETHUSDT')).toBe(generated);
  });

  it('closes a connection that sends a malformed message, and refuses bad paths', async () => {
    sim = await startVenueSim({ pingIntervalMs: 0 });
    const c = await open('/ws');
    c.send('{"method":');
    const closed = await c.whenClosed;
    expect(closed.code).toBe(1008);
    expect(sim.counters.malformedCloses).toBe(1);
    await expect(TestClient.open(`${sim.url}/nope`)).rejects.toThrow('404');
    await expect(TestClient.open(`${sim.url}/ws/BTCUSDT@trade`)).rejects.toThrow('400');
  });
});
