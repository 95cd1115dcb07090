import { StreamHub } from './hub';
import type { FrameType } from './protocol';
import type { RingItem } from './ring';
import { ClientSession, type SessionEvents, type Transport } from './session';

interface Frame {
  v: number;
  type: string;
  data: Array<Record<string, unknown>>;
}

class FakeTransport implements Transport {
  frames: Frame[] = [];
  bufferedAmount = 0;
  closed: { code: number; reason: string } | undefined;
  send(text: string): void {
    if (this.closed) throw new Error('send after close');
    this.frames.push(JSON.parse(text) as Frame);
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
  take(): Frame[] {
    const f = this.frames;
    this.frames = [];
    return f;
  }
  tradeSeqs(): number[] {
    return this.take()
      .filter((f) => f.type === 'trades')
      .flatMap((f) => f.data.map((d) => d['seq'] as number));
  }
}

function counters() {
  const c = { frames: 0, items: 0, slow: 0, resume: 0, rejected: [] as string[] };
  const events: SessionEvents = {
    frameSent: (type: FrameType, n: number) => {
      c.frames++;
      if (type === 'trades') c.items += n;
    },
    slowClosed: () => c.slow++,
    resumeUnavailable: () => c.resume++,
    rejected: (r) => c.rejected.push(r),
  };
  return { c, events };
}

const A = 'BTC-USDT';
const B = 'BTC-USD';
const item = (seq: number, symbol = A): RingItem => ({ seq, symbol, json: JSON.stringify({ seq, symbol }) });

function setup(o: { window?: number; maxBatch?: number; flushMs?: number; maxBuffered?: number; start?: [number, number] } = {}) {
  const hub = new StreamHub(o.window ?? 1000);
  const [startSeq, catchUpTo] = o.start ?? [1, 0];
  hub.start(startSeq, catchUpTo);
  const t = new FakeTransport();
  const { c, events } = counters();
  const s = new ClientSession(t, hub, { symbols: new Set([A, B]), flushMs: o.flushMs ?? 5, maxBatch: o.maxBatch ?? 500, maxBufferedBytes: o.maxBuffered ?? 1_000_000 }, events);
  return { hub, t, c, s };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('ClientSession batching', () => {
  it('queues live items and sends one v1 frame when the batch window ends', () => {
    const { hub, t, c, s } = setup();
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: undefined });
    expect(t.take()).toEqual([{ v: 1, type: 'subscribed', data: [{ channel: 'trades', symbol: A, fromSeq: null, lastSeq: 0 }] }]);
    for (const seq of [1, 2, 3]) hub.publish(item(seq));
    expect(t.frames).toHaveLength(0);
    jest.advanceTimersByTime(5);
    const frames = t.take();
    expect(frames).toHaveLength(1);
    expect(frames[0]).toEqual({ v: 1, type: 'trades', data: [{ seq: 1, symbol: A }, { seq: 2, symbol: A }, { seq: 3, symbol: A }] });
    expect(c.items).toBe(3);
  });

  it('sends an item of a quiet stream at the end of the turn, and at most one frame per window while busy', () => {
    const { hub, t, s } = setup({ flushMs: 5 });
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: undefined });
    t.take();
    /** The sequences of each frame sent since the last call. */
    const sentSeqs = () => t.take().map((f) => f.data.map((d) => d['seq']));
    hub.publish(item(1));
    hub.publish(item(2));
    expect(t.frames).toHaveLength(0);
    jest.advanceTimersByTime(0);
    expect(sentSeqs()).toEqual([[1, 2]]);
    // A frame just went out: the next item waits for the rest of the window.
    jest.advanceTimersByTime(2);
    hub.publish(item(3));
    jest.advanceTimersByTime(2);
    hub.publish(item(4));
    expect(t.frames).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(sentSeqs()).toEqual([[3, 4]]);
    // Quiet for longer than the window: no wait again.
    jest.advanceTimersByTime(20);
    hub.publish(item(5));
    jest.advanceTimersByTime(0);
    expect(sentSeqs()).toEqual([[5]]);
  });

  it('sends a full batch at once without waiting, never one frame per item', () => {
    const { hub, t, s } = setup({ maxBatch: 4 });
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: undefined });
    t.take();
    for (let seq = 1; seq <= 10; seq++) hub.publish(item(seq));
    expect(t.frames.map((f) => f.data.length)).toEqual([4, 4]);
    jest.advanceTimersByTime(5);
    expect(t.frames.map((f) => f.data.length)).toEqual([4, 4, 2]);
    expect(t.tradeSeqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('only delivers subscribed symbols, and control frames keep event order', () => {
    const { hub, t, s } = setup();
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: undefined });
    t.take();
    hub.publish(item(1));
    hub.publish(item(2, B));
    hub.publish(item(3));
    s.handle({ op: 'ping' });
    const f = t.take();
    expect(f.map((x) => x.type)).toEqual(['trades', 'pong']);
    expect(f[0]?.data.map((d) => d['seq'])).toEqual([1, 3]);
    expect(f[1]?.data).toEqual([{ lastSeq: 3 }]);
  });

  it('unsubscribe stops delivery and is acknowledged', () => {
    const { hub, t, s } = setup();
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: undefined });
    hub.publish(item(1));
    s.handle({ op: 'unsubscribe', channel: 'trades', symbol: A });
    hub.publish(item(2));
    jest.advanceTimersByTime(50);
    expect(t.take().map((f) => f.type)).toEqual(['subscribed', 'trades', 'unsubscribed']);
    expect(hub.subscriberCount(A)).toBe(0);
  });

  it('answers an unserved symbol or channel with an error item and stays open', () => {
    const { t, c, s } = setup();
    s.handle({ op: 'subscribe', channel: 'trades', symbol: 'ETH-USDT', fromSeq: undefined });
    s.handle({ op: 'subscribe', channel: 'quotes', symbol: A, fromSeq: undefined });
    const f = t.take();
    expect(f.map((x) => [x.type, x.data[0]?.['code']])).toEqual([
      ['error', 'unknown_symbol'],
      ['error', 'unknown_channel'],
    ]);
    expect(t.closed).toBeUndefined();
    expect(c.rejected).toEqual(['unknown_symbol', 'unknown_channel']);
  });
});

describe('ClientSession start-up back-fill', () => {
  it('a plain subscription skips the history the consumer back-fills at start', () => {
    const { hub, t, s } = setup({ start: [1, 10] });
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: undefined });
    for (let seq = 1; seq <= 12; seq++) hub.publish(item(seq));
    jest.advanceTimersByTime(5);
    expect(t.tradeSeqs()).toEqual([11, 12]);
  });

  it('a resume during back-fill gets everything after fromSeq, once, in order', () => {
    const { hub, t, s } = setup({ start: [1, 10] });
    for (let seq = 1; seq <= 4; seq++) hub.publish(item(seq));
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: 2 });
    jest.advanceTimersByTime(0);
    for (let seq = 5; seq <= 12; seq++) hub.publish(item(seq));
    jest.advanceTimersByTime(5);
    expect(t.tradeSeqs()).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});

describe('ClientSession resume', () => {
  it('replays items after fromSeq for that symbol from the ring, then continues live with no gap and no repeat', () => {
    const { hub, t, s } = setup({ maxBatch: 3 });
    for (let seq = 1; seq <= 20; seq++) hub.publish(item(seq, seq % 2 ? A : B));
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: 6 });
    const first = t.take();
    expect(first[0]).toEqual({ v: 1, type: 'subscribed', data: [{ channel: 'trades', symbol: A, fromSeq: 6, lastSeq: 20 }] });
    jest.advanceTimersByTime(0);
    hub.publish(item(21));
    hub.publish(item(23));
    jest.advanceTimersByTime(5);
    expect(t.tradeSeqs()).toEqual([7, 9, 11, 13, 15, 17, 19, 21, 23]);
  });

  it('live items that arrive while replay is paused by backpressure come from the ring, exactly once', () => {
    const { hub, t, s } = setup({ maxBatch: 2, maxBuffered: 1000 });
    for (let seq = 1; seq <= 6; seq++) hub.publish(item(seq));
    t.bufferedAmount = 600; // above half the bound: replay waits, but not slow enough to be closed
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: 0 });
    jest.advanceTimersByTime(20);
    expect(t.tradeSeqs()).toEqual([]);
    for (let seq = 7; seq <= 9; seq++) hub.publish(item(seq));
    t.bufferedAmount = 0;
    jest.advanceTimersByTime(5);
    hub.publish(item(10));
    jest.advanceTimersByTime(5);
    expect(t.tradeSeqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(t.closed).toBeUndefined();
  });

  it('fromSeq older than the ring: resume_unavailable with oldestSeq, then live only', () => {
    const { hub, t, c, s } = setup({ window: 5 });
    for (let seq = 1; seq <= 10; seq++) hub.publish(item(seq));
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: 2 });
    const f = t.take();
    expect(f.map((x) => x.type)).toEqual(['subscribed', 'error']);
    expect(f[1]?.data[0]).toMatchObject({ code: 'resume_unavailable', oldestSeq: 6, symbol: A });
    hub.publish(item(11));
    jest.advanceTimersByTime(5);
    expect(t.tradeSeqs()).toEqual([11]);
    expect(c.resume).toBe(1);
  });

  it('fromSeq exactly at the ring edge is served in full', () => {
    const { hub, t, s } = setup({ window: 5 });
    for (let seq = 1; seq <= 10; seq++) hub.publish(item(seq));
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: 5 });
    jest.advanceTimersByTime(5);
    expect(t.frames.map((x) => x.type)).toEqual(['subscribed', 'trades']);
    expect(t.tradeSeqs()).toEqual([6, 7, 8, 9, 10]);
  });

  it('fromSeq ahead of the stream: resume_unavailable, then live', () => {
    const { hub, t, s } = setup();
    hub.publish(item(1));
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: 50 });
    expect(t.take().map((x) => [x.type, x.data[0]?.['code']])).toEqual([
      ['subscribed', undefined],
      ['error', 'resume_unavailable'],
    ]);
    hub.publish(item(2));
    jest.advanceTimersByTime(5);
    expect(t.tradeSeqs()).toEqual([2]);
  });
});

describe('ClientSession backpressure and close', () => {
  it('closes a client whose send buffer passed the bound with 1013, once, and leaves the hub', () => {
    const { hub, t, c, s } = setup({ maxBuffered: 1000 });
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: undefined });
    t.take();
    t.bufferedAmount = 1001;
    hub.publish(item(1));
    jest.advanceTimersByTime(5);
    expect(t.closed).toEqual({ code: 1013, reason: expect.any(String) });
    expect(t.frames).toHaveLength(0);
    expect(c.slow).toBe(1);
    expect(hub.subscriberCount(A)).toBe(0);
    hub.publish(item(2));
    s.handle({ op: 'ping' });
    jest.advanceTimersByTime(5);
    expect(c.slow).toBe(1);
  });

  it('a server close (shutdown) sends what is queued first', () => {
    const { hub, t, s } = setup();
    s.handle({ op: 'subscribe', channel: 'trades', symbol: A, fromSeq: undefined });
    t.take();
    hub.publish(item(1));
    s.close(1001, 'bye');
    expect(t.tradeSeqs()).toEqual([1]);
    expect(t.closed).toEqual({ code: 1001, reason: 'bye' });
    expect(s.isClosed).toBe(true);
  });
});
