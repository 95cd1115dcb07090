/**
 * For this library's specs only: per venue, the documented subscribe messages and what a documented trade
 * and quote frame look like (field names and JSON types), so one table-driven spec covers all six venues.
 */
type Obj = Record<string, unknown>;

export interface VenueCase {
  readonly venue: string;
  /** WebSocket path under the venue prefix. */
  readonly path: string;
  readonly symbol: string;
  /** Subscribe messages, trade channel first, then quotes (empty when the path subscribes). */
  readonly subscribe: readonly string[];
  /** The trade items of a message, or null when it is not a trade message. */
  trades(m: Obj): Obj[] | null;
  /** Field names and types of one trade item, as documented; returns [id, price text, size text]. */
  checkTrade(t: Obj): [string, string, string];
  /** [bid, ask] of a quote message, or null when it is not one. */
  quote(m: Obj): [string, string] | null;
}

const str = (v: unknown): string => {
  expect(typeof v).toBe('string');
  return v as string;
};
const num = (v: unknown): number => {
  expect(typeof v).toBe('number');
  return v as number;
};
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export const VENUE_CASES: readonly VenueCase[] = [
  {
    venue: 'binance',
    path: '/stream?streams=btcusdt@trade/btcusdt@bookTicker',
    symbol: 'BTCUSDT',
    subscribe: [],
    trades: (m) => ((m['data'] as Obj | undefined)?.['e'] === 'trade' ? [m['data'] as Obj] : null),
    checkTrade: (t) => {
      expect(t).toMatchObject({ e: 'trade', s: 'BTCUSDT' });
      num(t['E']);
      num(t['T']);
      expect(typeof t['m']).toBe('boolean');
      return [String(num(t['t'])), str(t['p']), str(t['q'])];
    },
    quote: (m) => (m['stream'] === 'btcusdt@bookTicker' ? (num((m['data'] as Obj)['u']), [str((m['data'] as Obj)['b']), str((m['data'] as Obj)['a'])]) : null),
  },
  {
    venue: 'coinbase',
    path: '',
    symbol: 'BTC-USD',
    subscribe: ['{"type":"subscribe","product_ids":["BTC-USD"],"channel":"market_trades"}', '{"type":"subscribe","product_ids":["BTC-USD"],"channel":"ticker"}'],
    trades: (m) => (m['channel'] === 'market_trades' ? arr(m['events']).flatMap((e) => arr(e['trades'])) : null),
    checkTrade: (t) => {
      expect(t['product_id']).toBe('BTC-USD');
      expect(['BUY', 'SELL']).toContain(t['side']);
      expect(str(t['time'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      return [str(t['trade_id']), str(t['price']), str(t['size'])];
    },
    quote: (m) => {
      if (m['channel'] !== 'ticker') return null;
      const t = arr(arr(m['events'])[0]?.['tickers'])[0] as Obj;
      return [str(t['best_bid']), str(t['best_ask'])];
    },
  },
  {
    venue: 'kraken',
    path: '/v2',
    symbol: 'BTC/USD',
    subscribe: ['{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"]},"req_id":1}', '{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"]}}'],
    trades: (m) => (m['channel'] === 'trade' && m['type'] === 'update' ? arr(m['data']) : null),
    checkTrade: (t) => {
      expect(t['symbol']).toBe('BTC/USD');
      expect(['buy', 'sell']).toContain(t['side']);
      expect(['market', 'limit']).toContain(t['ord_type']);
      expect(str(t['timestamp'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      return [String(num(t['trade_id'])), String(num(t['price'])), String(num(t['qty']))];
    },
    quote: (m) => (m['channel'] === 'ticker' ? [String(num(arr(m['data'])[0]?.['bid'])), String(num(arr(m['data'])[0]?.['ask']))] : null),
  },
  {
    venue: 'bitstamp',
    path: '',
    symbol: 'btcusd',
    subscribe: ['{"event":"bts:subscribe","data":{"channel":"live_trades_btcusd"}}', '{"event":"bts:subscribe","data":{"channel":"order_book_btcusd"}}'],
    trades: (m) => (m['event'] === 'trade' && m['channel'] === 'live_trades_btcusd' ? [m['data'] as Obj] : null),
    checkTrade: (t) => {
      num(t['amount']);
      num(t['price']);
      expect([0, 1]).toContain(t['type']);
      expect(str(t['timestamp'])).toMatch(/^\d{10}$/);
      expect(str(t['microtimestamp'])).toMatch(/^\d{16}$/);
      num(t['buy_order_id']);
      num(t['sell_order_id']);
      expect(str(t['amount_str'])).toMatch(/^\d+\.\d{8}$/);
      return [String(num(t['id'])), str(t['price_str']), str(t['amount_str'])];
    },
    quote: (m) => {
      if (m['channel'] !== 'order_book_btcusd' || m['event'] !== 'data') return null;
      const d = m['data'] as Obj;
      return [str((d['bids'] as string[][])[0]?.[0]), str((d['asks'] as string[][])[0]?.[0])];
    },
  },
  {
    venue: 'okx',
    path: '/ws/v5/public',
    symbol: 'BTC-USDT',
    subscribe: ['{"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"},{"channel":"bbo-tbt","instId":"BTC-USDT"}]}'],
    trades: (m) => ((m['arg'] as Obj | undefined)?.['channel'] === 'trades' && 'data' in m ? arr(m['data']) : null),
    checkTrade: (t) => {
      expect(t['instId']).toBe('BTC-USDT');
      expect(['buy', 'sell']).toContain(t['side']);
      expect(str(t['ts'])).toMatch(/^\d{13}$/);
      expect(t['count']).toBe('1');
      return [str(t['tradeId']), str(t['px']), str(t['sz'])];
    },
    quote: (m) => {
      if ((m['arg'] as Obj | undefined)?.['channel'] !== 'bbo-tbt' || !('data' in m)) return null;
      const d = arr(m['data'])[0] as Obj;
      num(d['seqId']);
      return [str((d['bids'] as string[][])[0]?.[0]), str((d['asks'] as string[][])[0]?.[0])];
    },
  },
  {
    venue: 'bybit',
    path: '/v5/public/spot',
    symbol: 'BTCUSDT',
    subscribe: ['{"op":"subscribe","args":["publicTrade.BTCUSDT","orderbook.1.BTCUSDT"],"req_id":"s1"}'],
    trades: (m) => (m['topic'] === 'publicTrade.BTCUSDT' ? (expect(m['type']).toBe('snapshot'), num(m['ts']), arr(m['data'])) : null),
    checkTrade: (t) => {
      num(t['T']);
      expect(t['s']).toBe('BTCUSDT');
      expect(['Buy', 'Sell']).toContain(t['S']);
      expect(t['BT']).toBe(false);
      return [str(t['i']), str(t['p']), str(t['v'])];
    },
    quote: (m) => {
      if (m['topic'] !== 'orderbook.1.BTCUSDT') return null;
      const d = m['data'] as Obj;
      num(d['u']);
      return [str((d['b'] as string[][])[0]?.[0]), str((d['a'] as string[][])[0]?.[0])];
    },
  },
];
