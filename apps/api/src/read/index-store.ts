import type { Keys } from '@feed/keys';
import type { IndexMinuteV1, IndexValueV1 } from '@feed/projections';
import type { Redis } from 'ioredis';
import { command, readWithFallback, routingOf } from './redis-read';
import type { ReadRouting } from './read-switch';

/** A stored index value, or undefined when the entry is unreadable (never a reason to fail the whole answer). */
function parseValue(json: string): IndexValueV1 | undefined {
  try {
    const v = JSON.parse(json) as IndexValueV1;
    return v && v.v === 1 && typeof v.t === 'number' && Array.isArray(v.constituents) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the composite index history the persister keeps (one value per grid second, scored by the second). */
export class IndexReader {
  private readonly routing: ReadRouting;

  /** `source`: one Redis, or the read switch (current target, the other Redis as a one-shot fallback). */
  constructor(
    source: Redis | ReadRouting,
    private readonly keys: Keys,
  ) {
    this.routing = routingOf(source);
  }

  async latest(symbol: string): Promise<IndexValueV1 | undefined> {
    const [json] = await this.call((r) => r.zrevrange(this.keys.indexHistory(symbol), 0, 0));
    return json === undefined ? undefined : parseValue(json);
  }

  /** Values with grid second in [fromS, toS], oldest first, at most `limit`. */
  async range(symbol: string, fromS: number, toS: number, limit: number): Promise<IndexValueV1[]> {
    const members = await this.call((r) => r.zrangebyscore(this.keys.indexHistory(symbol), fromS, toS, 'LIMIT', 0, limit));
    return members.map(parseValue).filter((v): v is IndexValueV1 => v !== undefined);
  }

  /** The index's watermark (newest grid second reached), or undefined before the first heartbeat. */
  async watermark(symbol: string): Promise<number | undefined> {
    const v = await this.call((r) => r.get(this.keys.indexWatermark(symbol)));
    return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
  }

  /** Minute bars with first second in [fromS, toS], oldest first (at most 24 h + 1 min of them exist). */
  async minutes(symbol: string, fromS: number, toS: number): Promise<IndexMinuteV1[]> {
    const members = await this.call((r) => r.zrangebyscore(this.keys.indexMinutes(symbol), fromS, toS));
    const out: IndexMinuteV1[] = [];
    for (const m of members) {
      try {
        out.push(JSON.parse(m) as IndexMinuteV1);
      } catch {
        // an unreadable bar is skipped, never a reason to fail the answer
      }
    }
    return out;
  }

  /** One command through readWithFallback (redis-read.ts); any failure of it is an outage of the index store. */
  private call<T>(fn: (r: Redis) => Promise<T>): Promise<T> {
    return readWithFallback(this.routing, (r) => command(fn(r), 'index store'));
  }
}
