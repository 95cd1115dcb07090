import { coinbaseAdapter } from './coinbase';
import type { StreamKey } from './venue-adapter';

/*
 * Coinbase Advanced Trade adapter. Subscribe message shapes from
 * https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels ("// Request" examples:
 * {"type":"subscribe","product_ids":[...],"channel":"market_trades"} and {"type":"subscribe","channel":"heartbeats"};
 * the public channels need no "jwt"). The classified frames are that page's example messages.
 */

const TRADE: StreamKey = { venue: 'coinbase', channel: 'trade', symbol: 'BTC-USD' };
const QUOTE: StreamKey = { venue: 'coinbase', channel: 'quote', symbol: 'BTC-USD' };

const DOC_MARKET_TRADES =
  '{"channel":"market_trades","client_id":"","timestamp":"2023-02-09T20:19:35.39625135Z","sequence_num":0,"events":[{"type":"snapshot","trades":[{"trade_id":"000000000","product_id":"ETH-USD","price":"1260.01","size":"0.3","side":"BUY","time":"2019-08-14T20:42:27.265Z"}]}]}';
const DOC_HEARTBEATS =
  '{"channel":"heartbeats","client_id":"","timestamp":"2023-06-23T20:31:26.122969572Z","sequence_num":0,"events":[{"current_time":"2023-06-23 20:31:56.121961769 +0000 UTC m=+91717.525857105","heartbeat_counter":"3049"}]}';

function trade(id: string, product = 'BTC-USD'): string {
  return `{"trade_id":"${id}","product_id":"${product}","price":"67234.01","size":"0.1","side":"BUY","time":"2026-11-29T08:02:13.010918Z"}`;
}
function batch(...trades: string[]): string {
  return `{"channel":"market_trades","client_id":"","timestamp":"2026-11-29T08:02:13.1Z","sequence_num":42,"events":[{"type":"update","trades":[${trades.join(',')}]}]}`;
}

describe('given the Coinbase adapter URL and subscription rules', () => {
  it('when building the URL then it is the configured endpoint itself (streams are chosen by subscribe messages)', () => {
    expect(coinbaseAdapter.url('wss://advanced-trade-ws.coinbase.com', [TRADE, QUOTE])).toBe('wss://advanced-trade-ws.coinbase.com');
    expect(coinbaseAdapter.url('ws://127.0.0.1:9001//', [TRADE])).toBe('ws://127.0.0.1:9001');
  });

  it('when only trades are asked then it subscribes to market_trades and heartbeats, one channel per message, no JWT', () => {
    expect(coinbaseAdapter.subscribeMessages([TRADE]).map((m) => JSON.parse(m) as unknown)).toEqual([
      { type: 'subscribe', product_ids: ['BTC-USD'], channel: 'market_trades' },
      { type: 'subscribe', channel: 'heartbeats' },
    ]);
  });

  it('when quotes are configured too then the ticker channel is added for their products', () => {
    const streams: StreamKey[] = [TRADE, QUOTE, { venue: 'coinbase', channel: 'trade', symbol: 'ETH-USD' }];
    expect(coinbaseAdapter.subscribeMessages(streams).map((m) => JSON.parse(m) as unknown)).toEqual([
      { type: 'subscribe', product_ids: ['BTC-USD', 'ETH-USD'], channel: 'market_trades' },
      { type: 'subscribe', product_ids: ['BTC-USD'], channel: 'ticker' },
      { type: 'subscribe', channel: 'heartbeats' },
    ]);
  });

  it('when only quotes are configured then there is no market_trades subscription', () => {
    expect(coinbaseAdapter.subscribeMessages([QUOTE]).map((m) => (JSON.parse(m) as { channel: string }).channel)).toEqual(['ticker', 'heartbeats']);
  });

  it('when spelling a canonical symbol the Coinbase way then it is unchanged (product ids are BASE-QUOTE)', () => {
    expect(coinbaseAdapter.venueSymbol('BTC-USD')).toBe('BTC-USD');
  });

  it('when reading its rules then frames are bounded at 1 MiB, connections rotate daily, and no client ping is sent', () => {
    expect(coinbaseAdapter.rules).toEqual({ maxFrameBytes: 1_048_576, connectionLifetimeMs: 86_400_000, connectionBudget: { max: 4, windowMs: 1_000 } });
  });
});

describe('given Coinbase frames to classify', () => {
  it('when the documented market_trades message (one trade) arrives then it is a trade with msg id trade:coinbase:<symbol>:<trade_id>', () => {
    expect(coinbaseAdapter.classify(DOC_MARKET_TRADES)).toEqual({ channel: 'trade', symbol: 'ETH-USD', msgId: 'trade:coinbase:ETH-USD:000000000' });
  });

  it('when a batch holds several trades then it is a trade frame without a msg id (ids dedupe per trade downstream)', () => {
    expect(coinbaseAdapter.classify(batch(trade('1'), trade('2')))).toEqual({ channel: 'trade', symbol: 'BTC-USD' });
  });

  it('when a batch mixes products then it is filed under no symbol', () => {
    expect(coinbaseAdapter.classify(batch(trade('1'), trade('2', 'ETH-USD')))).toEqual({ channel: 'trade', symbol: '_' });
  });

  it('when a batch is empty or malformed then it is still filed as trade (the normalizer counts or dead-letters it)', () => {
    expect(coinbaseAdapter.classify(batch())).toEqual({ channel: 'trade', symbol: '_' });
    expect(coinbaseAdapter.classify('{"channel":"market_trades","events":"x"}')).toEqual({ channel: 'trade', symbol: '_' });
    expect(coinbaseAdapter.classify(batch(trade('1', 'btcusd')))).toEqual({ channel: 'trade', symbol: '_' });
  });

  it('when the single trade id is unusable then there is no msg id', () => {
    expect(coinbaseAdapter.classify(batch(trade('a b')))).toEqual({ channel: 'trade', symbol: 'BTC-USD' });
    expect(coinbaseAdapter.classify(batch('{"trade_id":7,"product_id":"BTC-USD"}')).msgId).toBe('trade:coinbase:BTC-USD:7');
  });

  it('when a ticker message arrives then it is a quote of its product, without msg id (no update id at Coinbase)', () => {
    const t = '{"channel":"ticker","client_id":"","timestamp":"2023-02-09T20:30:37.167359596Z","sequence_num":0,"events":[{"type":"snapshot","tickers":[{"type":"ticker","product_id":"BTC-USD","best_bid":"21931.98","best_bid_quantity":"8000.21","best_ask":"21933.98","best_ask_quantity":"8038.07770938"}]}]}';
    expect(coinbaseAdapter.classify(t)).toEqual({ channel: 'quote', symbol: 'BTC-USD' });
  });

  it('when the documented heartbeats message arrives then it is control, not published', () => {
    expect(coinbaseAdapter.classify(DOC_HEARTBEATS)).toEqual({ channel: 'other', symbol: '_', control: 'heartbeat' });
  });

  it('when the subscriptions ack or an error arrives then it is control, counted by kind', () => {
    expect(coinbaseAdapter.classify('{"channel":"subscriptions","events":[{"subscriptions":{"market_trades":["BTC-USD"]}}]}')).toEqual({ channel: 'other', symbol: '_', control: 'subscription_ack' });
    expect(coinbaseAdapter.classify('{"type":"error","message":"failure to subscribe"}')).toEqual({ channel: 'other', symbol: '_', control: 'error' });
  });

  it.each([
    ['not JSON', 'hello'],
    ['truncated JSON', '{"channel":"market_trades"'],
    ['a malformed number', '{"channel":"ticker","sequence_num":01}'],
    ['an array', '[{"channel":"ticker"}]'],
    ['JSON null', 'null'],
    ['an empty frame', ''],
    ['an unknown channel', '{"channel":"l2_data","events":[]}'],
    ['no channel', '{"events":[]}'],
  ])('when the frame is %s then it is "other" with no symbol and no msg id', (_what, text) => {
    expect(coinbaseAdapter.classify(text)).toEqual({ channel: 'other', symbol: '_' });
  });
});
