import { FeedStack } from '@feed/feed-stack';
import { waitFor } from '@feed/testing';

/**
 * Each venue end to end through all four apps (issue 4): the simulator speaks the venue's documented protocol
 * (subscribe messages, keepalive, batching), ingest's adapter and the normalizer's mapper for that venue carry its
 * trades and best bid/ask to Redis, and what arrives equals the simulator's own record: every trade once, the
 * latest quote the last one sent.
 */
const VENUES: Array<{ venue: string; native: string; symbol: string }> = [
  { venue: 'binance', native: 'BTCUSDT', symbol: 'BTC-USDT' },
  { venue: 'coinbase', native: 'BTC-USD', symbol: 'BTC-USD' },
  { venue: 'kraken', native: 'BTC/USD', symbol: 'BTC-USD' },
  { venue: 'bitstamp', native: 'btcusd', symbol: 'BTC-USD' },
  { venue: 'okx', native: 'BTC-USDT', symbol: 'BTC-USDT' },
  { venue: 'bybit', native: 'BTCUSDT', symbol: 'BTC-USDT' },
];
const N = 600;

interface QuoteRecord {
  bid?: string;
  ask?: string;
  bidPrice?: string;
  askPrice?: string;
}

describe.each(VENUES)('$venue end to end', ({ venue, native, symbol }) => {
  let stack: FeedStack | undefined;
  afterAll(async () => stack?.stop());

  it('delivers every simulated trade once and the latest best bid/ask', async () => {
    stack = await FeedStack.start({
      sim: { rate: 200, maxTrades: N, args: ['--venues', venue, '--venue-symbols', `${venue}=${native}`, '--quote-rate', '50'] },
    });
    const V = venue.toUpperCase();
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    await stack.startApp('ingest', { INGEST_VENUES: venue, [`${V}_URL`]: `${stack.simUrl}/${venue}`, [`${V}_SYMBOLS`]: symbol, [`${V}_CHANNELS`]: 'trade,quote' });
    await stack.simClient.waitForCount(N, 60_000, native, venue);
    const record = await stack.simClient.record(native, venue);
    const sent = record.map((t) => t.tradeId);
    expect(sent).toHaveLength(N);
    await waitFor(async () => (await stack?.redis.zcard(`feed:trades:${symbol}`)) === N, { what: `${N} ${venue} trades persisted`, timeoutMs: 30_000 });
    const members = await stack.redis.zrange(`feed:trades:${symbol}`, '0', '-1');
    const stored = members.map((m) => JSON.parse(m.slice(m.indexOf('|') + 1)) as { tradeId: string; venue: string; price: string; size: string; side: string });
    expect(new Set(stored.map((t) => t.tradeId)).size).toBe(N);
    expect(stored.map((t) => t.tradeId).sort()).toEqual([...sent].sort());
    expect(stored.every((t) => t.venue === venue)).toBe(true);
    // Exact prices and sizes, and the TAKER side whatever the venue reports (maker side, flag, or taker side).
    const byId = new Map(stored.map((t) => [t.tradeId, t]));
    for (const t of record) {
      expect(byId.get(t.tradeId)).toMatchObject({ price: t.price, size: t.qty, side: t.buyerIsMaker ? 'sell' : 'buy' });
    }

    // Quotes: the projection holds the last quote the simulator sent (once the pipeline has drained).
    await stack.simClient.control('pause');
    const quotes = await stack.simClient.get<{ quotes?: QuoteRecord[]; trades?: QuoteRecord[]; count: number }>(
      `/record?venue=${venue}&symbol=${encodeURIComponent(native)}&channel=quote&from=0&limit=1`,
    );
    expect(quotes.count).toBeGreaterThan(0);
    const lastPage = await stack.simClient.get<{ quotes?: QuoteRecord[]; trades?: QuoteRecord[] }>(
      `/record?venue=${venue}&symbol=${encodeURIComponent(native)}&channel=quote&from=${quotes.count - 1}&limit=1`,
    );
    const last = (lastPage.quotes ?? lastPage.trades ?? [])[0] as QuoteRecord;
    await waitFor(
      async () => {
        const v = await stack?.redis.hget(`feed:latest:quote:${symbol}:${venue}`, 'v');
        if (!v) return false;
        const q = JSON.parse(v) as { bidPrice: string; askPrice: string };
        return q.bidPrice === (last.bidPrice ?? last.bid) && q.askPrice === (last.askPrice ?? last.ask);
      },
      { what: `latest ${venue} quote equals the last one sent`, timeoutMs: 20_000 },
    );
  });
});
