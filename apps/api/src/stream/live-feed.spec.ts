import { createLogger } from '@feed/logging';
import { createRegistry } from '@feed/metrics';
import type { TradeV1 } from '@feed/price-types';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { createApiMetrics } from '../metrics';
import { DuplicateFilter } from './dedupe';
import { StreamHub } from './hub';
import { LiveFeed } from './live-feed';

/**
 * The feed's own recovery logic against a scripted consumer: each `consume()` yields some messages and then
 * either fails or ends, and the feed must recreate the consumer from the sequence after the last one it read.
 * (The real ordered consumer is exercised against nats-server in api.int.spec.ts.)
 */
const enc = new TextEncoder();

function trade(n: number, symbol = 'BTC-USDT'): TradeV1 {
  return {
    v: 1,
    id: `trade:binance:${symbol}:${n}`,
    venue: 'binance',
    symbol,
    source: 'simulated',
    recvTimeUs: 1_795_939_333_000_000 + n,
    type: 'trade',
    tradeId: String(n),
    price: '1.5',
    size: '2',
    side: 'buy',
    venueTimeUs: 1_795_939_333_000_000 + n,
  };
}

type Script = Array<{ msgs: Array<{ seq: number; data: Uint8Array }>; then: 'throw' | 'end' | 'hang' }>;

function fakeJs(script: Script) {
  const starts: number[] = [];
  let closeHang: (() => void) | undefined;
  const js = {
    consumers: {
      get: async (_stream: string, opts: { opt_start_seq: number }) => {
        starts.push(opts.opt_start_seq);
        const step = script.shift() ?? { msgs: [], then: 'hang' as const };
        return {
          consume: async () => ({
            async *[Symbol.asyncIterator]() {
              for (const m of step.msgs) yield m;
              if (step.then === 'throw') throw new Error('consumer deleted');
              if (step.then === 'hang') await new Promise<void>((r) => (closeHang = r));
            },
            close: async () => closeHang?.(),
            stop: () => closeHang?.(),
            status: () => ({ [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true as const, value: undefined }) }) }),
          }),
        };
      },
    },
  };
  return { js: js as unknown as JetStreamClient, starts };
}

function setup(script: Script, lastSeq: number, window = 100) {
  const { js, starts } = fakeJs(script);
  const jsm = { streams: { info: async () => ({ state: { last_seq: lastSeq } }) } } as unknown as JetStreamManager;
  const hub = new StreamHub(window);
  const metrics = createApiMetrics(createRegistry('api-test', 'x'));
  const log = createLogger({ service: 'api', instanceId: 't', level: 'silent', destination: { write: () => undefined } });
  const feed = new LiveFeed({ js, jsm, stream: 'TEST_MD', filterSubject: 'test.md.v1.trade.*.*', hub, dedupe: new DuplicateFilter(), resumeWindow: window, metrics, log, restartDelayMs: 1 });
  return { feed, hub, starts, metrics };
}

const msg = (seq: number, t: unknown) => ({ seq, data: enc.encode(JSON.stringify(t)) });

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!cond()) throw new Error('condition not reached');
}

describe('LiveFeed', () => {
  it('starts WS_RESUME_WINDOW events back and recreates the consumer after the last sequence read', async () => {
    const { feed, hub, starts, metrics } = setup(
      [
        { msgs: [msg(91, trade(1)), msg(92, trade(2))], then: 'throw' },
        { msgs: [msg(93, trade(3))], then: 'end' },
        { msgs: [msg(93, trade(3)), msg(94, trade(4))], then: 'hang' },
      ],
      100,
      10,
    );
    await feed.start();
    await until(() => hub.lastSeq === 94);
    expect(starts).toEqual([91, 93, 94]);
    expect(hub.ring.after(0, 'BTC-USDT', 10).map((i) => i.seq)).toEqual([91, 92, 93, 94]);
    expect((await metrics.liveRestarts.get()).values[0]?.value).toBe(2);
    await feed.stop();
    expect(feed.state).toBe('stopped');
    expect(feed.isAlive()).toBe(false);
  });

  it('drops duplicates and invalid events, pushes a late (lower-id) trade once, keeps non-trade sequences as progress, and formats items', async () => {
    const { feed, hub, metrics } = setup(
      [{ msgs: [msg(1, trade(5)), msg(2, trade(5)), msg(3, { nonsense: true }), msg(4, trade(4)), msg(5, trade(6)), msg(6, trade(4))], then: 'hang' }],
      0,
    );
    await feed.start();
    await until(() => hub.lastSeq === 6);
    const items = hub.ring.after(0, 'BTC-USDT', 10);
    // Trade 4 reaches the log after trade 5 (a repaired gap, a late replica): news, pushed once; its copy is not.
    expect(items.map((i) => i.seq)).toEqual([1, 4, 5]);
    expect(JSON.parse((items[0] as { json: string }).json)).toMatchObject({ seq: 1, tradeId: '5', stale: false, asOf: '2026-11-29T08:02:13.000005Z', venueTime: '2026-11-29T08:02:13.000005Z' });
    const outcomes = Object.fromEntries((await metrics.liveEvents.get()).values.map((v) => [v.labels['outcome'], v.value]));
    expect(outcomes).toEqual({ pushed: 3, duplicate: 2, invalid: 1 });
    // The receive -> sent hop is observed once per pushed trade, never for dropped ones.
    const latency = (await metrics.pushLatency.get()).values.find((v) => v.metricName === 'feed_api_push_latency_seconds_count');
    expect(latency).toMatchObject({ labels: { venue: 'binance' }, value: 3 });
    expect(feed.state).toBe('live');
    await feed.stop();
  });

  it('treats the start-up back-fill as history until it reaches the stream end', async () => {
    const { feed, hub } = setup([{ msgs: [msg(8, trade(8)), msg(9, trade(9)), msg(10, trade(10))], then: 'hang' }], 9, 2);
    await feed.start();
    expect(feed.state).toBe('catching_up');
    expect(hub.liveFrom()).toBe(9);
    await until(() => hub.lastSeq === 10);
    expect(feed.state).toBe('live');
    expect(hub.ring.coverageStart).toBe(9);
    await feed.stop();
  });
});
