import { FeedStack, WsClient } from '@feed/feed-stack';
import { waitFor } from '@feed/testing';

/**
 * Decision 2: dedupe does not rest on JetStream's duplicate window. With the window at 1 s, the simulator resends
 * 1,000 already-sent trades 3 s later: no duplicate may appear anywhere downstream (MD log, Redis, WebSocket).
 */
const N = 5_000;

describe('venue resends outside the JetStream duplicate window', () => {
  let stack: FeedStack;
  afterAll(async () => stack?.stop());

  it('creates no duplicate in the MD log, Redis or the WebSocket stream', async () => {
    stack = await FeedStack.start({ sim: { rate: 1_000, maxTrades: N }, streams: { duplicateWindowMs: 1_000 } });
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    await stack.startApp('api');
    const ws = await WsClient.connect(`${stack.apiUrl.replace('http', 'ws')}/v1/stream`);
    ws.send({ op: 'subscribe', channel: 'trades', symbol: 'BTC-USDT' });
    await waitFor(() => ws.frames.some((f) => f.type === 'subscribed'), { what: 'subscribed' });
    await stack.startApp('ingest');
    await stack.simClient.waitForCount(2_000, 30_000);
    await stack.simClient.control('resend', { count: 1_000, delayMs: 3_000 });
    await stack.simClient.waitForCount(N, 60_000);
    // The resend really happened and really reached ingest (RAW stored them: outside the 1 s window).
    await waitFor(async () => ((await stack.simClient.get<{ markets?: unknown }>('/record/resends?from=0&limit=1')) as { total: number }).total >= 1_000, {
      what: 'simulator resent 1,000 trades',
      timeoutMs: 20_000,
    });
    await waitFor(async () => (await stack.redis.zcard('feed:trades:BTC-USDT')) >= N && ws.trades.length >= N, { what: 'all trades through', timeoutMs: 60_000 });
    // Let the resent frames drain through every stage before counting (RAW fully consumed).
    // Delivered is not handled: also wait until nothing is awaiting an ack, and for the counter itself (deadline).
    await waitFor(
      async () => {
        const ci = await stack.jsm.consumers.info('FEED_RAW', 'feed_normalizer_main');
        return ci.num_pending === 0 && ci.num_ack_pending === 0;
      },
      { what: 'normalizer caught up', timeoutMs: 30_000 },
    );
    const norm = stack.apps.normalizer[0] as NonNullable<(typeof stack.apps.normalizer)[0]>;
    await waitFor(async () => (await stack.counter(norm, 'feed_normalizer_duplicates_total')) >= 1_000, { what: '1,000 resends counted as duplicates', timeoutMs: 20_000 }).catch(() => undefined);
    expect(await stack.counter(norm, 'feed_normalizer_duplicates_total')).toBe(1_000);

    const sent = (await stack.simClient.record()).map((t) => t.tradeId);
    const members = await stack.redis.zrange('feed:trades:BTC-USDT', '0', '-1');
    expect(members).toHaveLength(N);
    expect(members.map((m) => (JSON.parse(m.slice(m.indexOf('|') + 1)) as { tradeId: string }).tradeId)).toEqual(sent);
    const md = await stack.jsm.streams.info('FEED_MD', { subjects_filter: 'feed.md.v1.trade.>' });
    expect(md.state.subjects?.['feed.md.v1.trade.BTC-USDT.binance']).toBe(N);
    expect(ws.trades.map((t) => t.tradeId)).toEqual(sent);
    ws.close();
  });
});
