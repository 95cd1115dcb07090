import { statsFromMinutes } from './index-stats';

const bar = (m: number, open: string, high: string, low: string, close: string, n = 60) => ({ m, open, high, low, close, n });

describe('statsFromMinutes', () => {
  it('given bars when summarized then open is the first open, last the last close, extremes over all, change exact', () => {
    expect(statsFromMinutes([bar(0, '60000.11', '60010', '59990.5', '60001'), bar(60, '60001', '60020.25', '60000', '60001.06', 30)])).toEqual({
      open: '60000.11',
      high: '60020.25',
      low: '59990.5',
      last: '60001.06',
      change: '0.95',
      changePct: '0.0016',
      seconds: 90,
    });
  });

  it('given a fall when summarized then change and percent are negative, rounded half away from zero', () => {
    // -1 / 8 = -12.5 %; -1 / 3 = -33.33333 % -> -33.3333
    expect(statsFromMinutes([bar(0, '8', '8', '7', '7')])).toMatchObject({ change: '-1', changePct: '-12.5' });
    expect(statsFromMinutes([bar(0, '3', '3', '2', '2')])).toMatchObject({ change: '-1', changePct: '-33.3333' });
    expect(statsFromMinutes([bar(0, '3', '5', '3', '5')])).toMatchObject({ change: '2', changePct: '66.6667' });
  });

  it('given no bar when summarized then there are no statistics', () => {
    expect(statsFromMinutes([])).toBeUndefined();
  });
});
