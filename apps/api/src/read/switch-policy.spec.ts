import { decideTarget, type TargetObservation } from './switch-policy';

const S = { failAfterMs: 2_000, switchBackMaxBehind: 100 };
const up = (checkpoint: number): TargetObservation => ({ up: true, checkpoint, downSinceMs: undefined });
const down = (sinceMs: number, checkpoint = 0): TargetObservation => ({ up: false, checkpoint, downSinceMs: sinceMs });

describe('decideTarget (decision 10: the read side of the failover)', () => {
  describe('given reads on the primary', () => {
    it('when the primary answers, then reads stay there whatever the standby does', () => {
      expect(decideTarget('primary', up(10), up(500), 0, S)).toEqual({ target: 'primary' });
      expect(decideTarget('primary', up(10), down(0), 10_000, S)).toEqual({ target: 'primary' });
    });

    it('when the primary has been down for less than the threshold, then reads stay (a blip is not a failover)', () => {
      expect(decideTarget('primary', down(1_000), up(500), 2_999, S)).toEqual({ target: 'primary' });
    });

    it('when the primary has been down for the threshold and the standby answers, then reads go to the standby', () => {
      expect(decideTarget('primary', down(1_000), up(500), 3_000, S)).toEqual({ target: 'standby', reason: 'primary_down' });
    });

    it('when both are down, then reads stay on the primary (nothing to gain; /ready reports it)', () => {
      expect(decideTarget('primary', down(0), down(0), 60_000, S)).toEqual({ target: 'primary' });
    });

    it('without a standby, reads are always on the primary', () => {
      expect(decideTarget('primary', down(0), undefined, 60_000, S)).toEqual({ target: 'primary' });
    });
  });

  describe('given reads on the standby', () => {
    it('when the primary is still down, then reads stay on the standby', () => {
      expect(decideTarget('standby', down(0), up(900), 60_000, S)).toEqual({ target: 'standby' });
    });

    it('when the primary answers but its checkpoint is further behind than allowed, then reads wait on the standby', () => {
      expect(decideTarget('standby', up(799), up(900), 0, S)).toEqual({ target: 'standby' });
    });

    it('when the primary has caught up to within the allowance, then reads switch back automatically', () => {
      expect(decideTarget('standby', up(800), up(900), 0, S)).toEqual({ target: 'primary', reason: 'primary_caught_up' });
      expect(decideTarget('standby', up(950), up(900), 0, S)).toEqual({ target: 'primary', reason: 'primary_caught_up' });
    });

    it('when the standby has failed for the threshold while the primary answers, then reads go back even if the primary is behind', () => {
      expect(decideTarget('standby', up(1), down(0, 900), 1_999, S)).toEqual({ target: 'standby' });
      expect(decideTarget('standby', up(1), down(0, 900), 2_000, S)).toEqual({ target: 'primary', reason: 'standby_down' });
    });

    it('when the standby has been removed from the config, then reads return to the primary', () => {
      expect(decideTarget('standby', up(1), undefined, 0, S)).toEqual({ target: 'primary', reason: 'standby_down' });
    });
  });
});
