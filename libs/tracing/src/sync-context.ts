import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';

/**
 * A context manager without asynchronous propagation: the context given to `with()` is active for the synchronous
 * part of its callback and restored after it, nested or thrown through; an `await` continuation starts again from
 * the context that was active when the event loop resumed it (the root). Code that needs the context after an
 * await re-enters it explicitly (`context.with(ctx, ...)` with the context it captured before awaiting).
 *
 * Why: the default AsyncLocalStorage manager makes Node 20 run an async-hooks init hook for every promise the
 * process creates, from its first `with()` on (the batch span processor's own export call is one), whatever the
 * sampling ratio; ingest, the normalizer and the persister create several promises per message in nats.js. Their
 * spans take explicit parents (the NATS spans carry `Delivered.ctx` or the publish's `trace` argument) and the
 * persister's one instrumented call, the batch's Redis script, is issued synchronously inside the batch span's
 * `with()`, so they do not need propagation across awaits; the api does (express handlers await Redis reads) and
 * keeps AsyncLocalStorage. Measured in docs/benchmarks.md (tracing overhead).
 */
export class SyncContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;

  active(): Context {
    return this.current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const previous = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const manager = this;
    const fn = target as unknown as (...a: unknown[]) => unknown;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => fn.apply(this, args));
    } as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}
