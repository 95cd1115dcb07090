import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigReader } from './reader';
import { readReadSwitch, readRedis } from './redis';

function problems(r: ConfigReader): string[] {
  try {
    r.done();
    return [];
  } catch (e) {
    return (e as { problems: string[] }).problems;
  }
}

describe('readReadSwitch (the api read side, decision 10)', () => {
  it('defaults: probe every 500 ms, 1 s probe timeout, fail over after 2 s, switch back within 500 sequences', () => {
    const r = new ConfigReader({});
    expect(readReadSwitch(r)).toEqual({ checkIntervalMs: 500, probeTimeoutMs: 1_000, failAfterMs: 2_000, switchBackMaxBehind: 500, primaryGroup: 'primary', standbyGroup: 'standby' });
    expect(problems(r)).toEqual([]);
  });

  it('time-scaled values for tests, and refuses one group for both Redis', () => {
    const r = new ConfigReader({ REDIS_CHECK_INTERVAL_MS: '50', REDIS_FAILOVER_AFTER_MS: '300', REDIS_SWITCHBACK_MAX_BEHIND: '0', REDIS_STANDBY_GROUP: 'primary' });
    expect(readReadSwitch(r)).toMatchObject({ checkIntervalMs: 50, failAfterMs: 300, switchBackMaxBehind: 0 });
    expect(problems(r)).toEqual(['REDIS_PRIMARY_GROUP and REDIS_STANDBY_GROUP must differ (each Redis has its own persister group)']);
  });
});

describe('readRedis standby names', () => {
  it('the standby also answers to REDIS_STANDBY_* (the swarm stack), password from a file included', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-spec-'));
    const f = path.join(dir, 'pw');
    writeFileSync(f, 'sb\n');
    const r = new ConfigReader({ REDIS_STANDBY_HOST: 'redis_redis-standby', REDIS_STANDBY_PORT: '6380', REDIS_STANDBY_PASSWORD_FILE: f });
    expect(readRedis(r, 'standby')).toEqual({ host: 'redis_redis-standby', port: 6380, db: 0, tls: false, tlsVerify: true, password: 'sb' });
    expect(problems(r)).toEqual([]);
  });
});

describe('readRedis with Sentinel', () => {
  it('the standby may be given by Sentinel alone, with its own credentials from a file-less secret', () => {
    const r = new ConfigReader({ FAILOVER_REDIS_SENTINELS: 'sentinel-a:26379,sentinel-b:26379', FAILOVER_REDIS_SENTINEL_MASTER: 'feed-standby', FAILOVER_REDIS_SENTINEL_PASSWORD: 'sp', FAILOVER_REDIS_USE_TLS: 'true' });
    expect(readRedis(r, 'standby')).toMatchObject({
      tls: true,
      sentinel: { nodes: [{ host: 'sentinel-a', port: 26379 }, { host: 'sentinel-b', port: 26379 }], masterName: 'feed-standby', password: 'sp', tls: true },
    });
    expect(problems(r)).toEqual([]);
  });

  it('Sentinels may run without TLS while the data node uses it', () => {
    const r = new ConfigReader({ REDIS_SENTINELS: 's:26379', REDIS_USE_TLS: 'true', REDIS_SENTINEL_USE_TLS: 'false' });
    expect(readRedis(r, 'primary').sentinel).toEqual({ nodes: [{ host: 's', port: 26379 }], masterName: 'mymaster', tls: false });
  });
});
