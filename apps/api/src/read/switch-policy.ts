import type { ReadSwitchSettings, RedisRole } from '@feed/config';

/** What one probe round saw of a Redis: reachable, and the checkpoint of the persister group projecting into it. */
export interface TargetObservation {
  up: boolean;
  /** Highest MD stream sequence the group applied (0 when it has applied nothing, or the key is gone). */
  checkpoint: number;
  /** Wall-clock ms since which every probe failed; undefined while it answers. */
  downSinceMs: number | undefined;
}

export type SwitchReason = 'primary_down' | 'primary_caught_up' | 'standby_down';

export interface SwitchDecision {
  target: RedisRole;
  /** Set when the target changes. */
  reason?: SwitchReason;
}

/**
 * The read-side failover rule (decision 10), pure so it is unit-tested rule by rule:
 *  - on the primary: move to the standby once the primary has failed every probe for `failAfterMs` and the
 *    standby answers (a standby that is also down gains nothing: stay, reads fail, /ready says so);
 *  - on the standby: move back as soon as the primary answers and its checkpoint is within
 *    `switchBackMaxBehind` of the standby's (its persister has caught up from its own durable), or when the
 *    standby itself has failed every probe for `failAfterMs` (a primary still catching up beats an unreachable
 *    Redis; one slow probe on a loaded host is not a reason). So reads never stay on the standby while the
 *    primary is healthy and current.
 * Without a standby the target is always the primary.
 */
export function decideTarget(
  active: RedisRole,
  primary: TargetObservation,
  standby: TargetObservation | undefined,
  nowMs: number,
  s: Pick<ReadSwitchSettings, 'failAfterMs' | 'switchBackMaxBehind'>,
): SwitchDecision {
  if (!standby) return active === 'primary' ? { target: 'primary' } : { target: 'primary', reason: 'standby_down' };
  if (active === 'primary') {
    const downFor = primary.up || primary.downSinceMs === undefined ? 0 : nowMs - primary.downSinceMs;
    if (!primary.up && downFor >= s.failAfterMs && standby.up) return { target: 'standby', reason: 'primary_down' };
    return { target: 'primary' };
  }
  if (!primary.up) return { target: 'standby' };
  const standbyDownFor = standby.up || standby.downSinceMs === undefined ? 0 : nowMs - standby.downSinceMs;
  if (!standby.up && standbyDownFor >= s.failAfterMs) return { target: 'primary', reason: 'standby_down' };
  if (primary.checkpoint + s.switchBackMaxBehind >= standby.checkpoint) return { target: 'primary', reason: 'primary_caught_up' };
  return { target: 'standby' };
}
