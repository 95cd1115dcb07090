import type { Keys } from '@feed/keys';
import type { TradeV1 } from '@feed/price-types';
import { notionalLimbText, volumeLimbText } from './candle-math';
import { CANDLE_INTERVALS, type CandleSettings } from './candle-settings';

/** The candle part of the apply script's header (candle-lua.ts): prefixes, close delay, finality, interval spec. */
export function candleHeader(keys: Keys, s: CandleSettings): string[] {
  const spec = CANDLE_INTERVALS.map((i) => `${i.name}:${i.seconds}:${s.retention[i.name]}`).join(',');
  return [keys.candlePrefix(), keys.candleIndexPrefix(), String(s.closeDelayMs), String(s.finalityMs), spec];
}

/**
 * Appends a trade's candle fields, computed exactly here rather than in Lua (whose numbers are doubles): its 1s bar
 * start (epoch s), price, receive time, and volume / notional as base-1e9 limbs.
 */
export function pushCandleTradeArgs(out: string[], t: TradeV1, s: CandleSettings): void {
  out.push(
    // 'f': venue time too far ahead of receive time: kept out of the candles, reported (flag 3)
    t.venueTimeUs > t.recvTimeUs + s.maxFutureMs * 1000 ? 'f' : '1',
    String(Math.floor(t.venueTimeUs / 1_000_000)),
    t.price,
    String(t.recvTimeUs),
    volumeLimbText(t.size),
    notionalLimbText(t.price, t.size),
    t.symbol,
  );
}
