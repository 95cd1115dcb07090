import { bitstampAdapter } from './bitstamp';
import type { StreamKey } from './venue-adapter';

/* Bitstamp WebSocket API v2, https://www.bitstamp.net/websocket/v2/ (envelope {"event","channel","data"}). */

const TRADE: StreamKey = { venue: 'bitstamp', channel: 'trade', symbol: 'BTC-USD' };
const QUOTE: StreamKey = { venue: 'bitstamp', channel: 'quote', symbol: 'BTC-USD' };

const TRADE_FRAME =
  '{"data": {"id": 364455107, "timestamp": "1795939333", "amount": 0.0125, "amount_str": "0.01250000", "price": 97012.5, "price_str": "97012.50", "type": 0, "microtimestamp": "1795939333010918", "buy_order_id": 1900000000000101, "sell_order_id": 1900000000000055}, "channel": "live_trades_btcusd", "event": "trade"}';

describe('given the Bitstamp adapter URL and subscription rules', () => {
  it('when building the URL then it is the base endpoint itself (channels are subscribed by message)', () => {
    expect(bitstampAdapter.url('wss://ws.bitstamp.net', [TRADE])).toBe('wss://ws.bitstamp.net');
    expect(bitstampAdapter.url('ws://127.0.0.1:9000//', [TRADE, QUOTE])).toBe('ws://127.0.0.1:9000');
  });

  it('when asked for subscribe messages then there is one bts:subscribe per channel, trades then book, in order', () => {
    expect(bitstampAdapter.subscribeMessages([TRADE, QUOTE, { venue: 'bitstamp', channel: 'trade', symbol: 'ETH-EUR' }])).toEqual([
      '{"event":"bts:subscribe","data":{"channel":"live_trades_btcusd"}}',
      '{"event":"bts:subscribe","data":{"channel":"order_book_btcusd"}}',
      '{"event":"bts:subscribe","data":{"channel":"live_trades_etheur"}}',
    ]);
    expect(bitstampAdapter.subscribeMessages([])).toEqual([]);
  });

  it('when spelling a canonical symbol the Bitstamp way then it is lower case without the dash', () => {
    expect(bitstampAdapter.venueSymbol('BTC-USD')).toBe('btcusd');
  });

  it('when reading its rules then frames are bounded at 64 KiB, connections rotate daily and a bts:heartbeat keeps quiet sockets alive', () => {
    expect(bitstampAdapter.rules).toEqual({
      maxFrameBytes: 65_536,
      connectionLifetimeMs: 86_400_000,
      connectionBudget: { max: 60, windowMs: 60_000 },
      clientPing: { intervalMs: 10_000, message: '{"event":"bts:heartbeat"}' },
    });
  });
});

describe('given Bitstamp frames to classify', () => {
  it('when a live trade arrives then it is a BTC-USD trade with msg id trade:bitstamp:BTC-USD:<id>', () => {
    expect(bitstampAdapter.classify(TRADE_FRAME)).toEqual({ channel: 'trade', symbol: 'BTC-USD', msgId: 'trade:bitstamp:BTC-USD:364455107' });
  });

  it('when the trade id is above 2^53 then the msg id keeps every digit', () => {
    expect(bitstampAdapter.classify(TRADE_FRAME.replace('364455107', '9007199254740993')).msgId).toBe('trade:bitstamp:BTC-USD:9007199254740993');
  });

  it('when the trade id is not an unsigned integer then the frame is a trade without a msg id (the normalizer refuses it)', () => {
    expect(bitstampAdapter.classify(TRADE_FRAME.replace('364455107', '"x1"'))).toEqual({ channel: 'trade', symbol: 'BTC-USD' });
    expect(bitstampAdapter.classify('{"event":"trade","channel":"live_trades_btcusd"}')).toEqual({ channel: 'trade', symbol: 'BTC-USD' });
  });

  it('when an order book snapshot arrives then it is a quote with no msg id (Bitstamp gives no update id)', () => {
    expect(bitstampAdapter.classify('{"data":{"timestamp":"1","microtimestamp":"1","bids":[],"asks":[]},"channel":"order_book_btcusd","event":"data"}')).toEqual({
      channel: 'quote',
      symbol: 'BTC-USD',
    });
  });

  it.each([
    ['{"event": "bts:subscription_succeeded", "channel": "live_trades_btcusd", "data": {}}', 'subscription_ack'],
    ['{"event": "bts:unsubscription_succeeded", "channel": "live_trades_btcusd", "data": {}}', 'subscription_ack'],
    ['{"event": "bts:heartbeat", "channel": "", "data": {"status": "success"}}', 'heartbeat'],
    ['{"event": "bts:request_reconnect", "channel": "", "data": ""}', 'reconnect_request'],
    ['{"event": "bts:error", "channel": "", "data": {"code": null, "message": "Bad subscription string."}}', 'request_error'],
  ])('when the protocol frame %s arrives then it is control %s, not published', (text, control) => {
    expect(bitstampAdapter.classify(text)).toEqual({ channel: 'other', symbol: '_', control });
  });

  it.each([
    ['not JSON', 'hello'],
    ['truncated JSON', TRADE_FRAME.slice(0, 50)],
    ['a malformed number', '{"event":"trade","channel":"live_trades_btcusd","data":{"id":01}}'],
    ['an array', '[1]'],
    ['null', 'null'],
    ['an empty frame', ''],
    ['no event', '{"channel":"live_trades_btcusd","data":{}}'],
    ['an unknown event', '{"event":"order_created","channel":"live_orders_btcusd","data":{}}'],
    ['a trade on an unknown pair', '{"event":"trade","channel":"live_trades_btcxyz","data":{"id":1}}'],
    ['a trade without a channel', '{"event":"trade","data":{"id":1}}'],
    ['a diff book (not subscribed)', '{"event":"data","channel":"diff_order_book_btcusd","data":{}}'],
  ])('when the frame is %s then it is "other" with no symbol and no msg id', (_what, text) => {
    expect(bitstampAdapter.classify(text)).toEqual({ channel: 'other', symbol: '_' });
  });
});
