import { FeedStack } from '@feed/feed-stack';
import { waitFor } from '@feed/testing';

/**
 * Redundant ingest (issue 4): two ingest replicas subscribed to the same venue at the same time produce no duplicate
 * anywhere downstream (RAW msg-id dedupe, then the normalizer's and persister's own), and either can die without a
 * lost trade.
 */
const N = 6_000;

async function tradeIds(stack: FeedStack): Promise<string[]> {
  const members = await stack.redis.zrange('feed:trades:BTC-USDT', '0', '-1');
  return members.map((m) => (JSON.parse(m.slice(m.indexOf('|') + 1)) as { tradeId: string }).tradeId);
}

describe('two ingest replicas on the same venue', () => {
  let stack: FeedStack | undefined;
  afterAll(async () => stack?.stop());

  it('give exactly the simulator trades, once each, even when one replica is killed mid-stream', async () => {
    stack = await FeedStack.start({ sim: { rate: 1_000, maxTrades: N } });
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    const a = await stack.startApp('ingest');
    const b = await stack.startApp('ingest');
    await waitFor(async () => ((await stack?.redis.zcard('feed:trades:BTC-USDT')) ?? 0) >= N / 3, { what: 'a third persisted', timeoutMs: 30_000 });
    // Both replicas really carried the stream: each filed frames on RAW (most as duplicates of the other's).
    for (const ingest of [a, b]) expect(await stack.counter(ingest, 'feed_ingest_frames_total', { channel: 'trade' })).toBeGreaterThan(0);
    await stack.kill9(a);
    await stack.simClient.waitForCount(N, 60_000);
    await waitFor(async () => (await stack?.redis.zcard('feed:trades:BTC-USDT')) === N, { what: 'every trade persisted', timeoutMs: 30_000 });
    const ids = await tradeIds(stack);
    expect(ids).toEqual((await stack.simClient.record()).map((t) => t.tradeId));
    // The MD log holds each trade once: the second replica's copies were dropped on RAW by msg id.
    const md = await stack.jsm.streams.info('FEED_MD', { subjects_filter: 'feed.md.v1.trade.>' });
    expect(md.state.subjects?.['feed.md.v1.trade.BTC-USDT.binance']).toBe(N);
    expect(await stack.counter(b, 'feed_ingest_published_total', { outcome: 'duplicate' })).toBeGreaterThan(0);
  });
});
