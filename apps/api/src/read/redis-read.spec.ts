import type { Redis } from 'ioredis';
import { UnavailableError } from '../errors';
import { readWithFallback } from './redis-read';
import type { ReadRouting } from './read-switch';

/*
 * The fallback rule alone (pure policy: which Redis is asked, what is reported). The Redis handles are stand-in
 * tokens the read function recognises; read-switch.int.spec.ts runs the same rule against real redis-servers.
 */
const PRIMARY = { name: 'primary' } as unknown as Redis;
const STANDBY = { name: 'standby' } as unknown as Redis;

function routing(fallback: Redis | undefined): ReadRouting & { served: number } {
  const r = { served: 0, current: () => PRIMARY, fallback: () => fallback, servedByFallback: () => void r.served++ };
  return r;
}

const outage = new UnavailableError('primary down');

describe('readWithFallback', () => {
  it('Given the current Redis answers When read Then its answer is returned and the other is never asked', async () => {
    const r = routing(STANDBY);
    const asked: Redis[] = [];
    expect(await readWithFallback(r, async (x) => (asked.push(x), 'p'))).toBe('p');
    expect(asked).toEqual([PRIMARY]);
    expect(r.served).toBe(0);
  });

  it('Given an outage on the current Redis and a standby that answered its probe When read Then the standby answers, counted once', async () => {
    const r = routing(STANDBY);
    const v = await readWithFallback(r, async (x) => {
      if (x === PRIMARY) throw outage;
      return 's';
    });
    expect(v).toBe('s');
    expect(r.served).toBe(1);
  });

  it('Given an outage and no usable other Redis When read Then the outage is reported', async () => {
    await expect(readWithFallback(routing(undefined), async () => Promise.reject(outage))).rejects.toBe(outage);
  });

  it('Given an error that is not an outage When read Then it is reported without asking the other Redis (it would fail there too)', async () => {
    const r = routing(STANDBY);
    const asked: Redis[] = [];
    const refused = new Error('WRONGTYPE');
    await expect(readWithFallback(r, async (x) => (asked.push(x), Promise.reject(refused)))).rejects.toBe(refused);
    expect(asked).toEqual([PRIMARY]);
  });

  it('Given both Redis fail When read Then the current target’s failure is reported and nothing counts as served by the fallback', async () => {
    const r = routing(STANDBY);
    const second = new UnavailableError('standby down too');
    await expect(readWithFallback(r, async (x) => Promise.reject(x === PRIMARY ? outage : second))).rejects.toBe(outage);
    expect(r.served).toBe(0);
  });
});
