import type { ConfigReader } from '@feed/config';
import type { Keys } from '@feed/keys';
import { completenessProjection } from './completeness-projection';
import { readCandleSettings, type CandleSettings } from './candle-settings';
import type { ScriptProjection } from './script-projection';
import { indexProjection, type IndexBatchResult } from './index-projection';
import { readIndexSettings, type IndexSettings } from './index-settings';

/**
 * Settings of the derived projections, read once by every program that applies the log (the persister and the
 * replay tool), so a replay computes exactly what the live persister computed.
 */
export interface ProjectionSettings {
  keys: Keys;
  index: IndexSettings;
  /** Candle rules (close delay, finality horizon, retention): pass them on as ApplyContext.candles. */
  candles: CandleSettings;
}

/** Optional observers of the script projections' results (the persister's metrics; the replay passes none). */
export interface ProjectionHooks {
  index?: (results: IndexBatchResult[]) => void;
}

/** Reads the derived projections' settings. */
export function readProjectionSettings(r: ConfigReader, keys: Keys): ProjectionSettings {
  return { keys, index: readIndexSettings(r), candles: readCandleSettings(r) };
}

/**
 * The script projections run beside the main apply script, in this order. The one list every applier of the log
 * uses: a projection registered here is computed live and rebuilt by a replay alike.
 */
export function scriptProjections(s: ProjectionSettings, hooks: ProjectionHooks = {}): ScriptProjection[] {
  const list: ScriptProjection[] = [];
  if (s.index.enabled && s.index.indices.length > 0) list.push(indexProjection(s.index, s.keys, hooks.index));
  list.push(completenessProjection(s.keys));
  return list;
}
