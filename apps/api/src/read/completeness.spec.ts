import { isoFromUs } from '@feed/price-types';
import { summarizeCompleteness } from './completeness';

const T = 1_800_000_000_000_000;
const rec = (k: string, s: string, d: number, extra: object = {}) => JSON.stringify({ k, s, a: '1', b: '5', m: 3, d, ...extra });

describe('summarizeCompleteness', () => {
  it('given no records: complete where gaps are detectable, untracked where they are not', () => {
    expect(summarizeCompleteness('binance', 'trade', [])).toMatchObject({ state: 'complete', detectedBy: 'trade_id', gapsDetected: 0 });
    expect(summarizeCompleteness('bybit', 'trade', [])).toMatchObject({ state: 'untracked', detectedBy: null });
    expect(summarizeCompleteness('binance', 'quote', [])).toMatchObject({ state: 'untracked', detectedBy: null });
  });

  it('given an open gap: repairing, counted open', () => {
    const v = summarizeCompleteness('okx', 'trade', [rec('g1', 'repaired', T, { n: 2 }), rec('g1', 'detected', T), rec('g2', 'detected', T + 5)]);
    expect(v).toEqual({ state: 'repairing', detectedBy: 'trade_id', gapsDetected: 2, gapsRepaired: 1, gapsUnrepaired: 0, gapsOpen: 1, missingTrades: 0, repairedTrades: 2, lastGapTime: isoFromUs(T + 5) });
  });

  it('given the newest gap unrepaired: gap, with its missing trades; an older unrepaired one does not hold the state', () => {
    const newestBad = [rec('g1', 'detected', T), rec('g1', 'repaired', T), rec('g2', 'detected', T + 9), rec('g2', 'unrepaired', T + 9, { r: 'no_rest' })];
    expect(summarizeCompleteness('kraken', 'trade', newestBad)).toMatchObject({ state: 'gap', gapsUnrepaired: 1, missingTrades: 3 });
    const olderBad = [rec('g1', 'detected', T), rec('g1', 'unrepaired', T), rec('g2', 'detected', T + 9), rec('g2', 'repaired', T + 9)];
    expect(summarizeCompleteness('kraken', 'trade', olderBad)).toMatchObject({ state: 'complete', gapsUnrepaired: 1, gapsRepaired: 1, missingTrades: 3 });
  });

  it('ignores corrupt members; any order of records gives the same answer', () => {
    const recs = [rec('g1', 'detected', T), 'not json', rec('g1', 'repaired', T, { n: 3 }), '{"k":1}'];
    expect(summarizeCompleteness('binance', 'trade', recs)).toEqual(summarizeCompleteness('binance', 'trade', [...recs].reverse()));
    expect(summarizeCompleteness('binance', 'trade', recs)).toMatchObject({ state: 'complete', gapsDetected: 1, repairedTrades: 3 });
  });
});
