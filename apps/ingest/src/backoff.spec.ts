import { Backoff } from './backoff';

const OPTS = { baseMs: 100, maxMs: 1_000, stableMs: 60_000 };

describe('given a Backoff with full jitter (base 100 ms, max 1000 ms)', () => {
  it('when random() returns 0 then every delay is 0 (the lower bound of full jitter)', () => {
    const b = new Backoff(OPTS, () => 0);
    expect(Array.from({ length: 8 }, () => b.next())).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('when random() is just below 1 then delays reach just below the cap, which doubles per attempt up to maxMs', () => {
    const b = new Backoff(OPTS, () => 0.999_999);
    expect(Array.from({ length: 8 }, () => b.next())).toEqual([99, 199, 399, 799, 999, 999, 999, 999]);
  });

  it('when random() is 0.5 then the delay is half the cap of that attempt', () => {
    const b = new Backoff(OPTS, () => 0.5);
    expect(Array.from({ length: 6 }, () => b.next())).toEqual([50, 100, 200, 400, 500, 500]);
  });

  it('when random values vary then every delay lies in [0, min(max, base * 2^attempt))', () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const b = new Backoff(OPTS, rand);
    for (let attempt = 0; attempt < 200; attempt++) {
      const cap = Math.min(OPTS.maxMs, OPTS.baseMs * 2 ** attempt);
      const d = b.next();
      expect(Number.isInteger(d)).toBe(true);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(cap);
    }
    expect(b.attempts).toBe(200);
  });

  it('when attempts run into the thousands then the cap stays maxMs (no overflow to Infinity or NaN)', () => {
    const b = new Backoff(OPTS, () => 0.999_999);
    let last = 0;
    for (let i = 0; i < 5_000; i++) last = b.next();
    expect(last).toBe(999);
  });
});

describe('given the attempt counter and connection stability', () => {
  it('when a connection stayed up at least stableMs then the next delay starts again from the base', () => {
    const b = new Backoff(OPTS, () => 0.999_999);
    for (let i = 0; i < 6; i++) b.next();
    b.connected(1_000);
    b.disconnected(1_000 + OPTS.stableMs);
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(99);
  });

  it('when a connection dropped before stableMs then the counter keeps growing', () => {
    const b = new Backoff(OPTS, () => 0.999_999);
    for (let i = 0; i < 3; i++) b.next();
    b.connected(1_000);
    b.disconnected(1_000 + OPTS.stableMs - 1);
    expect(b.attempts).toBe(3);
    expect(b.next()).toBe(799);
  });

  it('when an attempt never connected then disconnecting does not reset the counter', () => {
    const b = new Backoff(OPTS, () => 0.999_999);
    b.next();
    b.next();
    b.disconnected(10_000_000);
    expect(b.attempts).toBe(2);
  });

  it('when the feed has had many stable connections over its life then each reconnect still starts at the base (the legacy feed never reset, and ended up waiting 300 s every time)', () => {
    const b = new Backoff({ baseMs: 1_000, maxMs: 300_000, stableMs: 60_000 }, () => 0.999_999);
    let now = 0;
    const delays: number[] = [];
    for (let lifetimeDisconnect = 0; lifetimeDisconnect < 20; lifetimeDisconnect++) {
      b.connected(now);
      now += 3_600_000; // up for an hour
      b.disconnected(now);
      delays.push(b.next());
    }
    expect(delays).toEqual(Array.from({ length: 20 }, () => 999));
  });

  it('when a stable connection is followed by a flapping one then growth resumes from the base after the reset', () => {
    const b = new Backoff(OPTS, () => 0.999_999);
    b.connected(0);
    b.disconnected(OPTS.stableMs); // reset
    expect(b.next()).toBe(99);
    b.connected(70_000);
    b.disconnected(70_010); // flapped
    expect(b.next()).toBe(199);
    expect(b.next()).toBe(399);
  });
});
