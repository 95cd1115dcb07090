import { krakenAdapter, krakenCanonical } from './kraken';
import type { StreamKey } from './venue-adapter';

/*
 * Kraken WebSocket v2 adapter. Subscribe shapes from https://docs.kraken.com/api/docs/websocket-v2/trade
 * ({"method":"subscribe","params":{"channel":"trade","symbol":[...],"snapshot":true}}) and .../ticker
 * (params.event_trigger "bbo": "on a change in the best-bid-offer price levels"). Classified frames are the pages'
 * examples (trade update, subscribe ack, heartbeat) and the status channel's documented shape.
 */

const TRADE: StreamKey = { venue: 'kraken', channel: 'trade', symbol: 'BTC-USD' };
const QUOTE: StreamKey = { venue: 'kraken', channel: 'quote', symbol: 'BTC-USD' };

const DOC_TRADE_UPDATE =
  '{"channel":"trade","type":"update","data":[{"symbol":"MATIC/USD","side":"sell","price":0.5117,"qty":40.0,"ord_type":"market","trade_id":4665906,"timestamp":"2023-09-25T07:49:37.708706Z"}]}';
const DOC_TRADE_SNAPSHOT =
  '{"channel":"trade","type":"snapshot","data":[{"symbol":"MATIC/USD","side":"buy","price":0.5147,"qty":6423.46326,"ord_type":"limit","trade_id":4665846,"timestamp":"2023-09-25T07:48:36.925533Z"},{"symbol":"MATIC/USD","side":"buy","price":0.5147,"qty":1136.19677815,"ord_type":"limit","trade_id":4665847,"timestamp":"2023-09-25T07:49:36.925603Z"}]}';

describe('given the Kraken adapter URL and subscription rules', () => {
  it('when building the URL then it is the configured v2 endpoint itself', () => {
    expect(krakenAdapter.url('wss://ws.kraken.com/v2', [TRADE])).toBe('wss://ws.kraken.com/v2');
    expect(krakenAdapter.url('ws://127.0.0.1:9002/v2/', [TRADE])).toBe('ws://127.0.0.1:9002/v2');
  });

  it('when only trades are asked then it subscribes to the trade channel with a snapshot (back-fill after a reconnect)', () => {
    expect(krakenAdapter.subscribeMessages([TRADE]).map((m) => JSON.parse(m) as unknown)).toEqual([
      { method: 'subscribe', params: { channel: 'trade', symbol: ['BTC/USD'], snapshot: true } },
    ]);
  });

  it('when quotes are configured too then the ticker channel is subscribed with event_trigger bbo', () => {
    const streams: StreamKey[] = [TRADE, QUOTE, { venue: 'kraken', channel: 'trade', symbol: 'ETH-USD' }];
    expect(krakenAdapter.subscribeMessages(streams).map((m) => JSON.parse(m) as unknown)).toEqual([
      { method: 'subscribe', params: { channel: 'trade', symbol: ['BTC/USD', 'ETH/USD'], snapshot: true } },
      { method: 'subscribe', params: { channel: 'ticker', symbol: ['BTC/USD'], event_trigger: 'bbo' } },
    ]);
  });

  it('when spelling a canonical symbol the Kraken v2 way then the dash becomes a slash', () => {
    expect(krakenAdapter.venueSymbol('BTC-USD')).toBe('BTC/USD');
    expect(krakenCanonical('BTC/USD')).toBe('BTC-USD');
    expect(krakenCanonical('XBTUSD')).toBeUndefined();
    expect(krakenCanonical(42)).toBeUndefined();
  });

  it('when reading its rules then frames are bounded at 256 KiB, connections rotate daily, and no client ping is needed (heartbeats)', () => {
    expect(krakenAdapter.rules).toEqual({ maxFrameBytes: 262_144, connectionLifetimeMs: 86_400_000, connectionBudget: { max: 60, windowMs: 60_000 } });
  });
});

describe('given Kraken frames to classify', () => {
  it('when the documented trade update (one trade) arrives then it is a trade with msg id trade:kraken:<symbol>:<trade_id>', () => {
    expect(krakenAdapter.classify(DOC_TRADE_UPDATE)).toEqual({ channel: 'trade', symbol: 'MATIC-USD', msgId: 'trade:kraken:MATIC-USD:4665906' });
  });

  it('when the documented snapshot (two trades) arrives then it is a trade frame without a msg id', () => {
    expect(krakenAdapter.classify(DOC_TRADE_SNAPSHOT)).toEqual({ channel: 'trade', symbol: 'MATIC-USD' });
  });

  it('when the trade id is above 2^53 then the msg id keeps every digit; when it is not an integer there is none', () => {
    expect(krakenAdapter.classify(DOC_TRADE_UPDATE.replace('4665906', '9007199254740993')).msgId).toBe('trade:kraken:MATIC-USD:9007199254740993');
    expect(krakenAdapter.classify(DOC_TRADE_UPDATE.replace('4665906', '1.5'))).toEqual({ channel: 'trade', symbol: 'MATIC-USD' });
  });

  it('when a trade frame has mixed or bad pairs then it is filed under no symbol', () => {
    const mixed = DOC_TRADE_SNAPSHOT.replace('"symbol":"MATIC/USD","side":"buy","price":0.5147,"qty":1136', '"symbol":"BTC/USD","side":"buy","price":0.5147,"qty":1136');
    expect(krakenAdapter.classify(mixed)).toEqual({ channel: 'trade', symbol: '_' });
    expect(krakenAdapter.classify('{"channel":"trade","type":"update","data":[{"symbol":"XBTUSD"}]}')).toEqual({ channel: 'trade', symbol: '_' });
    expect(krakenAdapter.classify('{"channel":"trade","type":"update","data":"x"}')).toEqual({ channel: 'trade', symbol: '_' });
  });

  it('when a ticker arrives then it is a quote of its pair, without msg id (no update id at Kraken)', () => {
    const t = '{"channel":"ticker","type":"update","data":[{"symbol":"ALGO/USD","bid":0.10025,"bid_qty":740.0,"ask":0.10035,"ask_qty":740.0,"timestamp":"2023-09-25T09:04:31.742648Z"}]}';
    expect(krakenAdapter.classify(t)).toEqual({ channel: 'quote', symbol: 'ALGO-USD' });
    expect(krakenAdapter.classify('{"channel":"ticker","type":"update"}')).toEqual({ channel: 'quote', symbol: '_' });
  });

  it('when the documented heartbeat arrives then it is control', () => {
    expect(krakenAdapter.classify('{\n    "channel": "heartbeat"\n}')).toEqual({ channel: 'other', symbol: '_', control: 'heartbeat' });
  });

  it('when a status update arrives then it is control', () => {
    const status = '{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":12393906104898154338,"system":"online","version":"2.0.4"}]}';
    expect(krakenAdapter.classify(status)).toEqual({ channel: 'other', symbol: '_', control: 'status' });
  });

  it('when the documented subscribe ack, a refusal or a pong arrives then it is control, counted by kind', () => {
    const ack = '{"method":"subscribe","result":{"channel":"trade","snapshot":true,"symbol":"MATIC/USD"},"success":true,"time_in":"2023-09-25T09:21:10.428340Z","time_out":"2023-09-25T09:21:10.428375Z"}';
    expect(krakenAdapter.classify(ack)).toEqual({ channel: 'other', symbol: '_', control: 'subscription_ack' });
    expect(krakenAdapter.classify('{"method":"subscribe","success":false,"error":"Currency pair not supported"}')).toEqual({ channel: 'other', symbol: '_', control: 'request_error' });
    expect(krakenAdapter.classify('{"method":"pong"}')).toEqual({ channel: 'other', symbol: '_', control: 'pong' });
  });

  it.each([
    ['not JSON', 'hello'],
    ['truncated JSON', '{"channel":"trade"'],
    ['a malformed number', '{"channel":"trade","data":[{"trade_id":01}]}'],
    ['a v1 array frame', '[0,[["5541.2","0.15","1534614057.321597","s","l",""]],"trade","XBT/USD"]'],
    ['JSON null', 'null'],
    ['an empty frame', ''],
    ['an unknown channel', '{"channel":"book","type":"update","data":[]}'],
    ['no channel', '{"type":"update","data":[]}'],
  ])('when the frame is %s then it is "other" with no symbol and no msg id', (_what, text) => {
    expect(krakenAdapter.classify(text)).toEqual({ channel: 'other', symbol: '_' });
  });
});
