import type { SequencedEvent } from './batch-args';

/**
 * A projection that runs as its own Lua script in the SAME MULTI/EXEC transaction as the main apply script, so a
 * batch is still applied as one unit (readers never see the main projections without these, or the reverse).
 *
 * The main script owns the applied-id marks; these scripts do not see its per-event "new" flags. So a script
 * projection MUST be idempotent on its own: applying any batch twice, or any batches in any order, must give the
 * same state (max-registers, per-id records, values recomputed from stored inputs). Projections that must count
 * each event once (sums, counts) belong in the main script behind the dedupe check instead.
 */
export interface ScriptProjection {
  /** Stable name: used in metrics and error messages. */
  readonly name: string;
  /** The Lua source; KEYS are not used (keys travel in ARGV, standalone Redis only, like the main script). */
  readonly lua: string;
  /** This batch's ARGV, or undefined when the batch holds nothing for this projection (the script is not run). */
  args(batch: SequencedEvent[]): string[] | undefined;
  /** Optional: the script's reply for a batch it ran on, after the batch was applied (for metrics). */
  onResult?(reply: unknown): void;
  /**
   * Event types this projection applies that the main script does not (e.g. gap): the applier reports them from
   * `counts` instead of as skipped. A projection that claims a type must return its counts.
   */
  readonly claims?: readonly string[];
  /** Per claimed type, how many events of the batch were new to the projection and how many it already held. */
  counts?(reply: unknown): Array<{ type: string; applied: number; duplicates: number }>;
}
