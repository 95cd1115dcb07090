import { binance } from './protocols/binance';
import { registerProtocol } from './protocols/registry';
import { startVenueSim, type VenueSim } from './simulator';
import { sleep, TestClient, tradeOf, waitFor } from './spec-helpers';

describe('venue-sim limits, record bounds and several venues', () => {
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

  it('closes a connection sending more than the venue message limit per second (Binance: 5)', async () => {
    sim = await startVenueSim({ rate: 0, pingIntervalMs: 0 });
    const c = await open('/ws');
    for (let i = 1; i <= 6; i++) c.send(`{"method":"LIST_SUBSCRIPTIONS","id":${i}}`);
    expect((await c.whenClosed).code).toBe(1008);
    expect(c.frames).toEqual([1, 2, 3, 4, 5].map((i) => `{"result":[],"id":${i}}`));
    expect(sim.counters.rateLimitCloses).toBe(1);
  });

  it('keeps the record bounded by recordCap while counting everything sent', async () => {
    sim = await startVenueSim({ rate: 5000, maxTrades: 1200, recordCap: 500, pingIntervalMs: 0 });
    const s = sim;
    await open('/ws/btcusdt@trade');
    await waitFor(() => s.stats().markets[0]?.exhausted, 'exhausted');
    expect(s.recordCount()).toBe(1200);
    const held = s.record();
    expect(held.length).toBeLessThanOrEqual(500);
    expect(held.at(-1)).toMatchObject({ index: 1199, tradeId: '5000001199' });
    expect(s.recordPage(0, 2)[0]?.index).toBe(held[0]?.index);
    expect(s.recordSummary()[0]).toMatchObject({ count: 1200, firstTradeId: '5000000000', lastTradeId: '5000001199' });
  });

  it('generateWithoutSubscribers moves the market unseen; subscribers then see a jump in ids', async () => {
    sim = await startVenueSim({ rate: 1000, generateWithoutSubscribers: true, pingIntervalMs: 0 });
    const s = sim;
    await sleep(50); // time passing: trades happen with nobody connected
    expect(s.stats().markets[0]?.generated).toBeGreaterThan(0);
    expect(s.recordCount()).toBe(0);
    const c = await open('/ws/btcusdt@trade');
    await waitFor(() => c.frames.length > 0, 'a frame');
    expect(tradeOf(c.frames[0] as string)['t']).toBeGreaterThan(5_000_000_000);
    expect(s.record()[0]?.tradeId).toBe(String(tradeOf(c.frames[0] as string)['t']));
  });

  it('serves several venues on one port: /<venue>/... prefixes, one market and record per venue-symbol', async () => {
    registerProtocol({ ...binance, venue: 'fakevenue' });
    sim = await startVenueSim({ venues: ['binance', 'fakevenue'], rate: 1000, maxTrades: 10, pingIntervalMs: 0, symbolsByVenue: { fakevenue: ['ETHUSDT'] } });
    const s = sim;
    const root = await open('/ws/btcusdt@trade');
    const fake = await open('/fakevenue/ws/ethusdt@trade');
    const none = await open('/fakevenue/ws/btcusdt@trade'); // not traded at fakevenue: silent
    await waitFor(() => root.frames.length === 10 && fake.frames.length === 10, 'both venues');
    expect(none.frames).toEqual([]);
    expect(tradeOf(fake.frames[0] as string)['s']).toBe('ETHUSDT');
    expect(s.venues).toEqual(['binance', 'fakevenue']);
    expect(s.venueUrl('fakevenue')).toBe(`${s.url}/fakevenue`);
    expect(s.recordSummary().map((m) => [m.venue, m.symbol, m.count])).toEqual([
      ['binance', 'BTCUSDT', 10],
      ['fakevenue', 'ETHUSDT', 10],
    ]);
    expect(s.record('ETHUSDT', 'fakevenue')[0]?.tradeId).toBe('5000000000');
  });
});
