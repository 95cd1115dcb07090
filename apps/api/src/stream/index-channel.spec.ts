import { createLogger } from '@feed/logging';
import type { IndexValueV1 } from '@feed/projections';
import { StreamHub } from './hub';
import { IndexPush, type IndexChannel, type IndexSubscriber } from './index-push';
import type { FrameType } from './protocol';
import { ClientSession, type SessionEvents, type Transport } from './session';

/* The WebSocket `index` channel: a session's subscriptions and frames, and the push that feeds it. */

interface Frame {
  v: number;
  type: string;
  data: Array<Record<string, unknown>>;
}

class FakeTransport implements Transport {
  frames: Frame[] = [];
  bufferedAmount = 0;
  send(text: string): void {
    this.frames.push(JSON.parse(text) as Frame);
  }
  close(): void {
    /* not used */
  }
  take(): Frame[] {
    const f = this.frames;
    this.frames = [];
    return f;
  }
}

class FakeChannel implements IndexChannel {
  readonly symbols = new Set(['BTC-USD']);
  readonly subs = new Set<IndexSubscriber>();
  add(_symbol: string, s: IndexSubscriber): void {
    this.subs.add(s);
  }
  remove(_symbol: string, s: IndexSubscriber): void {
    this.subs.delete(s);
  }
}

const events = (rejected: string[] = []): SessionEvents => ({ frameSent: (_t: FrameType) => undefined, slowClosed: () => undefined, resumeUnavailable: () => undefined, rejected: (r) => rejected.push(r) });

function session(index?: IndexChannel) {
  const t = new FakeTransport();
  const rejected: string[] = [];
  const hub = new StreamHub(100);
  hub.start(1, 0);
  const s = new ClientSession(t, hub, { symbols: new Set(['BTC-USD', 'BTC-USDT']), flushMs: 5, maxBatch: 500, maxBufferedBytes: 1_000_000, ...(index ? { index } : {}) }, events(rejected));
  return { t, s, rejected };
}

function value(t: number, price: string): IndexValueV1 {
  return { v: 1, symbol: 'BTC-USD', t, price, source: 'simulated', degraded: false, included: 1, referenceMedian: price, method: { staleMs: 1, maxDeviationBps: 1, minConstituents: 1 }, constituents: [] };
}

describe('ClientSession index channel', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('given a subscription when values arrive then they go out batched in one index frame, and unsubscribe stops them', () => {
    const ch = new FakeChannel();
    const { t, s } = session(ch);
    s.handle({ op: 'subscribe', channel: 'index', symbol: 'BTC-USD', fromSeq: undefined });
    expect(t.take()).toEqual([{ v: 1, type: 'subscribed', data: [{ channel: 'index', symbol: 'BTC-USD' }] }]);
    expect(ch.subs.has(s)).toBe(true);
    s.deliverIndex('BTC-USD', '{"t":1}');
    s.deliverIndex('BTC-USD', '{"t":2}');
    jest.advanceTimersByTime(5);
    expect(t.take()).toEqual([{ v: 1, type: 'index', data: [{ t: 1 }, { t: 2 }] }]);
    s.handle({ op: 'unsubscribe', channel: 'index', symbol: 'BTC-USD' });
    s.deliverIndex('BTC-USD', '{"t":3}');
    jest.advanceTimersByTime(5);
    expect(t.take().map((f) => f.type)).toEqual(['unsubscribed']);
    expect(ch.subs.size).toBe(0);
  });

  it('given an index symbol not computed here, or no index at all, when subscribing then an error item answers', () => {
    const a = session(new FakeChannel());
    a.s.handle({ op: 'subscribe', channel: 'index', symbol: 'BTC-USDT', fromSeq: undefined });
    expect(a.t.take()[0]?.data[0]).toMatchObject({ code: 'unknown_symbol' });
    const b = session();
    b.s.handle({ op: 'subscribe', channel: 'index', symbol: 'BTC-USD', fromSeq: undefined });
    expect(b.t.take()[0]?.data[0]).toMatchObject({ code: 'unknown_channel' });
    expect([...a.rejected, ...b.rejected]).toEqual(['unknown_symbol', 'unknown_channel']);
  });

  it('given a subscribed session when it is disposed then it leaves the channel', () => {
    const ch = new FakeChannel();
    const { s } = session(ch);
    s.handle({ op: 'subscribe', channel: 'index', symbol: 'BTC-USD', fromSeq: undefined });
    s.dispose();
    expect(ch.subs.size).toBe(0);
  });
});

describe('IndexPush', () => {
  it('given subscribers when the newest value changes then each new value is pushed once, and a late subscriber gets the newest at once', async () => {
    let current: IndexValueV1 | undefined = value(100, '60000');
    const push = new IndexPush({ symbols: new Set(['BTC-USD']), latest: async () => current, intervalMs: 1_000, log: createLogger({ service: 'test', instanceId: 't', level: 'error' }) });
    const got: string[] = [];
    const a: IndexSubscriber = { deliverIndex: (_s, json) => got.push(`a:${(JSON.parse(json) as { t: number }).t}`) };
    const b: IndexSubscriber = { deliverIndex: (_s, json) => got.push(`b:${(JSON.parse(json) as { t: number; asOf: string; stale: boolean }).t}`) };
    push.add('BTC-USD', a);
    await push.poll();
    await push.poll();
    current = value(101, '60001');
    await push.poll();
    push.add('BTC-USD', b);
    current = undefined;
    await push.poll();
    expect(got).toEqual(['a:100', 'a:101', 'b:101']);
    push.remove('BTC-USD', a);
    push.remove('BTC-USD', b);
    current = value(102, '60002');
    await push.poll();
    expect(got).toHaveLength(3);
  });
});
