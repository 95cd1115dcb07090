import type { ConfigReader } from '@feed/config';
import type { Keys } from '@feed/keys';
import type { ScriptProjection } from './script-projection';

/**
 * Settings of the derived projections, read once by every program that applies the log (the persister and the
 * replay tool), so a replay computes exactly what the live persister computed.
 */
export interface ProjectionSettings {
  keys: Keys;
}

/** Reads the derived projections' settings (none yet beyond the key prefix). */
export function readProjectionSettings(_r: ConfigReader, keys: Keys): ProjectionSettings {
  return { keys };
}

/**
 * The script projections run beside the main apply script, in this order. The one list every applier of the log
 * uses: a projection registered here is computed live and rebuilt by a replay alike.
 */
export function scriptProjections(_s: ProjectionSettings): ScriptProjection[] {
  return [];
}
