import WebSocket from 'ws';
import { startVenueSim, type VenueSim } from './simulator';
import { getJson, postJson, sleep, TestClient, waitFor } from './spec-helpers';
import { VENUE_CASES } from './venue-spec-cases';

type Obj = Record<string, unknown>;

/** Per venue: the REST recent-trades path and the trade ids of its answer. */
const REST: Record<string, { path: string; ids: (body: unknown) => string[] }> = {
  binance: { path: '/api/v3/trades?symbol=BTCUSDT&limit=100', ids: (b) => (b as Obj[]).map((t) => String(t['id'])) },
  coinbase: { path: '/api/v3/brokerage/market/products/BTC-USD/ticker?limit=100', ids: (b) => ((b as Obj)['trades'] as Obj[]).map((t) => t['trade_id'] as string).reverse() },
  kraken: { path: '/0/public/Trades?pair=XBTUSD&count=100', ids: (b) => (((b as Obj)['result'] as Obj)['XXBTZUSD'] as unknown[][]).map((t) => String(t[6])) },
  bitstamp: { path: '/api/v2/transactions/btcusd/?time=minute', ids: (b) => (b as Obj[]).map((t) => t['tid'] as string).reverse() },
  okx: { path: '/api/v5/market/trades?instId=BTC-USDT&limit=100', ids: (b) => ((b as Obj)['data'] as Obj[]).map((t) => t['tradeId'] as string).reverse() },
  bybit: { path: '/v5/market/recent-trade?category=spot&symbol=BTCUSDT&limit=60', ids: (b) => (((b as Obj)['result'] as Obj)['list'] as Obj[]).map((t) => t['execId'] as string).reverse() },
};

describe('stream faults: gap, stallHeartbeats, reject429, REST repair', () => {
  let sim: VenueSim | undefined;
  const clients: TestClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await sim?.close();
    sim = undefined;
  });

  it.each(VENUE_CASES.map((c) => [c.venue, c] as const))('%s: gap skips ids the client can see; REST returns them', async (venue, c) => {
    sim = await startVenueSim({ venues: [venue], rate: 400, maxTrades: 50, pingIntervalMs: 0, heartbeatIntervalMs: 0, idleTimeoutMs: 0 });
    const s = sim;
    s.pause();
    const client = await TestClient.open(`${s.venueUrl(venue)}${c.path}`);
    clients.push(client);
    for (const m of c.subscribe) client.send(m);
    await waitFor(() => s.stats().markets[0]?.subscribers === 1, 'subscribed');
    expect((await postJson(`${s.controlUrl}/control/gap`, { count: 3 })).body).toEqual({ ok: true, count: 3, markets: 1 });
    s.resume();
    await waitFor(() => s.stats().markets[0]?.exhausted, 'exhausted');
    await waitFor(() => client.frames.filter((f) => f !== 'pong' && c.trades(JSON.parse(f) as Obj) !== null).length > 0 && s.recordCount(c.symbol, venue) === 47, 'record');
    const received = (): string[] => client.frames.flatMap((f) => (f === 'pong' ? [] : (c.trades(JSON.parse(f) as Obj) ?? []).map((t) => c.checkTrade(t)[0])));
    await waitFor(() => received().length === 47, '47 trades received');
    const skipped = ['5000000000', '5000000001', '5000000002'];
    expect(received()[0]).toBe('5000000003');
    expect(s.gapRecord().map((g) => g.tradeId)).toEqual(skipped);
    expect(s.record(c.symbol, venue).map((r) => r.tradeId)).toEqual(received());
    expect((await getJson(`${s.controlUrl}/record/gaps`)).body).toMatchObject({ total: 3 });
    const rest = REST[venue] as { path: string; ids: (b: unknown) => string[] };
    const res = await fetch(`${s.controlUrl}/${venue}${rest.path}`);
    expect(res.status).toBe(200);
    const ids = rest.ids(await res.json());
    expect(ids.slice(-50)).toEqual(Array.from({ length: 50 }, (_, i) => String(5_000_000_000 + i)).slice(-ids.length));
    if (venue === 'coinbase') {
      // sequence_num: the messages lost to the gap (one per engine tick it spanned, 1..3) leave one jump
      const seqs = client.frames.map((f) => (JSON.parse(f) as Obj)['sequence_num'] as number);
      const jumps = seqs.slice(1).filter((n, i) => n !== (seqs[i] as number) + 1);
      expect(jumps.length).toBe(1);
      const missing = (seqs[seqs.length - 1] as number) + 1 - seqs.length;
      expect(missing).toBeGreaterThanOrEqual(1);
      expect(missing).toBeLessThanOrEqual(3);
    }
  });

  it('stallHeartbeats stops Kraken and Coinbase heartbeats while trades continue', async () => {
    sim = await startVenueSim({ venues: ['kraken', 'coinbase'], rate: 0, heartbeatIntervalMs: 30 });
    const s = sim;
    const k = await TestClient.open(`${s.venueUrl('kraken')}/v2`);
    const cb = await TestClient.open(s.venueUrl('coinbase'));
    clients.push(k, cb);
    cb.send('{"type":"subscribe","channel":"heartbeats"}');
    cb.send('{"type":"subscribe","product_ids":["BTC-USD"],"channel":"market_trades"}');
    const hb = (): number => k.frames.filter((f) => f === '{"channel":"heartbeat"}').length + cb.frames.filter((f) => f.includes('"channel":"heartbeats"')).length;
    await waitFor(() => hb() >= 6, 'heartbeats');
    expect((await postJson(`${s.controlUrl}/control/stallHeartbeats`, { ms: 400 })).body).toEqual({ ok: true, stalledForMs: 400 });
    s.setRate(100, 'BTC-USD', 'coinbase');
    await sleep(60);
    const during = hb();
    const trades = cb.frames.length;
    await sleep(250); // time passing: no heartbeat may arrive, trades do
    expect(hb()).toBe(during);
    expect(cb.frames.length).toBeGreaterThan(trades + 5);
    await waitFor(() => hb() > during + 2, 'heartbeats after the stall');
  });

  it('reject429 refuses the next upgrades with 429 and Retry-After, then accepts', async () => {
    sim = await startVenueSim({ rate: 0, pingIntervalMs: 0 });
    const s = sim;
    expect((await postJson(`${s.controlUrl}/control/reject429`, { count: 2, retryAfterS: 7 })).body).toEqual({ ok: true, count: 2, retryAfterS: 7 });
    const attempt = (): Promise<{ status: number; retryAfter: string | undefined }> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${s.url}/ws/btcusdt@trade`);
        ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
        ws.on('open', () => (ws.terminate(), resolve({ status: 101, retryAfter: undefined })));
        ws.on('error', (e) => (e.message.includes('Unexpected') ? undefined : reject(e)));
      });
    expect(await attempt()).toEqual({ status: 429, retryAfter: '7' });
    expect(await attempt()).toEqual({ status: 429, retryAfter: '7' });
    expect(await attempt()).toEqual({ status: 101, retryAfter: undefined });
    expect(s.counters).toMatchObject({ rejected429: 2, upgradesRejected: 2 });
  });

  it('records quotes (GET /record?channel=quote) with update ids where the venue has them; quoteRate switch', async () => {
    sim = await startVenueSim({ venues: ['binance', 'kraken'], rate: 50, quoteRate: 100, pingIntervalMs: 0 });
    const s = sim;
    const c = await TestClient.open(`${s.url}/ws/btcusdt@bookTicker`);
    clients.push(c);
    await waitFor(() => c.frames.length >= 10, 'quotes');
    expect((await postJson(`${s.controlUrl}/control/quoteRate`, { rate: 0 })).body).toEqual({ ok: true, quoteRate: 0 });
    await sleep(30);
    const count = s.quoteRecordCount();
    await waitFor(() => c.frames.length === count, 'client caught up');
    const page = await getJson(`${s.controlUrl}/record?channel=quote&limit=5`);
    expect(page.body).toMatchObject({ venue: 'binance', symbol: 'BTCUSDT', channel: 'quote', count });
    const first = (page.body['quotes'] as Obj[])[0] as Obj;
    const frame = JSON.parse(c.frames[0] as string) as Obj;
    expect(frame).toEqual({ u: Number(first['updateId']), s: 'BTCUSDT', b: first['bidRaw'], B: first['bidQtyRaw'], a: first['askRaw'], A: first['askQtyRaw'] });
    expect(s.recordCount()).toBe(0); // no trade subscriber, no trade
    expect((await getJson(`${s.controlUrl}/record?channel=book`)).status).toBe(400);
  });

  it('restReject429 refuses the next REST trade requests with 429 and Retry-After, then answers again', async () => {
    sim = await startVenueSim({ venues: ['binance'], rate: 50, maxTrades: 5, pingIntervalMs: 0 });
    const s = sim;
    expect((await postJson(`${s.controlUrl}/control/restReject429`, { count: 2, retryAfterS: 3 })).body).toEqual({ ok: true, count: 2, retryAfterS: 3 });
    const url = `${s.controlUrl}/binance/api/v3/trades?symbol=BTCUSDT&limit=10`;
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(url);
      await r.text();
      answers.push([r.status, r.headers.get('retry-after')]);
    }
    expect(answers).toEqual([
      [429, '3'],
      [429, '3'],
      [200, null],
    ]);
    expect(s.stats().counters).toMatchObject({ restRequests: 3, restRejected: 2 });
  });

  it('gapOne withholds trades from the oldest subscriber and delivers them late to the others; the record has them', async () => {
    sim = await startVenueSim({ venues: ['binance'], rate: 200, maxTrades: 30, pingIntervalMs: 0 });
    const s = sim;
    s.pause();
    const a = await TestClient.open(`${s.url}/ws/btcusdt@trade`);
    const b = await TestClient.open(`${s.url}/ws/btcusdt@trade`);
    clients.push(a, b);
    await waitFor(() => s.stats().markets[0]?.subscribers === 2, 'both subscribed');
    expect((await postJson(`${s.controlUrl}/control/gapOne`, { count: 3, delayMs: 100 })).body).toEqual({ ok: true, count: 3, delayMs: 100, markets: 1 });
    s.resume();
    const ids = (c: TestClient): string[] => c.frames.map((f) => String((JSON.parse(f) as Obj)['t']));
    await waitFor(() => ids(a).length === 27 && ids(b).length === 30, 'a: 27 trades, b: all 30');
    const withheld = ids(b).filter((id) => !ids(a).includes(id));
    expect(withheld).toHaveLength(3);
    // b got them late: after newer ids.
    expect(ids(b).indexOf(withheld[0] as string)).toBeGreaterThan(ids(b).indexOf(ids(a)[3] as string));
    expect(s.recordCount()).toBe(30);
  });
});

