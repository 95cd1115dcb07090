import { DuplicateFilter } from './dedupe';

describe('DuplicateFilter', () => {
  it('given numeric ids, when an id repeats (in any form) then it is dropped; other streams are independent', () => {
    const f = new DuplicateFilter();
    expect(f.admit('binance', 'BTC-USDT', '10')).toBe(true);
    expect(f.admit('binance', 'BTC-USDT', '11')).toBe(true);
    expect(f.admit('binance', 'BTC-USDT', '11')).toBe(false);
    expect(f.admit('binance', 'BTC-USDT', '10')).toBe(false);
    expect(f.admit('binance', 'BTC-USDT', '011')).toBe(false);
    expect(f.admit('okx', 'BTC-USDT', '5')).toBe(true);
    expect(f.admit('binance', 'BTC-USD', '5')).toBe(true);
  });

  it('given a gap, when the missing ids arrive after newer ones (a REST repair, a late replica) then each passes exactly once', () => {
    const f = new DuplicateFilter();
    expect(f.admit('binance', 'BTC-USDT', '100')).toBe(true);
    expect(f.admit('binance', 'BTC-USDT', '105')).toBe(true);
    for (const id of ['101', '102', '103', '104']) expect(f.admit('binance', 'BTC-USDT', id)).toBe(true);
    for (const id of ['100', '101', '102', '103', '104', '105']) expect(f.admit('binance', 'BTC-USDT', id)).toBe(false);
    // An id below the first one seen, still inside the window, is news too.
    expect(f.admit('binance', 'BTC-USDT', '99')).toBe(true);
    expect(f.admit('binance', 'BTC-USDT', '99')).toBe(false);
  });

  it('given the window of 64 ids, when an id falls below it then it is dropped, and recycled slots start clear', () => {
    const f = new DuplicateFilter(10, 64);
    expect(f.admit('kraken', 'BTC-USD', '1000')).toBe(true);
    expect(f.admit('kraken', 'BTC-USD', '1064')).toBe(true); // slot of 1000, recycled: 1000 is now outside the window
    expect(f.admit('kraken', 'BTC-USD', '1000')).toBe(false); // older than the window: treated as already pushed
    expect(f.admit('kraken', 'BTC-USD', '1001')).toBe(true); // inside the window, never seen
    expect(f.admit('kraken', 'BTC-USD', '1200')).toBe(true); // a jump past the whole window clears every slot
    expect(f.admit('kraken', 'BTC-USD', '1150')).toBe(true);
    expect(f.admit('kraken', 'BTC-USD', '1136')).toBe(false); // exactly the window below the top
    expect(f.admit('kraken', 'BTC-USD', '1137')).toBe(true);
  });

  it('given numeric ids past 2^53, when compared then exactly', () => {
    const f = new DuplicateFilter();
    expect(f.admit('binance', 'BTC-USDT', '9007199254740993')).toBe(true);
    expect(f.admit('binance', 'BTC-USDT', '9007199254740992')).toBe(true);
    expect(f.admit('binance', 'BTC-USDT', '9007199254740993')).toBe(false);
    expect(f.admit('binance', 'BTC-USDT', '9007199254740992')).toBe(false);
    expect(f.admit('binance', 'BTC-USDT', '100000000000000000000')).toBe(true);
    expect(f.admit('binance', 'BTC-USDT', '99999999999999999999')).toBe(true); // one below the top, never seen
    expect(f.admit('binance', 'BTC-USDT', '99999999999999999999')).toBe(false);
    expect(f.admit('binance', 'BTC-USDT', '9007199254740994')).toBe(false); // far below the top: outside the window
  });

  it('given non-numeric ids, then a bounded set of recent ids per stream', () => {
    const f = new DuplicateFilter(3);
    expect(f.admit('bybit', 'BTC-USDT', 'a-1')).toBe(true);
    expect(f.admit('bybit', 'BTC-USDT', 'a-1')).toBe(false);
    expect(f.admit('bybit', 'BTC-USDT', 'b-2')).toBe(true);
    expect(f.admit('bybit', 'BTC-USDT', 'c-3')).toBe(true);
    expect(f.admit('bybit', 'BTC-USDT', 'd-4')).toBe(true); // evicts a-1
    expect(f.admit('bybit', 'BTC-USDT', 'b-2')).toBe(false);
    expect(f.admit('bybit', 'BTC-USDT', 'a-1')).toBe(true); // beyond the bound: the stated cost
  });

  it('given a bad window size, then construction fails', () => {
    expect(() => new DuplicateFilter(10, 100)).toThrow('multiple of 32');
  });
});
