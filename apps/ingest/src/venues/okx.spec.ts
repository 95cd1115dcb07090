import { okxAdapter } from './okx';
import type { StreamKey } from './venue-adapter';

/* OKX API v5 public WebSocket, https://www.okx.com/docs-v5/en/#overview-websocket (frames from the channel pages). */

const TRADE: StreamKey = { venue: 'okx', channel: 'trade', symbol: 'BTC-USDT' };
const QUOTE: StreamKey = { venue: 'okx', channel: 'quote', symbol: 'BTC-USDT' };

const DOC_TRADES =
  '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"130639474","px":"42219.9","sz":"0.12060306","side":"buy","ts":"1630048897897","count":"3","source":"0","seqId":1234}]}';
const BBO = '{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["111.06","55154","0","2"]],"bids":[["111.05","57745","0","2"]],"ts":"1670324386802","seqId":363996337}]}';

describe('given the OKX adapter URL, subscription and keepalive rules', () => {
  it('when building the URL then it is the v5 public path under the base', () => {
    expect(okxAdapter.url('wss://ws.okx.com:8443', [TRADE])).toBe('wss://ws.okx.com:8443/ws/v5/public');
    expect(okxAdapter.url('ws://127.0.0.1:9000/', [TRADE])).toBe('ws://127.0.0.1:9000/ws/v5/public');
  });

  it('when asked for subscribe messages then all streams go in one op=subscribe request, trades and bbo-tbt', () => {
    expect(okxAdapter.subscribeMessages([TRADE, QUOTE])).toEqual([
      '{"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"},{"channel":"bbo-tbt","instId":"BTC-USDT"}]}',
    ]);
    expect(okxAdapter.subscribeMessages([])).toEqual([]);
  });

  it('when spelling a canonical symbol the OKX way then it is unchanged (instId BTC-USDT)', () => {
    expect(okxAdapter.venueSymbol('BTC-USDT')).toBe('BTC-USDT');
  });

  it('when reading its rules then the client sends the text "ping" every 20 s (OKX closes after 30 s without data)', () => {
    expect(okxAdapter.rules).toEqual({ maxFrameBytes: 65_536, connectionLifetimeMs: 86_400_000, connectionBudget: { max: 1, windowMs: 1_000 }, clientPing: { intervalMs: 20_000, message: 'ping' } });
  });
});

describe('given OKX frames to classify', () => {
  it('when the documented trades push arrives then it is a BTC-USDT trade with msg id trade:okx:BTC-USDT:<tradeId>', () => {
    expect(okxAdapter.classify(DOC_TRADES)).toEqual({ channel: 'trade', symbol: 'BTC-USDT', msgId: 'trade:okx:BTC-USDT:130639474' });
  });

  it('when a trades push holds two trades then it is a trade frame without a msg id (one frame, two events)', () => {
    const two = DOC_TRADES.replace('}]}', '},{"instId":"BTC-USDT","tradeId":"130639475","px":"1","sz":"1","side":"sell","ts":"1630048897898"}]}');
    expect(okxAdapter.classify(two)).toEqual({ channel: 'trade', symbol: 'BTC-USDT' });
  });

  it('when a bbo-tbt push arrives then it is a quote with msg id quote:okx:BTC-USDT:<seqId>', () => {
    expect(okxAdapter.classify(BBO)).toEqual({ channel: 'quote', symbol: 'BTC-USDT', msgId: 'quote:okx:BTC-USDT:363996337' });
  });

  it('when a bbo-tbt push has a negative seqId then it is a quote without a msg id', () => {
    expect(okxAdapter.classify(BBO.replace('363996337', '-1'))).toEqual({ channel: 'quote', symbol: 'BTC-USDT' });
  });

  it.each([
    ['pong', 'pong'],
    ['{"id":"1512","event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"},"connId":"a4d3ae55"}', 'subscription_ack'],
    ['{"event":"unsubscribe","arg":{"channel":"trades","instId":"BTC-USDT"},"connId":"a4d3ae55"}', 'subscription_ack'],
    ['{"id":"1512","event":"error","code":"60012","msg":"Invalid request","connId":"a4d3ae55"}', 'request_error'],
  ])('when the protocol frame %s arrives then it is control %s, not published', (text, control) => {
    expect(okxAdapter.classify(text)).toEqual({ channel: 'other', symbol: '_', control });
  });

  it('when a push of an unsubscribed channel arrives for a known instrument then it is "other" under that symbol', () => {
    expect(okxAdapter.classify('{"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[]}')).toEqual({ channel: 'other', symbol: 'BTC-USDT' });
  });

  it.each([
    ['not JSON', 'ping'],
    ['truncated JSON', DOC_TRADES.slice(0, 30)],
    ['an array', '[]'],
    ['a notice event', '{"event":"notice","code":"64008","msg":"service upgrade"}'],
    ['no arg', '{"data":[]}'],
    ['a swap instrument', '{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[]}'],
    ['an instId that is a number', '{"arg":{"channel":"trades","instId":5},"data":[]}'],
    ['an empty frame', ''],
  ])('when the frame is %s then it is "other" with no symbol and no msg id', (_what, text) => {
    expect(okxAdapter.classify(text)).toEqual({ channel: 'other', symbol: '_' });
  });
});
