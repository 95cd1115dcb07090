import { canonicalText } from './decimal-text';
import { startVenueSim, type VenueSim } from './simulator';
import { TestClient, waitFor } from './spec-helpers';
import { VENUE_CASES, type VenueCase } from './venue-spec-cases';

type Obj = Record<string, unknown>;

/** Trade items and quotes a client received, in order. */
function parse(c: VenueCase, client: TestClient): { trades: Obj[]; quotes: Array<[string, string]>; data: string[] } {
  const trades: Obj[] = [];
  const quotes: Array<[string, string]> = [];
  const data: string[] = [];
  for (const f of client.frames) {
    if (f === 'pong') continue;
    const m = JSON.parse(f) as Obj;
    const t = c.trades(m);
    const q = t ? null : c.quote(m);
    if (t) trades.push(...t);
    if (q) quotes.push(q);
    if (t || q) data.push(f);
  }
  return { trades, quotes, data };
}

describe.each(VENUE_CASES.map((c) => [c.venue, c] as const))('venue protocol %s', (venue, c) => {
  let sim: VenueSim | undefined;
  const clients: TestClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((x) => x.close()));
    await sim?.close();
    sim = undefined;
  });

  it('documented subscribe -> documented trade and quote frames, identical on two clients, equal to the record', async () => {
    sim = await startVenueSim({ venues: [venue], rate: 400, maxTrades: 120, quoteRate: 200, pingIntervalMs: 0, heartbeatIntervalMs: 0, idleTimeoutMs: 0 });
    const s = sim;
    s.pause(); // both subscribe before the first trade
    for (let i = 0; i < 2; i++) {
      const client = await TestClient.open(`${s.venueUrl(venue)}${c.path}`);
      clients.push(client);
      for (const m of c.subscribe) client.send(m);
    }
    await waitFor(() => s.stats().markets[0]?.subscribers === 2, 'both subscribed');
    await waitFor(() => s.market(c.symbol, venue).quoteSubscribers.size === 2, 'both subscribed to quotes');
    s.resume();
    await waitFor(() => s.recordCount(c.symbol, venue) === 120, '120 trades');
    s.pause();
    const [a, b] = clients as [TestClient, TestClient];
    await waitFor(() => parse(c, a).trades.length === 120 && parse(c, b).trades.length === 120, 'all trades on both');
    const qCount = s.quoteRecordCount(c.symbol, venue);
    expect(qCount).toBeGreaterThan(5);
    await waitFor(() => parse(c, a).quotes.length === qCount && parse(c, b).quotes.length === qCount, 'all quotes on both');
    const pa = parse(c, a);
    expect(parse(c, b).data).toEqual(pa.data); // broadcast identically
    const record = s.record(c.symbol, venue);
    pa.trades.forEach((t, i) => {
      const [id, price, size] = c.checkTrade(t);
      const r = record[i];
      expect(r?.tradeId).toBe(id);
      expect(r?.price).toBe(canonicalText(price));
      expect(r?.qty).toBe(canonicalText(size));
      expect(r?.deliveredTo).toBe(2);
    });
    const quotes = s.quoteRecordPage(0, qCount, c.symbol, venue);
    pa.quotes.forEach(([bid, ask], i) => {
      expect(canonicalText(bid)).toBe(quotes[i]?.bid);
      expect(canonicalText(ask)).toBe(quotes[i]?.ask);
      expect(Number(bid)).toBeLessThan(Number(ask));
    });
    expect(quotes.every((q) => q.deliveredTo === 2)).toBe(true);
  });
});
