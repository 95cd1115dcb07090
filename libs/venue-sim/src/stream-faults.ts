import type { Market } from './market';
import type { SimContext } from './sim-context';

/**
 * Fault switches about stream integrity and admission (beside faults.ts):
 *  - gap: the next `count` trades of each market (or one) are generated, using their ids, but not sent;
 *    sequenced protocols (Coinbase) also lose one sequence number per lost message. The skipped trades are
 *    in the gap record and in the REST recent-trades answers, never in the trade record.
 *  - stallHeartbeats: venue heartbeat messages stop for `ms` while trades continue.
 *  - reject429: the next `count` WebSocket upgrades are refused with HTTP 429 and Retry-After.
 *  - gapOne: the next `count` trades skip the oldest subscriber of each market and reach the others `delayMs` late.
 *  - restReject429: the next `count` REST recent-trades requests are refused with HTTP 429 and Retry-After.
 */
export function scheduleGap(ctx: SimContext, count: number, markets: readonly Market[]): number {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
  for (const m of markets) m.pendingSkips += count;
  return markets.length;
}

export function stallHeartbeats(ctx: SimContext, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError('ms must be a non-negative integer');
  ctx.stall.stalledUntilMs = Math.max(ctx.stall.stalledUntilMs, Date.now() + ms);
}

export function reject429(ctx: SimContext, count: number, retryAfterS: number): void {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
  if (!Number.isSafeInteger(retryAfterS) || retryAfterS < 0) throw new RangeError('retryAfterS must be a non-negative integer');
  ctx.reject429.remaining = count;
  ctx.reject429.retryAfterS = retryAfterS;
}

export function restReject429(ctx: SimContext, count: number, retryAfterS: number): void {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
  if (!Number.isSafeInteger(retryAfterS) || retryAfterS < 0) throw new RangeError('retryAfterS must be a non-negative integer');
  ctx.restReject429.remaining = count;
  ctx.restReject429.retryAfterS = retryAfterS;
}

/** Withhold the next `count` trades of the markets from their oldest subscriber; the others get them `delayMs` late. */
export function scheduleGapForOne(count: number, delayMs: number, markets: readonly Market[]): number {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
  if (!Number.isSafeInteger(delayMs) || delayMs < 0) throw new RangeError('delayMs must be a non-negative integer');
  for (const m of markets) m.pendingOneSkips = { count: m.pendingOneSkips.count + count, delayMs };
  return markets.length;
}
