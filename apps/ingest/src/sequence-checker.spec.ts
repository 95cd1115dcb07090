import { SequenceChecker } from './sequence-checker';

describe('SequenceChecker', () => {
  it('Given consecutive numbers on a connection, Then no jump; Given 5 after 2, Then numbers 3..4 are reported missing', () => {
    const c = new SequenceChecker();
    expect([0, 1, 2].map((n) => c.check(1, n))).toEqual([undefined, undefined, undefined]);
    expect(c.check(1, 5)).toEqual({ after: 2, before: 5 });
    expect(c.check(1, 6)).toBeUndefined();
  });

  it('Given two connections (a rotation overlap), Then each is counted on its own', () => {
    const c = new SequenceChecker();
    c.check(1, 10);
    c.check(2, 0);
    expect(c.check(1, 11)).toBeUndefined();
    expect(c.check(2, 1)).toBeUndefined();
  });

  it('Given a reset or a repeat, Then no claim and the baseline moves; Given a forgotten connection, Then it starts afresh', () => {
    const c = new SequenceChecker();
    c.check(1, 10);
    expect(c.check(1, 10)).toBeUndefined();
    expect(c.check(1, 0)).toBeUndefined();
    expect(c.check(1, 1)).toBeUndefined();
    c.forget(1);
    expect(c.check(1, 50)).toBeUndefined();
  });

  it('Given more connections than it remembers, Then the oldest is dropped (bounded memory)', () => {
    const c = new SequenceChecker(2);
    c.check(1, 1);
    c.check(2, 1);
    c.check(3, 1);
    expect(c.check(1, 9)).toBeUndefined(); // forgotten: a new baseline, not a jump
  });
});
