import { BYBIT_ARGS_PER_REQUEST, bybitAdapter } from './bybit';
import type { StreamKey } from './venue-adapter';

/* Bybit v5 public spot WebSocket, https://bybit-exchange.github.io/docs/v5/ws/connect (frames from the docs). */

const TRADE: StreamKey = { venue: 'bybit', channel: 'trade', symbol: 'BTC-USDT' };
const QUOTE: StreamKey = { venue: 'bybit', channel: 'quote', symbol: 'BTC-USDT' };

const DOC_TRADE =
  '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false}]}';
const BOOK = '{"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1672304484978,"data":{"s":"BTCUSDT","b":[["16493.50","0.006"]],"a":[["16611.00","0.029"]],"u":18521288,"seq":7961638724}}';

describe('given the Bybit adapter URL, subscription and keepalive rules', () => {
  it('when building the URL then it is the v5 public spot path under the base', () => {
    expect(bybitAdapter.url('wss://stream.bybit.com', [TRADE])).toBe('wss://stream.bybit.com/v5/public/spot');
    expect(bybitAdapter.url('ws://127.0.0.1:9000//', [TRADE])).toBe('ws://127.0.0.1:9000/v5/public/spot');
  });

  it('when asked for subscribe messages then the topics are publicTrade.<sym> and orderbook.1.<sym> in one request', () => {
    expect(bybitAdapter.subscribeMessages([TRADE, QUOTE])).toEqual(['{"op":"subscribe","args":["publicTrade.BTCUSDT","orderbook.1.BTCUSDT"]}']);
    expect(bybitAdapter.subscribeMessages([])).toEqual([]);
  });

  it('when more than 10 topics are asked then they are split into requests of at most 10 args (spot limit)', () => {
    const coins = ['BTC', 'ETH', 'SOL', 'XRP', 'ADA', 'DOGE'];
    const streams: StreamKey[] = coins.flatMap((c) => [
      { venue: 'bybit', channel: 'trade', symbol: `${c}-USDT` },
      { venue: 'bybit', channel: 'quote', symbol: `${c}-USDT` },
    ]);
    const msgs = bybitAdapter.subscribeMessages(streams).map((m) => JSON.parse(m) as { op: string; args: string[] });
    expect(BYBIT_ARGS_PER_REQUEST).toBe(10);
    expect(msgs.map((m) => m.args.length)).toEqual([10, 2]);
    expect(msgs.flatMap((m) => m.args)).toHaveLength(12);
    expect(msgs[1]?.args).toEqual(['publicTrade.DOGEUSDT', 'orderbook.1.DOGEUSDT']);
  });

  it('when spelling a canonical symbol the Bybit way then the dash goes', () => {
    expect(bybitAdapter.venueSymbol('BTC-USDT')).toBe('BTCUSDT');
  });

  it('when reading its rules then the client sends {"op":"ping"} every 20 s and frames are bounded at 256 KiB', () => {
    expect(bybitAdapter.rules).toEqual({ maxFrameBytes: 262_144, connectionLifetimeMs: 86_400_000, connectionBudget: { max: 150, windowMs: 300_000 }, clientPing: { intervalMs: 20_000, message: '{"op":"ping"}' } });
  });
});

describe('given Bybit frames to classify', () => {
  it('when the documented trade push arrives then it is a trade whose msg id keeps the opaque (UUID) trade id', () => {
    expect(bybitAdapter.classify(DOC_TRADE)).toEqual({ channel: 'trade', symbol: 'BTC-USDT', msgId: 'trade:bybit:BTC-USDT:20f43950-d8dd-5b31-9112-a178eb6023af' });
  });

  it('when a trade push holds two trades then it is a trade frame without a msg id', () => {
    const two = DOC_TRADE.replace('}]}', '},{"T":1672304486866,"s":"BTCUSDT","S":"Sell","v":"1","p":"1","i":"x2"}]}');
    expect(bybitAdapter.classify(two)).toEqual({ channel: 'trade', symbol: 'BTC-USDT' });
  });

  it('when the trade id has forbidden characters then no msg id is set', () => {
    expect(bybitAdapter.classify(DOC_TRADE.replace('20f43950-d8dd-5b31-9112-a178eb6023af', 'a b'))).toEqual({ channel: 'trade', symbol: 'BTC-USDT' });
  });

  it('when an orderbook.1 push arrives then it is a quote with msg id quote:bybit:<symbol>:<u>-<seq>', () => {
    expect(bybitAdapter.classify(BOOK)).toEqual({ channel: 'quote', symbol: 'BTC-USDT', msgId: 'quote:bybit:BTC-USDT:18521288-7961638724' });
  });

  it('when the book push has no seq then it is a quote without a msg id', () => {
    expect(bybitAdapter.classify(BOOK.replace(',"seq":7961638724', ''))).toEqual({ channel: 'quote', symbol: 'BTC-USDT' });
  });

  it.each([
    ['{"success": true, "ret_msg": "pong", "conn_id": "0970e817-426e-429a-a679-ff7f55e0b16a", "op": "ping"}', 'pong'],
    ['{"args":["1672916271846"],"op":"pong"}', 'pong'],
    ['{"success": true, "ret_msg": "subscribe", "conn_id": "2324d924-aa4d-45b0-a858-7b8be29ab52b", "req_id": "10001", "op": "subscribe"}', 'subscription_ack'],
    ['{"success":false,"ret_msg":"Invalid symbol :[BTCXYZ]","conn_id":"x","op":"subscribe"}', 'request_error'],
  ])('when the reply %s arrives then it is control %s, not published', (text, control) => {
    expect(bybitAdapter.classify(text)).toEqual({ channel: 'other', symbol: '_', control });
  });

  it.each([
    ['not JSON', 'pong'],
    ['truncated JSON', DOC_TRADE.slice(0, 20)],
    ['an array', '[]'],
    ['an unknown op', '{"op":"auth","success":true}'],
    ['an unknown topic', '{"topic":"tickers.BTCUSDT","data":{}}'],
    ['an unknown quote coin', '{"topic":"publicTrade.BTCXYZ","data":[]}'],
    ['a topic that is an array', '{"topic":["publicTrade.BTCUSDT"],"data":[]}'],
    ['an empty frame', ''],
  ])('when the frame is %s then it is "other" with no symbol and no msg id', (_what, text) => {
    expect(bybitAdapter.classify(text)).toEqual({ channel: 'other', symbol: '_' });
  });
});
