import { FeedStack } from '@feed/feed-stack';
import { waitFor } from '@feed/testing';

/**
 * kill -9 mid-stream (no shutdown, no acks for the batch in hand), then a restart: the final state must still
 * hold exactly the simulator's trades, each once (hard rule 1: effectively once under crashes).
 */
const N = 20_000;

async function tradeIds(stack: FeedStack): Promise<string[]> {
  const members = await stack.redis.zrange('feed:trades:BTC-USDT', '0', '-1');
  return members.map((m) => String((JSON.parse(m.slice(m.indexOf('|') + 1)) as { tradeId: string }).tradeId));
}

async function runWithKill(target: 'persister' | 'normalizer'): Promise<void> {
  const stack = await FeedStack.start({ sim: { rate: 2_000, maxTrades: N } });
  try {
    await stack.startApp('persister');
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    await stack.startApp('normalizer');
    await stack.startApp('ingest');
    await waitFor(async () => (await stack.redis.zcard('feed:trades:BTC-USDT')) >= N / 4, { what: 'a quarter of the trades persisted', timeoutMs: 60_000 });
    // The normalizer that holds the lease is the one doing the work: kill that one.
    let victim = stack.apps[target][0];
    if (target === 'normalizer') {
      for (const n of stack.apps.normalizer) {
        const h = (await (await fetch(stack.url(n, '/health'))).json()) as { details?: { consumer?: { leader?: boolean } } };
        if (h.details?.consumer?.leader) victim = n;
      }
    }
    await stack.kill9(victim as NonNullable<typeof victim>);
    await stack.startApp(target);
    await stack.simClient.waitForCount(N, 90_000);
    const sent = (await stack.simClient.record()).map((t) => t.tradeId);
    await waitFor(async () => (await stack.redis.zcard('feed:trades:BTC-USDT')) >= N, { what: 'every trade persisted after the crash', timeoutMs: 90_000, intervalMs: 250 });
    const ids = await tradeIds(stack);
    expect(ids).toHaveLength(N);
    expect(new Set(ids).size).toBe(N);
    expect(ids).toEqual(sent);
    expect(await stack.redis.get('last_btc_price')).not.toBeNull();
  } finally {
    await stack.stop();
  }
}

describe('crash recovery', () => {
  it('kill -9 of a persister mid-stream, then restart: exact counts, no duplicate', async () => {
    await runWithKill('persister');
  });

  it('kill -9 of the active normalizer mid-stream, then restart: exact counts, no duplicate', async () => {
    await runWithKill('normalizer');
  });
});
