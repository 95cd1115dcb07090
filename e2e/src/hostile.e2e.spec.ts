import { FeedStack } from '@feed/feed-stack';
import { waitFor } from '@feed/testing';

/**
 * Hard rule 3: venue input is hostile. Every kind of bad frame is refused and counted with its reason, no app
 * crashes or stalls, and every good trade around the bad ones arrives.
 */
const KINDS: Array<{ kind: string; stage: 'normalizer' | 'ingest'; reason: string }> = [
  { kind: 'non_numeric', stage: 'normalizer', reason: 'bad_decimal' },
  { kind: 'negative', stage: 'normalizer', reason: 'not_positive' },
  { kind: 'nan', stage: 'normalizer', reason: 'bad_decimal' },
  { kind: 'infinity', stage: 'normalizer', reason: 'bad_decimal' },
  { kind: 'zero_size', stage: 'normalizer', reason: 'not_positive' },
  { kind: 'wrong_types', stage: 'normalizer', reason: 'wrong_type' },
  { kind: 'missing_field', stage: 'normalizer', reason: 'missing_field' },
  { kind: 'not_json', stage: 'normalizer', reason: 'bad_json' },
  { kind: 'future_time', stage: 'normalizer', reason: 'future_time' },
  { kind: 'oversize', stage: 'ingest', reason: 'oversize' },
];
const EACH = 3;
const N = 6_000;

describe('hostile venue frames', () => {
  let stack: FeedStack;
  afterAll(async () => stack?.stop());

  it('are counted with their reasons while every good trade arrives and nothing crashes', async () => {
    stack = await FeedStack.start({ sim: { rate: 1_000, maxTrades: N } });
    const persister = await stack.startApp('persister');
    const normalizer = await stack.startApp('normalizer');
    const ingest = await stack.startApp('ingest');
    await stack.simClient.waitForCount(1_000, 30_000);
    for (const k of KINDS) await stack.simClient.control('hostile', { kind: k.kind, count: EACH });
    await stack.simClient.control('hostile', { kind: 'unknown_type', count: EACH });
    await stack.simClient.waitForCount(N, 60_000);
    const sent = (await stack.simClient.record()).map((t) => t.tradeId);
    await waitFor(async () => (await stack.redis.zcard('feed:trades:BTC-USDT')) >= N, { what: 'every good trade persisted', timeoutMs: 60_000 });
    const members = await stack.redis.zrange('feed:trades:BTC-USDT', '0', '-1');
    expect(members.map((m) => (JSON.parse(m.slice(m.indexOf('|') + 1)) as { tradeId: string }).tradeId)).toEqual(sent);

    const expectedDlq = new Map<string, number>();
    for (const k of KINDS.filter((x) => x.stage === 'normalizer')) expectedDlq.set(k.reason, (expectedDlq.get(k.reason) ?? 0) + EACH);
    await waitFor(
      async () => {
        for (const [reason, n] of expectedDlq) if ((await stack.counter(normalizer, 'feed_dead_letters_total', { reason })) !== n) return false;
        return true;
      },
      { what: 'dead letters counted by reason', timeoutMs: 20_000 },
    );
    for (const [reason, n] of expectedDlq) expect(await stack.counter(normalizer, 'feed_dead_letters_total', { reason })).toBe(n);
    expect(await stack.counter(ingest, 'feed_ingest_frames_rejected_total', { reason: 'oversize' })).toBe(EACH);
    expect(await stack.counter(normalizer, 'feed_normalizer_frames_total', { outcome: 'ignored' })).toBe(EACH);
    const dlq = await stack.jsm.streams.info('FEED_DLQ');
    expect(dlq.state.messages).toBe([...expectedDlq.values()].reduce((a, b) => a + b, 0));
    for (const app of [persister, normalizer, ingest]) {
      expect(app.running).toBe(true);
      expect((await fetch(stack.url(app, '/health'))).status).toBe(200);
    }
  });
});
