import { ProtocolHandler } from '@nats-io/nats-core/internal';

/**
 * Coalesces a connection's socket writes per event-loop turn instead of per microtask checkpoint (nats.js 3.3.1,
 * pinned). Unpatched, `ProtocolHandler.sendCommand` schedules its flush with `queueMicrotask`, so every promise hop
 * that publishes or acks (a PubAck resolving a batch, the acks of that batch, the next publishes, a pull request)
 * ends in its own `write(2)`: at 2,000 trades/s the native `writeBuffer` was ~20 % of the normalizer's busy CPU and
 * ~16 % of ingest's (docs/benchmarks.md), and nats-server paid a read for each of those small segments. Flushing
 * from `setImmediate` (the check phase, right after the poll phase that delivered the I/O) puts everything a turn
 * produced into one write; the added delay is the rest of that turn, well under a millisecond. The size threshold
 * that flushes inline is kept, and every other flush path (PING/flush(), connect, drain, close) is untouched.
 * Covered by write-coalesce-patch.spec.ts (fails unpatched: ten writes instead of one); request-patch.spec.ts pins
 * the nats-core version both patches were written against, so they are re-checked on upgrade.
 */
interface ProtocolInternals {
  outbound: { length(): number; size(): number; fill(buf: Uint8Array, ...payloads: Uint8Array[]): void };
  pendingLimit: number;
  flushPending(): void;
  sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void;
}

let applied = false;

export function applyWriteCoalescePatch(): void {
  if (applied) return;
  applied = true;
  const proto = ProtocolHandler.prototype as unknown as ProtocolInternals;
  proto.sendCommand = function (this: ProtocolInternals, cmd: string | Uint8Array, ...payloads: Uint8Array[]): void {
    const len = this.outbound.length();
    // Buffer.from, not TextEncoder: small strings come from Node's pooled slab instead of a fresh ArrayBuffer each
    // (3x faster for a protocol line, headers-patch.ts).
    this.outbound.fill(typeof cmd === 'string' ? Buffer.from(cmd, 'utf8') : cmd, ...payloads);
    if (len === 0) setImmediate(() => this.flushPending());
    else if (this.outbound.size() >= this.pendingLimit) this.flushPending();
  };
}
