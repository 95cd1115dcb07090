import { REST_VENUES } from '.';

const RECV = 1_800_000_000_000_000;
const venue = (v: keyof typeof REST_VENUES) => REST_VENUES[v] as NonNullable<(typeof REST_VENUES)[typeof v]>;

describe('REST recent-trades parsers (repair)', () => {
  it('binance: the documented example row; ids read from the text (beyond 2^53 exact); isBuyerMaker true -> taker sold', () => {
    const text = '[{"id":9007199254740993,"price":"4.00000100","qty":"12.00000000","quoteQty":"48.000012","time":1499865549590,"isBuyerMaker":true,"isBestMatch":true}]';
    expect(venue('binance').parse(text, 'BTC-USDT', RECV, 'live')).toEqual([
      { v: 1, type: 'trade', id: 'trade:binance:BTC-USDT:9007199254740993', venue: 'binance', symbol: 'BTC-USDT', source: 'live', recvTimeUs: RECV, tradeId: '9007199254740993', price: '4.000001', size: '12', side: 'sell', venueTimeUs: 1_499_865_549_590_000 },
    ]);
    expect(venue('binance').url('http://sim:1/binance/', 'BTC-USDT')).toBe('http://sim:1/binance/api/v3/trades?symbol=BTCUSDT&limit=1000');
  });

  it('kraken: rows [price, volume, time, side, type, misc, trade_id] under the pair key; time in seconds read exactly', () => {
    const text = '{"error":[],"result":{"XXBTZUSD":[["30243.40000","0.34507674",1688669597.8277369,"b","m","",61000001]],"last":"1688671969993150842"}}';
    const [t] = venue('kraken').parse(text, 'BTC-USD', RECV, 'simulated');
    expect(t).toMatchObject({ id: 'trade:kraken:BTC-USD:61000001', tradeId: '61000001', price: '30243.4', size: '0.34507674', side: 'buy', venueTimeUs: 1_688_669_597_827_736 });
    expect(() => venue('kraken').parse('{"error":["EQuery:Unknown asset pair"]}', 'BTC-USD', RECV, 'live')).toThrow(expect.objectContaining({ code: 'bad_enum' }));
    expect(venue('kraken').url('http://k', 'BTC-USD')).toBe('http://k/0/public/Trades?pair=XBTUSD&count=1000');
  });

  it('okx: the documented shape (newest first), side of the taker as given; an error code is refused', () => {
    const text = '{"code":"0","msg":"","data":[{"instId":"BTC-USDT","side":"sell","sz":"0.00001","px":"29963.2","tradeId":"242720720","ts":"1654161646974","source":"0"}]}';
    expect(venue('okx').parse(text, 'BTC-USDT', RECV, 'live')).toEqual([
      { v: 1, type: 'trade', id: 'trade:okx:BTC-USDT:242720720', venue: 'okx', symbol: 'BTC-USDT', source: 'live', recvTimeUs: RECV, tradeId: '242720720', price: '29963.2', size: '0.00001', side: 'sell', venueTimeUs: 1_654_161_646_974_000 },
    ]);
    expect(() => venue('okx').parse('{"code":"51001","msg":"Instrument ID does not exist","data":[]}', 'BTC-USDT', RECV, 'live')).toThrow(expect.objectContaining({ code: 'bad_enum', field: 'code' }));
  });

  it('coinbase: trades of the public market-trades endpoint; side is the MAKER side (BUY -> taker sold)', () => {
    const text = '{"trades":[{"trade_id":"34b080bf-fcfd-445a-832b-46b5ddc65601","product_id":"BTC-USD","price":"140.91","size":"4","time":"2021-05-31T09:59:59.000Z","side":"BUY","exchange":"coinbase"}],"best_bid":"1","best_ask":"2"}';
    expect(venue('coinbase').parse(text, 'BTC-USD', RECV, 'live')).toEqual([
      { v: 1, type: 'trade', id: 'trade:coinbase:BTC-USD:34b080bf-fcfd-445a-832b-46b5ddc65601', venue: 'coinbase', symbol: 'BTC-USD', source: 'live', recvTimeUs: RECV, tradeId: '34b080bf-fcfd-445a-832b-46b5ddc65601', price: '140.91', size: '4', side: 'sell', venueTimeUs: 1_622_455_199_000_000 },
    ]);
  });
});
