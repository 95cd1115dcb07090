import { startVenueSim, type VenueSim } from './simulator';
import { getJson, postJson, TestClient, waitFor } from './spec-helpers';

describe('venue-sim control API', () => {
  let sim: VenueSim;
  let client: TestClient;
  beforeAll(async () => {
    sim = await startVenueSim({ rate: 1000, maxTrades: 250, pingIntervalMs: 0, symbols: ['BTCUSDT', 'ETHUSDT'] });
    client = await TestClient.open(`${sim.url}/stream?streams=btcusdt@trade`);
    await waitFor(() => sim.recordCount() === 250 && client.frames.length === 250, '250 trades');
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });
  const url = (path: string): string => `${sim.controlUrl}${path}`;

  it('serves health, stats, a paged record and a summary', async () => {
    expect(await getJson(url('/health'))).toEqual({ status: 200, body: { status: 'ok', venues: ['binance'] } });
    const stats = await getJson(url('/stats'));
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ venues: ['binance'], connections: 1, paused: false, counters: { connectionsOpened: 1, tradeFramesSent: 250 } });
    expect(stats.body['markets']).toEqual([
      expect.objectContaining({ symbol: 'BTCUSDT', generated: 250, sent: 250, exhausted: true, subscribers: 1, lastTradeId: '5000000249' }),
      expect.objectContaining({ symbol: 'ETHUSDT', generated: 0, sent: 0, subscribers: 0, lastTradeId: null }),
    ]);
    const page = await getJson(url('/record?symbol=BTCUSDT&from=240&limit=5'));
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ venue: 'binance', symbol: 'BTCUSDT', count: 250, from: 240, nextFrom: 245 });
    expect(page.body['trades']).toEqual(sim.recordPage(240, 5));
    const trades = page.body['trades'] as Array<Record<string, unknown>>;
    expect(trades[0]).toMatchObject({ index: 240, tradeId: '5000000240', deliveredTo: 1 });
    expect(trades[0]?.['priceRaw']).toMatch(/^\d+\.\d{8}$/);
    const all: unknown[] = [];
    for (let from = 0; ; ) {
      const p = await getJson(url(`/record?from=${from}&limit=100`));
      const got = p.body['trades'] as unknown[];
      if (got.length === 0) break;
      all.push(...got);
      from = p.body['nextFrom'] as number;
    }
    expect(all).toEqual(sim.record());
    const summary = await getJson(url('/record/summary'));
    expect(summary.body['markets']).toEqual([
      { venue: 'binance', symbol: 'BTCUSDT', count: 250, firstTradeId: '5000000000', lastTradeId: '5000000249', lastPrice: sim.record().at(-1)?.price, resends: 0, hostile: {} },
      { venue: 'binance', symbol: 'ETHUSDT', count: 0, firstTradeId: null, lastTradeId: null, lastPrice: null, resends: 0, hostile: {} },
    ]);
  });

  it('runs switches from POST /control/<switch>', async () => {
    expect(await postJson(url('/control/pause'), {})).toEqual({ status: 200, body: { ok: true, paused: true } });
    expect(sim.paused).toBe(true);
    expect((await postJson(url('/control/resume'), undefined, '')).body).toEqual({ ok: true, paused: false });
    expect((await postJson(url('/control/setRate'), { rate: 42, symbol: 'ETHUSDT' })).status).toBe(200);
    expect(sim.stats().markets.map((m) => m.rate)).toEqual([1000, 42]);
    expect((await postJson(url('/control/hostile'), { kind: 'nan', count: 3 })).body).toEqual({ ok: true, kind: 'nan', deliveries: 3, connections: 1 });
    await waitFor(() => client.frames.length === 253, 'hostile frames');
    expect(client.frames.slice(250).every((f) => f.includes('"p":"NaN"'))).toBe(true);
    expect((await getJson(url('/record/hostile'))).body).toMatchObject({ total: 3 });
    expect((await postJson(url('/control/resend'), { count: 2, delayMs: 10 })).body).toEqual({ ok: true, scheduled: 2, delayMs: 10 });
    await waitFor(() => client.frames.length === 255, 'resent frames');
    expect((await getJson(url('/record/resends'))).body).toMatchObject({ total: 2 });
    expect((await postJson(url('/control/silence'), { ms: 1 })).body).toEqual({ ok: true, silencedForMs: 1 });
    expect((await postJson(url('/control/close-all'), { code: 4001, reason: 'bye' })).body).toEqual({ ok: true, closed: 1 });
    expect(await client.whenClosed).toMatchObject({ code: 4001, reason: 'bye' });
    expect((await postJson(url('/control/drop'), {})).body).toEqual({ ok: true, dropped: 0 });
  });

  it('answers 400 with a JSON error on bad input, 404 and 405 on wrong routes', async () => {
    const bad: Array<[string, unknown, string?]> = [
      ['/control/silence', {}],
      ['/control/silence', { ms: -1 }],
      ['/control/silence', { ms: '100' }],
      ['/control/silence', { ms: 100, extra: 1 }],
      ['/control/rate', { rate: 'fast' }],
      ['/control/rate', { rate: 10, symbol: 'DOGEUSDT' }],
      ['/control/hostile', { kind: 'evil' }],
      ['/control/hostile', { kind: 'nan', count: 0 }],
      ['/control/hostile', { kind: 'nan', symbol: 'NOPE' }],
      ['/control/resend', { count: 1.5 }],
      ['/control/closeAll', { code: 1005 }],
      ['/control/pause', [1, 2]],
      ['/control/pause', null, '{not json'],
    ];
    for (const [path, body, raw] of bad) {
      const r = await postJson(url(path), body, raw);
      expect({ path, status: r.status, error: typeof r.body['error'] }).toEqual({ path, status: 400, error: 'string' });
    }
    for (const q of ['/record?from=-1', '/record?limit=0', '/record?limit=10001', '/record?symbol=NOPE', '/record?venue=kraken', '/record?frm=1']) {
      const r = await getJson(url(q));
      expect({ q, status: r.status, error: typeof r.body['error'] }).toEqual({ q, status: 400, error: 'string' });
    }
    expect((await postJson(url('/control/explode'), {})).status).toBe(404);
    expect((await getJson(url('/nothing'))).status).toBe(404);
    expect((await getJson(url('/control/pause'))).status).toBe(405);
    expect((await postJson(url('/stats'), {})).status).toBe(405);
    expect(sim.paused).toBe(false);
  });
});
