import type { ChainableCommander, Redis } from 'ioredis';
import { UnavailableError } from '../errors';
import type { ReadRouting } from './read-switch';

/** A Redis failure as the API reports it: 503, with the cause kept for the log. */
export function storeUnavailable(e: unknown, what = 'market data store'): UnavailableError {
  const err = new UnavailableError(`${what} unavailable, retry shortly`);
  err.cause = e;
  return err;
}

/** Runs a pipeline; any failure of it or of one of its commands becomes UnavailableError. */
export async function execPipeline(p: ChainableCommander): Promise<unknown[]> {
  let res: [Error | null, unknown][] | null;
  try {
    res = await p.exec();
  } catch (e) {
    throw storeUnavailable(e);
  }
  if (!res) throw new UnavailableError('Redis returned no reply');
  return res.map(([err, v]) => {
    if (err) throw storeUnavailable(err);
    return v;
  });
}

/**
 * The one read rule of every reader (latest/trades, candles and stats, the index): run `fn` on the current target;
 * when it fails with an outage (UnavailableError) and the other Redis answered its last probe, run it once more
 * there, so clients see no error between a primary failing and the switch declaring it down. When the retry fails
 * too, the current target's failure is reported. Other errors (a refused command, bad data) would fail on the other
 * Redis as well and are not retried. A multi-step read passes all its steps as one `fn`, so it never mixes targets.
 */
export async function readWithFallback<T>(routing: ReadRouting, fn: (r: Redis) => Promise<T>): Promise<T> {
  try {
    return await fn(routing.current());
  } catch (e) {
    const other = routing.fallback();
    if (!other || !(e instanceof UnavailableError)) throw e;
    let v: T;
    try {
      v = await fn(other);
    } catch {
      throw e;
    }
    routing.servedByFallback();
    return v;
  }
}

/** A single command whose failure is an outage of the store (for readers that do not go through a pipeline). */
export async function command<T>(p: Promise<T>, what?: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw storeUnavailable(e, what);
  }
}

/** A reader's source: one Redis (no fallback), or the read switch (current target, the other as a one-shot fallback). */
export function routingOf(source: Redis | ReadRouting): ReadRouting {
  return 'servedByFallback' in source ? source : { current: () => source, fallback: () => undefined, servedByFallback: () => undefined };
}
