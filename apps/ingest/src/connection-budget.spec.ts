import { ConnectionBudget } from './connection-budget';

describe('given a venue connection budget of 3 attempts per 10 s', () => {
  it('when attempts stay within the budget then none waits', () => {
    const b = new ConnectionBudget(3, 10_000);
    for (const t of [0, 1_000, 2_000]) {
      expect(b.waitMs(t)).toBe(0);
      b.take(t);
    }
  });

  it('when a reconnect storm spends the budget then the next attempt waits until the oldest leaves the window', () => {
    const b = new ConnectionBudget(3, 10_000);
    for (const t of [0, 100, 200]) b.take(t);
    expect(b.waitMs(300)).toBe(9_700);
    expect(b.waitMs(9_999)).toBe(1);
    expect(b.waitMs(10_000)).toBe(0);
    b.take(10_000);
    expect(b.waitMs(10_050)).toBe(50); // the attempt at 100 leaves the window at 10,100
  });

  it('when given a budget of zero then it refuses to exist (a venue must allow at least one connection)', () => {
    expect(() => new ConnectionBudget(0, 1_000)).toThrow();
  });
});
