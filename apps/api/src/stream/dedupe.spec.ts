import { compareDigits, DuplicateFilter } from './dedupe';

describe('DuplicateFilter', () => {
  it('numeric ids: keeps the highest pushed per (venue, symbol) and drops ids at or below it', () => {
    const f = new DuplicateFilter();
    expect(f.admit('binance', 'BTC-USDT', '10')).toBe(true);
    expect(f.admit('binance', 'BTC-USDT', '11')).toBe(true);
    expect(f.admit('binance', 'BTC-USDT', '11')).toBe(false);
    expect(f.admit('binance', 'BTC-USDT', '9')).toBe(false);
    expect(f.admit('binance', 'BTC-USDT', '011')).toBe(false);
    // Other streams are independent.
    expect(f.admit('okx', 'BTC-USDT', '5')).toBe(true);
    expect(f.admit('binance', 'BTC-USD', '5')).toBe(true);
  });

  it('numeric ids past 2^53 compare exactly', () => {
    const f = new DuplicateFilter();
    expect(f.admit('binance', 'BTC-USDT', '9007199254740993')).toBe(true);
    expect(f.admit('binance', 'BTC-USDT', '9007199254740992')).toBe(false);
    expect(f.admit('binance', 'BTC-USDT', '9007199254740994')).toBe(true);
    expect(f.admit('binance', 'BTC-USDT', '100000000000000000000')).toBe(true);
    expect(f.admit('binance', 'BTC-USDT', '99999999999999999999')).toBe(false);
  });

  it('non-numeric ids: a bounded set of recent ids per stream', () => {
    const f = new DuplicateFilter(3);
    expect(f.admit('bybit', 'BTC-USDT', 'a-1')).toBe(true);
    expect(f.admit('bybit', 'BTC-USDT', 'a-1')).toBe(false);
    expect(f.admit('bybit', 'BTC-USDT', 'b-2')).toBe(true);
    expect(f.admit('bybit', 'BTC-USDT', 'c-3')).toBe(true);
    expect(f.admit('bybit', 'BTC-USDT', 'd-4')).toBe(true); // evicts a-1
    expect(f.admit('bybit', 'BTC-USDT', 'b-2')).toBe(false);
    expect(f.admit('bybit', 'BTC-USDT', 'a-1')).toBe(true); // beyond the bound: the stated cost
  });

  it('compareDigits orders by length then text', () => {
    expect(compareDigits('9', '10')).toBeLessThan(0);
    expect(compareDigits('10', '10')).toBe(0);
    expect(compareDigits('11', '10')).toBeGreaterThan(0);
  });
});
