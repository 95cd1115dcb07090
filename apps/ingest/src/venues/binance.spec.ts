import { binanceAdapter } from './binance';
import type { StreamKey } from './venue-adapter';

const BTC_TRADE: StreamKey = { venue: 'binance', channel: 'trade', symbol: 'BTC-USDT' };

describe('given the Binance adapter URL and subscription rules', () => {
  it('when building the URL for BTC-USDT trades then it is the combined-stream endpoint with the stream in the query', () => {
    expect(binanceAdapter.url('wss://stream.binance.com:9443', [BTC_TRADE])).toBe('wss://stream.binance.com:9443/stream?streams=btcusdt@trade');
  });

  it('when the base URL ends with slashes and several streams are asked then they are joined with "/"', () => {
    const streams: StreamKey[] = [BTC_TRADE, { venue: 'binance', channel: 'trade', symbol: 'ETH-BTC' }, { venue: 'binance', channel: 'quote', symbol: 'BTC-USDT' }];
    expect(binanceAdapter.url('ws://127.0.0.1:9000//', streams)).toBe('ws://127.0.0.1:9000/stream?streams=btcusdt@trade/ethbtc@trade/btcusdt@bookTicker');
  });

  it('when asked for subscribe messages then there are none (streams are named in the URL)', () => {
    expect(binanceAdapter.subscribeMessages([BTC_TRADE])).toEqual([]);
  });

  it('when spelling a canonical symbol the Binance way then the dash goes', () => {
    expect(binanceAdapter.venueSymbol('BTC-USDT')).toBe('BTCUSDT');
  });

  it('when reading its rules then frames are bounded at 64 KiB and connections live 24 h', () => {
    expect(binanceAdapter.rules).toEqual({ maxFrameBytes: 65_536, connectionLifetimeMs: 86_400_000, connectionBudget: { max: 100, windowMs: 300_000 } });
  });
});

describe('given frames to classify', () => {
  it('when a raw trade frame arrives then it is a trade of its symbol with msg id trade:binance:<symbol>:<t>', () => {
    expect(binanceAdapter.classify('{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}')).toEqual({
      channel: 'trade',
      symbol: 'BTC-USDT',
      msgId: 'trade:binance:BTC-USDT:12345',
    });
  });

  it('when the trade id is above 2^53 then the msg id keeps every digit', () => {
    const c = binanceAdapter.classify('{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","t":9007199254740993,"p":"1","q":"1","T":1795939333010,"m":false}}');
    expect(c).toEqual({ channel: 'trade', symbol: 'BTC-USDT', msgId: 'trade:binance:BTC-USDT:9007199254740993' });
    expect(binanceAdapter.classify('{"e":"trade","s":"BTCUSDT","t":18446744073709551615}').msgId).toBe('trade:binance:BTC-USDT:18446744073709551615');
  });

  it('when the trade id is not an integer then the frame is still filed as a trade but without a msg id', () => {
    expect(binanceAdapter.classify('{"e":"trade","s":"BTCUSDT","t":"x"}')).toEqual({ channel: 'trade', symbol: 'BTC-USDT' });
    expect(binanceAdapter.classify('{"e":"trade","s":"BTCUSDT","t":1.5}')).toEqual({ channel: 'trade', symbol: 'BTC-USDT' });
  });

  it('when the subscription ack arrives then it is a control frame, not published', () => {
    expect(binanceAdapter.classify('{"result":null,"id":1}')).toEqual({ channel: 'other', symbol: '_', control: 'subscription_ack' });
    expect(binanceAdapter.classify('{"result":["btcusdt@trade"],"id":3}')).toEqual({ channel: 'other', symbol: '_', control: 'subscription_ack' });
  });

  it('when an unknown event of a known symbol arrives then it is "other" under that symbol', () => {
    expect(binanceAdapter.classify('{"e":"aggTrade","s":"BTCUSDT","a":1}')).toEqual({ channel: 'other', symbol: 'BTC-USDT' });
  });

  it.each([
    ['not JSON', 'hello'],
    ['truncated JSON', '{"e":"trade","s":"BTCUSDT"'],
    ['a malformed number', '{"e":"trade","t":01}'],
    ['a JSON string', '"trade"'],
    ['JSON null', 'null'],
    ['a number', '42'],
    ['an array', '[{"e":"trade"}]'],
    ['an empty frame', ''],
    ['a trade with an unknown symbol suffix', '{"e":"trade","s":"BTCXYZ","t":1}'],
    ['a trade with no symbol', '{"e":"trade","t":1}'],
  ])('when the frame is %s then it is "other" with no symbol and no msg id', (_what, text) => {
    expect(binanceAdapter.classify(text)).toEqual({ channel: 'other', symbol: '_' });
  });
});

describe('given Binance best bid/ask (BINANCE_CHANNELS=trade,quote)', () => {
  // The "Individual Symbol Book Ticker Streams" payload of the spot docs, comments removed:
  // https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#individual-symbol-book-ticker-streams
  const DOC_BOOK_TICKER = '{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}';

  it('when the quote channel is configured then <symbol>@bookTicker is named in the URL beside the trade stream', () => {
    const streams: StreamKey[] = [BTC_TRADE, { venue: 'binance', channel: 'quote', symbol: 'BTC-USDT' }];
    expect(binanceAdapter.url('wss://stream.binance.com:9443', streams)).toBe('wss://stream.binance.com:9443/stream?streams=btcusdt@trade/btcusdt@bookTicker');
  });

  it('when the documented bookTicker payload arrives then it is a quote with msg id quote:binance:<symbol>:<u>', () => {
    expect(binanceAdapter.classify(DOC_BOOK_TICKER)).toEqual({ channel: 'quote', symbol: 'BNB-USDT', msgId: 'quote:binance:BNB-USDT:400900217' });
  });

  it('when it comes in the combined-stream wrapper then it is unwrapped, and a u above 2^53 keeps every digit', () => {
    const wrapped = '{"stream":"btcusdt@bookTicker","data":{"u":9007199254740993,"s":"BTCUSDT","b":"67234.01","B":"0.5","a":"67234.02","A":"1.25"}}';
    expect(binanceAdapter.classify(wrapped)).toEqual({ channel: 'quote', symbol: 'BTC-USDT', msgId: 'quote:binance:BTC-USDT:9007199254740993' });
  });

  it('when the futures form ("e":"bookTicker") arrives then it is a quote too', () => {
    expect(binanceAdapter.classify('{"e":"bookTicker","u":5,"s":"BTCUSDT","b":"1","B":"1","a":"2","A":"1"}')).toEqual({ channel: 'quote', symbol: 'BTC-USDT', msgId: 'quote:binance:BTC-USDT:5' });
  });

  it('when the update id is not an integer then it is still a quote, without msg id', () => {
    expect(binanceAdapter.classify('{"u":"x","s":"BTCUSDT","b":"1","B":"1","a":"2","A":"1"}')).toEqual({ channel: 'quote', symbol: 'BTC-USDT' });
  });

  it('when a bookTicker has an unknown symbol or none then it is "other"', () => {
    expect(binanceAdapter.classify('{"u":1,"s":"BTCXYZ","b":"1","a":"2"}')).toEqual({ channel: 'other', symbol: '_' });
    expect(binanceAdapter.classify('{"u":1,"b":"1","a":"2"}')).toEqual({ channel: 'other', symbol: '_' });
  });
});
