import type { TradeV1 } from '@feed/price-types';
import { LateTradeLog } from './late-trades';

function late(venue: string, id: number, lateMs: number): TradeV1 {
  const venueTimeUs = 1_795_939_333_000_000 + id * 1000;
  return { v: 1, type: 'trade', id: `trade:${venue}:BTC-USDT:${id}`, venue, symbol: 'BTC-USDT', source: 'live', tradeId: String(id), price: '1', size: '1', side: 'buy', venueTimeUs, recvTimeUs: 1_795_939_334_000_000 + lateMs * 1000 } as TradeV1;
}

describe('given late trades reported by the apply script', () => {
  it('when many arrive within one interval then each is counted by venue and ONE bounded line is logged per interval', () => {
    const lines: Array<Record<string, unknown>> = [];
    const counted: Record<string, number> = {};
    let now = 1_000_000;
    const l = new LateTradeLog({ warn: (o: object) => void lines.push(o as Record<string, unknown>) } as never, { inc: (lbl: { venue: string }) => void (counted[lbl.venue] = (counted[lbl.venue] ?? 0) + 1) } as never, 10_000, () => now);
    l.record([late('binance', 1, 70_000)]);
    expect(lines).toHaveLength(1);
    for (let i = 2; i < 1002; i++) l.record([late(i % 2 ? 'okx' : 'binance', i, 61_000 + i)]);
    expect(lines).toHaveLength(1);
    expect(counted).toEqual({ binance: 501, okx: 500 });
    now += 10_000;
    l.record([]);
    l.flush();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ lateTrades: 1000, byVenue: { binance: 500, okx: 500 }, maxLateAfterBarEndMs: 61_999 });
    expect((lines[1]?.['examples'] as string[]).length).toBe(5);
    l.flush();
    expect(lines).toHaveLength(2);
  });
});

describe('given trades with venue times in the future', () => {
  it('when reported then they are counted by venue with reason future_time and named in the same bounded line', () => {
    const lines: Array<Record<string, unknown>> = [];
    const counted: string[] = [];
    const l = new LateTradeLog({ warn: (o: object) => void lines.push(o as Record<string, unknown>) } as never, { inc: () => undefined } as never, 10_000, () => 20_000, {
      inc: (lbl: { venue: string; reason: string }) => void counted.push(`${lbl.venue}/${lbl.reason}`),
    } as never);
    l.record([], [late('kraken', 1, 0), late('kraken', 2, 0)]);
    expect(counted).toEqual(['kraken/future_time', 'kraken/future_time']);
    expect(lines).toEqual([expect.objectContaining({ lateTrades: 0, futureTimeTrades: 2, futureByVenue: { kraken: 2 } })]);
  });
});
