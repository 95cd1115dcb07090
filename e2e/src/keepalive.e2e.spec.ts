import { FeedStack } from '@feed/feed-stack';
import { waitFor } from '@feed/testing';
import { jetstream } from '@nats-io/jetstream';

/**
 * Binance's connection rules end to end, time-scaled (decision 12): the simulator pings every 200 ms and closes a
 * connection without a pong within 600 ms, and closes every connection after 3 s (Binance: 20 s, 1 min, 24 h).
 * Ingest must answer every ping, replace each connection before the cut-off with no gap, and replace a connection
 * that goes silent, flagging the stream stale meanwhile; the persisted trades still equal the simulator's record.
 */
async function tradeIds(stack: FeedStack): Promise<string[]> {
  const members = await stack.redis.zrange('feed:trades:BTC-USDT', '0', '-1');
  return members.map((m) => (JSON.parse(m.slice(m.indexOf('|') + 1)) as { tradeId: string }).tradeId);
}

interface SimStats {
  counters: Record<string, number>;
}

describe('venue keepalive, rotation and silence', () => {
  let stack: FeedStack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('answers pings and rotates before the connection lifetime with no trade lost or duplicated', async () => {
    const N = 5_000;
    stack = await FeedStack.start({ sim: { rate: 500, maxTrades: N, args: ['--ping-interval-ms', '200', '--pong-timeout-ms', '600', '--lifetime-ms', '3000'] } });
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    const ingest = await stack.startApp('ingest', { BINANCE_LIFETIME_MS: '3000', BINANCE_ROTATE_BEFORE_MS: '1500', BINANCE_SILENT_MS: '1500' });
    await stack.simClient.waitForCount(N, 60_000);
    await waitFor(async () => (await stack?.redis.zcard('feed:trades:BTC-USDT')) === N, { what: 'every trade persisted', timeoutMs: 30_000 });
    expect(await tradeIds(stack)).toEqual((await stack.simClient.record()).map((t) => t.tradeId));
    const stats = await stack.simClient.get<SimStats>('/stats');
    expect(stats.counters['missedPongCloses']).toBe(0);
    expect(stats.counters['pongsReceived']).toBeGreaterThan(20);
    // Every replacement happened by rotation, before the simulator's cut-off.
    expect(await stack.counter(ingest, 'feed_ingest_reconnects_total', { reason: 'rotation' })).toBeGreaterThanOrEqual(2);
    expect(await stack.counter(ingest, 'feed_ingest_reconnects_total', { reason: 'closed' })).toBe(0);
    expect(stats.counters['lifetimeCloses']).toBe(0);
  });

  it('flags a silent stream stale, replaces the connection, and loses nothing', async () => {
    const N = 3_000;
    stack = await FeedStack.start({ sim: { rate: 500, maxTrades: N } });
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    const ingest = await stack.startApp('ingest', { BINANCE_SILENT_MS: '800', BINANCE_STALE_AFTER_MS: '400', INGEST_HEARTBEAT_MS: '100' });
    await stack.simClient.waitForCount(1_000, 30_000);
    await stack.simClient.control('silence', { ms: 2_000 });
    await waitFor(async () => (await stack?.counter(ingest, 'feed_ingest_reconnects_total', { reason: 'silent' })) === 1, { what: 'silent connection replaced', timeoutMs: 10_000 });
    await stack.simClient.waitForCount(N, 60_000);
    await waitFor(async () => (await stack?.redis.zcard('feed:trades:BTC-USDT')) === N, { what: 'every trade persisted', timeoutMs: 30_000 });
    expect(await tradeIds(stack)).toEqual((await stack.simClient.record()).map((t) => t.tradeId));

    // Stale was never silent: the log holds the state changes live -> stale -> reconnecting -> live, in order.
    const js = jetstream(stack.nc);
    const consumer = await js.consumers.get('FEED_MD', { filter_subjects: 'feed.md.v1.status.BTC-USDT.binance' });
    const states: string[] = [];
    const total = (await stack.jsm.streams.info('FEED_MD', { subjects_filter: 'feed.md.v1.status.BTC-USDT.binance' })).state.subjects?.['feed.md.v1.status.BTC-USDT.binance'] ?? 0;
    let seen = 0;
    const iter = await consumer.consume();
    for await (const m of iter) {
      const ev = m.json<{ kind: string; state: string }>();
      if (ev.kind === 'change') states.push(ev.state);
      if (++seen >= total) break;
    }
    await iter.close();
    const afterFirstLive = states.slice(states.indexOf('live'));
    expect(afterFirstLive.slice(0, 4)).toEqual(['live', 'stale', 'reconnecting', 'live']);
    const status = await stack.redis.hgetall('feed:status:BTC-USDT:binance:trade');
    const mine = Object.entries(status).find(([k]) => !k.endsWith(':t'));
    expect(JSON.parse(mine?.[1] ?? '{}')).toMatchObject({ state: 'live', kind: 'heartbeat' });
  });
});
