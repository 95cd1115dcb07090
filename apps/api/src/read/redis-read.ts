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

/** A reader's source: one Redis (no fallback), or the read switch (current target, the other as a one-shot fallback). */
export function routingOf(source: Redis | ReadRouting): ReadRouting {
  return 'servedByFallback' in source ? source : { current: () => source, fallback: () => undefined, servedByFallback: () => undefined };
}
