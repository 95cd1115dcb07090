import { RequestOne } from '@nats-io/nats-core/internal';

/**
 * Works around a hot-path cost in nats.js 3.3.1 (pinned): `RequestOne.resolver()` settles the request, then calls
 * `cancel()`, which builds `new RequestError("cancelled")` (a stack capture) only to reject an already-settled
 * promise, a no-op. Every JetStream publish is such a request, so this was ~7% of the normalizer's CPU plus the
 * garbage it makes (docs/benchmarks.md). After the resolver ran, cancel() now only does its cleanup (timer and
 * mux), which is all the original achieves in that case. Covered by request-patch.spec.ts, which also fails if the
 * library version moves, so the patch is re-checked on every upgrade.
 */
export const PATCHED_NATS_CORE_VERSION = '3.3.1';

interface RequestInternals {
  timer?: { cancel(): void };
  mux: { cancel(r: unknown): void };
  feedSettled?: boolean;
  resolver(err: Error | null, msg: unknown): void;
  cancel(err?: Error): void;
}

let applied = false;

export function applyRequestPatch(): void {
  if (applied) return;
  applied = true;
  const proto = RequestOne.prototype as unknown as RequestInternals;
  const resolver = proto.resolver;
  const cancel = proto.cancel;
  proto.resolver = function (this: RequestInternals, err: Error | null, msg: unknown): void {
    this.feedSettled = true;
    resolver.call(this, err, msg);
  };
  proto.cancel = function (this: RequestInternals, err?: Error): void {
    if (err === undefined && this.feedSettled) {
      this.timer?.cancel();
      this.mux.cancel(this);
      return;
    }
    cancel.call(this, err);
  };
}
