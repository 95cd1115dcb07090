import { RecentIds } from './recent-ids';

describe('given a RecentIds memory of 3 ids per stream', () => {
  it('when a fourth id is added then the oldest one is forgotten first (FIFO), and the bound holds', () => {
    const r = new RecentIds(3);
    for (const id of ['a', 'b', 'c']) r.add('trade:binance:BTC-USDT', id);
    expect(['a', 'b', 'c'].map((id) => r.has('trade:binance:BTC-USDT', id))).toEqual([true, true, true]);
    r.add('trade:binance:BTC-USDT', 'd');
    expect(['a', 'b', 'c', 'd'].map((id) => r.has('trade:binance:BTC-USDT', id))).toEqual([false, true, true, true]);
    r.add('trade:binance:BTC-USDT', 'e');
    expect(['b', 'c', 'd', 'e'].map((id) => r.has('trade:binance:BTC-USDT', id))).toEqual([false, true, true, true]);
    expect(r.size()).toBe(3);
  });

  it('when an id already remembered is added again then nothing changes: it is neither duplicated nor refreshed', () => {
    const r = new RecentIds(3);
    for (const id of ['a', 'b', 'c', 'a', 'a']) r.add('s', id);
    expect(r.size()).toBe(3);
    r.add('s', 'd'); // evicts 'a', the oldest insertion, although it was added again last
    expect(r.has('s', 'a')).toBe(false);
    expect(['b', 'c', 'd'].every((id) => r.has('s', id))).toBe(true);
  });

  it('when many ids are added then the memory never exceeds the bound and keeps exactly the newest', () => {
    const r = new RecentIds(3);
    for (let i = 0; i < 10_000; i++) {
      r.add('s', String(i));
      expect(r.size()).toBeLessThanOrEqual(3);
    }
    expect(['9997', '9998', '9999'].every((id) => r.has('s', id))).toBe(true);
    expect(r.has('s', '9996')).toBe(false);
  });

  it('when two streams share an id then each stream remembers it separately and has its own bound', () => {
    const r = new RecentIds(3);
    r.add('trade:binance:BTC-USDT', '7');
    expect(r.has('trade:okx:BTC-USDT', '7')).toBe(false);
    for (const id of ['1', '2', '3', '4']) r.add('trade:okx:BTC-USDT', id);
    expect(r.has('trade:binance:BTC-USDT', '7')).toBe(true);
    expect(r.size()).toBe(4); // 1 + 3
  });

  it('when the bound is 1 then only the last id is remembered', () => {
    const r = new RecentIds(1);
    r.add('s', 'x');
    r.add('s', 'y');
    expect([r.has('s', 'x'), r.has('s', 'y'), r.size()]).toEqual([false, true, 1]);
  });

  it('when nothing was added then nothing is remembered', () => {
    expect(new RecentIds(5).has('s', 'x')).toBe(false);
    expect(new RecentIds(5).size()).toBe(0);
  });
});
