import { ResumeRing, type RingItem } from './ring';

const item = (seq: number, symbol = 'BTC-USDT'): RingItem => ({ seq, symbol, json: `{"seq":${seq}}` });
const seqs = (xs: RingItem[]) => xs.map((x) => x.seq);

describe('ResumeRing', () => {
  it('returns items after a sequence for one symbol, oldest first, up to max', () => {
    const r = new ResumeRing(10, 1);
    for (const s of [1, 2, 4, 7, 8]) r.push(item(s));
    r.push(item(9, 'BTC-USD'));
    expect(seqs(r.after(0, 'BTC-USDT', 100))).toEqual([1, 2, 4, 7, 8]);
    expect(seqs(r.after(2, 'BTC-USDT', 100))).toEqual([4, 7, 8]);
    expect(seqs(r.after(3, 'BTC-USDT', 2))).toEqual([4, 7]);
    expect(seqs(r.after(8, 'BTC-USDT', 100))).toEqual([]);
    expect(seqs(r.after(0, 'BTC-USD', 100))).toEqual([9]);
    expect(r.lastSeq).toBe(9);
  });

  it('is complete from its start sequence until it evicts; then from the seq after the evicted item', () => {
    const r = new ResumeRing(3, 5);
    expect(r.coverageStart).toBe(5);
    expect(r.canResumeFrom(4)).toBe(true);
    expect(r.canResumeFrom(3)).toBe(false);
    for (const s of [5, 6, 9]) r.push(item(s));
    expect(r.coverageStart).toBe(5);
    r.push(item(12)); // evicts 5
    expect(r.coverageStart).toBe(6);
    expect(r.canResumeFrom(5)).toBe(true);
    expect(r.canResumeFrom(4)).toBe(false);
    r.push(item(13)); // evicts 6
    expect(r.coverageStart).toBe(7);
    expect(seqs(r.after(6, 'BTC-USDT', 10))).toEqual([9, 12, 13]);
    expect(r.length).toBe(3);
  });

  it('wraps around many times and binary-searches correctly', () => {
    const r = new ResumeRing(7, 1);
    for (let s = 1; s <= 1000; s += 2) r.push(item(s));
    expect(seqs(r.after(0, 'BTC-USDT', 100))).toEqual([987, 989, 991, 993, 995, 997, 999]);
    expect(seqs(r.after(994, 'BTC-USDT', 100))).toEqual([995, 997, 999]);
    expect(seqs(r.after(995, 'BTC-USDT', 100))).toEqual([997, 999]);
    expect(r.coverageStart).toBe(986);
  });

  it('refuses out-of-order items and resets', () => {
    const r = new ResumeRing(3, 1);
    r.push(item(3));
    expect(() => r.push(item(3))).toThrow(/sequence order/);
    r.reset(100);
    expect(r.length).toBe(0);
    expect(r.coverageStart).toBe(100);
    expect(r.lastSeq).toBeUndefined();
  });
});
