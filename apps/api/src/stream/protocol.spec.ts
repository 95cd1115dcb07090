import { frame, frameFromJson, parseClientMessage } from './protocol';

describe('parseClientMessage', () => {
  it('parses subscribe with and without fromSeq, unsubscribe and ping', () => {
    expect(parseClientMessage('{"op":"subscribe","channel":"trades","symbol":"BTC-USDT","fromSeq":123}')).toEqual({
      ok: true,
      msg: { op: 'subscribe', channel: 'trades', symbol: 'BTC-USDT', fromSeq: 123 },
    });
    expect(parseClientMessage('{"op":"subscribe","channel":"trades","symbol":"BTC-USD"}')).toEqual({
      ok: true,
      msg: { op: 'subscribe', channel: 'trades', symbol: 'BTC-USD', fromSeq: undefined },
    });
    expect(parseClientMessage('{"op":"subscribe","channel":"trades","symbol":"BTC-USD","fromSeq":null}')).toMatchObject({ ok: true, msg: { fromSeq: undefined } });
    expect(parseClientMessage('{"op":"unsubscribe","channel":"trades","symbol":"BTC-USD"}')).toEqual({
      ok: true,
      msg: { op: 'unsubscribe', channel: 'trades', symbol: 'BTC-USD' },
    });
    expect(parseClientMessage('{"op":"ping","extra":1}')).toEqual({ ok: true, msg: { op: 'ping' } });
  });

  it('keeps a well-formed but unserved channel or symbol for the session to answer (no close)', () => {
    expect(parseClientMessage('{"op":"subscribe","channel":"quotes","symbol":"ETH-USDT"}')).toMatchObject({ ok: true, msg: { channel: 'quotes', symbol: 'ETH-USDT' } });
  });

  it.each([
    ['not JSON', '{op:', 1007, 'bad_json'],
    ['an array', '[]', 1007, 'not_object'],
    ['a string', '"ping"', 1007, 'not_object'],
    ['null', 'null', 1007, 'not_object'],
    ['unknown op', '{"op":"hack"}', 1008, 'unknown_op'],
    ['missing op', '{}', 1008, 'unknown_op'],
    ['bad symbol', '{"op":"subscribe","channel":"trades","symbol":"btc usdt"}', 1008, 'bad_symbol'],
    ['missing symbol', '{"op":"subscribe","channel":"trades"}', 1008, 'bad_symbol'],
    ['non-string channel', '{"op":"subscribe","channel":5,"symbol":"BTC-USDT"}', 1008, 'bad_channel'],
    ['negative fromSeq', '{"op":"subscribe","channel":"trades","symbol":"BTC-USDT","fromSeq":-1}', 1008, 'bad_from_seq'],
    ['fractional fromSeq', '{"op":"subscribe","channel":"trades","symbol":"BTC-USDT","fromSeq":1.5}', 1008, 'bad_from_seq'],
    ['string fromSeq', '{"op":"subscribe","channel":"trades","symbol":"BTC-USDT","fromSeq":"5"}', 1008, 'bad_from_seq'],
    ['huge fromSeq', '{"op":"subscribe","channel":"trades","symbol":"BTC-USDT","fromSeq":1e300}', 1008, 'bad_from_seq'],
  ])('refuses %s', (_n, text, code, reason) => {
    expect(parseClientMessage(text)).toMatchObject({ ok: false, closeCode: code, reason });
  });
});

describe('frames', () => {
  it('are always {"v":1,"type","data":[...]} with an array, also when built from item JSON', () => {
    expect(JSON.parse(frame('pong', [{ lastSeq: 3 }]))).toEqual({ v: 1, type: 'pong', data: [{ lastSeq: 3 }] });
    expect(JSON.parse(frameFromJson('trades', ['{"seq":1}', '{"seq":2}']))).toEqual({ v: 1, type: 'trades', data: [{ seq: 1 }, { seq: 2 }] });
    expect(JSON.parse(frameFromJson('trades', ['{"seq":1}']))).toEqual({ v: 1, type: 'trades', data: [{ seq: 1 }] });
  });
});
