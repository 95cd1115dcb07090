import { isSymbol } from '@feed/price-types';

/**
 * The stream's wire format, version 1 (decision 11). Server frames are always
 * `{"v":1,"type":<type>,"data":[...]}`, with an array even for one item. Client messages are small JSON objects:
 *   {"op":"subscribe","channel":"trades","symbol":"BTC-USDT","fromSeq":123}   fromSeq optional (resume)
 *   {"op":"subscribe","channel":"index","symbol":"BTC-USD"}                    newest value at once, then each new one
 *   {"op":"unsubscribe","channel":"trades","symbol":"BTC-USDT"}
 *   {"op":"subscribe","channel":"candles","symbol":"BTC-USDT","interval":"1m","venue":"binance"}   venue optional
 *   {"op":"subscribe","channel":"stats","symbol":"BTC-USDT"}                                        venue optional
 *   {"op":"ping"}
 * Polled channels (candles, stats: polled-channels.ts) take `venue` (absent = composite) and `interval`.
 */
export const WIRE_VERSION = 1;

export type FrameType = 'trades' | 'index' | 'candles' | 'stats' | 'subscribed' | 'unsubscribed' | 'pong' | 'error';

/**
 * Channels pushed by the api itself: `trades` from the log, `index`: composite index values (stream/index-push.ts),
 * served when the deployment computes an index. The polled channels (candles, stats: polled-channels.ts) are listed
 * by the server.
 */
export const CHANNELS = ['trades', 'index'] as const;

/** Optional subscription parameters of the polled channels. */
export interface ChannelParams {
  venue?: string;
  interval?: string;
}

export type ClientMessage =
  | ({ op: 'subscribe'; channel: string; symbol: string; fromSeq: number | undefined } & ChannelParams)
  | ({ op: 'unsubscribe'; channel: string; symbol: string } & ChannelParams)
  | { op: 'ping' };

/** Close codes (RFC 6455): 1007 payload not what the protocol says, 1008 policy violation, 1003 binary data. */
export const CloseCode = {
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policy: 1008,
  tooLarge: 1009,
  tryAgainLater: 1013,
} as const;

export type ParseResult = { ok: true; msg: ClientMessage } | { ok: false; closeCode: number; reason: string; message: string };

function reject(closeCode: number, reason: string, message: string): ParseResult {
  return { ok: false, closeCode, reason, message };
}

/**
 * Parses one client text message. Malformed JSON or a non-object -> 1007; a well-formed message that breaks the
 * protocol (unknown op, symbol not in BASE-QUOTE form, bad fromSeq) -> 1008. A well-formed but unserved channel or
 * symbol is NOT a parse failure: the session answers it with an error item and keeps the connection.
 */
export function parseClientMessage(text: string): ParseResult {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return reject(CloseCode.invalidPayload, 'bad_json', 'message is not JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return reject(CloseCode.invalidPayload, 'not_object', 'message must be a JSON object');
  const o = v as Record<string, unknown>;
  switch (o['op']) {
    case 'ping':
      return { ok: true, msg: { op: 'ping' } };
    case 'subscribe':
    case 'unsubscribe': {
      const channel = o['channel'];
      const symbol = o['symbol'];
      if (typeof channel !== 'string' || channel.length === 0 || channel.length > 32) return reject(CloseCode.policy, 'bad_channel', 'channel must be a short string');
      if (!isSymbol(symbol)) return reject(CloseCode.policy, 'bad_symbol', 'symbol must be a canonical BASE-QUOTE symbol such as BTC-USDT');
      const params: ChannelParams = {};
      for (const name of ['venue', 'interval'] as const) {
        const v = o[name];
        if (v === undefined || v === null) continue;
        if (typeof v !== 'string' || !/^[a-z0-9]{1,16}$/.test(v)) return reject(CloseCode.policy, `bad_${name}`, `${name} must be a short lowercase name`);
        params[name] = v;
      }
      if (o['op'] === 'unsubscribe') return { ok: true, msg: { op: 'unsubscribe', channel, symbol, ...params } };
      const from = o['fromSeq'];
      if (from !== undefined && from !== null && !(typeof from === 'number' && Number.isSafeInteger(from) && from >= 0)) {
        return reject(CloseCode.policy, 'bad_from_seq', 'fromSeq must be a non-negative integer');
      }
      return { ok: true, msg: { op: 'subscribe', channel, symbol, fromSeq: typeof from === 'number' ? from : undefined, ...params } };
    }
    default:
      return reject(CloseCode.policy, 'unknown_op', 'op must be subscribe, unsubscribe or ping');
  }
}

/** A frame from items that are already JSON text (trade items are serialized once, not once per client). */
export function frameFromJson(type: FrameType, itemsJson: readonly string[]): string {
  return `{"v":${WIRE_VERSION},"type":"${type}","data":[${itemsJson.join(',')}]}`;
}

export function frame(type: FrameType, items: readonly unknown[]): string {
  return JSON.stringify({ v: WIRE_VERSION, type, data: items });
}
