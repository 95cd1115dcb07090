import { canonicalText, fixedText } from '../decimal-text';
import { FUTURE_MS, HUGE } from './hostile-text';
import type { HostileKind, SimTrade } from '../types';

/**
 * Binance spot trade frames, written as text.
 * https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams ("Trade Streams"):
 *   {"e":"trade","E":<event time ms>,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":<trade time ms>,"m":true,"M":true}
 * Binance writes prices and quantities with 8 fraction digits, trailing zeros kept ("67234.01000000").
 * The id goes into the text digit for digit, so ids above 2^53 stay exact.
 */
export const BINANCE_WIRE_DECIMALS = 8;

export function binanceDecimal(units: number, decimals: number): string {
  return fixedText(units, decimals, BINANCE_WIRE_DECIMALS);
}

interface TradeFields {
  e?: string;
  /** JSON value text of "t" (already quoted when a string). */
  t?: string;
  /** JSON value text of "p"; undefined = field left out. */
  p?: string | undefined;
  q?: string;
  extra?: string;
}

function tradeText(b: SimTrade, f: TradeFields): string {
  const e = f.e ?? 'trade';
  const t = f.t ?? b.tradeId;
  const q = f.q ?? `"${binanceDecimal(b.qtyUnits, b.qtyDecimals)}"`;
  const p = 'p' in f ? f.p : `"${binanceDecimal(b.priceUnits, b.priceDecimals)}"`;
  return (
    `{"e":"${e}","E":${b.eventTimeMs},"s":"${b.symbol}","t":${t}` +
    (p === undefined ? '' : `,"p":${p}`) +
    `,"q":${q},"T":${b.tradeTimeMs},"m":${b.buyerIsMaker},"M":true` +
    (f.extra ?? '') +
    '}'
  );
}

export function encodeBinanceTrade(trade: SimTrade): string {
  return tradeText(trade, {});
}

/** Hostile payloads (hard rule 3 of the brief: venue input is hostile). */
export function encodeBinanceHostile(kind: HostileKind, b: SimTrade, hostileId: string, padding: string): string {
  const t = hostileId;
  switch (kind) {
    case 'non_numeric':
      return tradeText(b, { t, p: '"abc"' });
    case 'negative':
      return tradeText(b, { t, p: '"-1.00000000"' });
    case 'nan':
      return tradeText(b, { t, p: '"NaN"' });
    case 'infinity':
      return tradeText(b, { t, p: '"Infinity"' });
    case 'zero_size':
      return tradeText(b, { t, q: '"0.00000000"' });
    case 'wrong_types':
      // price as a JSON number, trade id as a non-numeric string
      return tradeText(b, { t: '"x"', p: canonicalText(binanceDecimal(b.priceUnits, b.priceDecimals)) });
    case 'missing_field':
      return tradeText(b, { t, p: undefined });
    case 'unknown_type':
      return tradeText(b, { t, e: 'weird' });
    case 'not_json':
      return '{"e":"trade",';
    case 'oversize':
      return tradeText(b, { t, extra: `,"z":"${padding}"` });
    case 'huge_number':
      return tradeText(b, { t, p: `"${HUGE}"` });
    case 'future_time':
      return tradeText({ ...b, tradeTimeMs: FUTURE_MS }, { t });
  }
}
