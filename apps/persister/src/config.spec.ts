import { ConfigReader } from '@feed/config';
import { readConfig } from './config';

const base = { FEED_ENV: 'test', NATS_URL: 'nats://127.0.0.1:4333' };

describe('persister config: which Redis and which group (decision 10)', () => {
  it('defaults to the primary Redis (REDIS_*) and the group "primary"', () => {
    const cfg = readConfig(new ConfigReader({ ...base, REDIS_HOST: 'p', FAILOVER_REDIS_HOST: 's' }));
    expect(cfg).toMatchObject({ redisRole: 'primary', group: 'primary', redis: { host: 'p' } });
  });

  it('PERSISTER_REDIS=standby projects into FAILOVER_REDIS_* under its own group "standby"', () => {
    const cfg = readConfig(new ConfigReader({ ...base, REDIS_HOST: 'p', FAILOVER_REDIS_HOST: 's', FAILOVER_REDIS_PORT: '6390', PERSISTER_REDIS: 'standby' }));
    expect(cfg).toMatchObject({ redisRole: 'standby', group: 'standby', redis: { host: 's', port: 6390 } });
  });

  it('an explicit PERSISTER_GROUP still wins (a preview deployment names its own)', () => {
    expect(readConfig(new ConfigReader({ ...base, FAILOVER_REDIS_HOST: 's', PERSISTER_REDIS: 'standby', PERSISTER_GROUP: 'standby-b' })).group).toBe('standby-b');
  });

  it('PERSISTER_REDIS=standby without a standby endpoint is refused with a clear error', () => {
    expect(() => readConfig(new ConfigReader({ ...base, PERSISTER_REDIS: 'standby' }))).toThrow(/PERSISTER_REDIS=standby needs FAILOVER_REDIS_HOST/);
    expect(() => readConfig(new ConfigReader({ ...base, PERSISTER_REDIS: 'both' }))).toThrow(/PERSISTER_REDIS="both" is not one of primary\|standby/);
  });
});

describe('persister config: linger', () => {
  it('waits 20 ms for fuller batches by default; 0 turns it off; a linger past a quarter of the ack wait is refused', () => {
    expect(readConfig(new ConfigReader(base)).lingerMs).toBe(20);
    expect(readConfig(new ConfigReader({ ...base, PERSISTER_LINGER_MS: '0' })).lingerMs).toBe(0);
    expect(() => readConfig(new ConfigReader({ ...base, PERSISTER_LINGER_MS: '800', PERSISTER_ACK_WAIT_MS: '2000' }))).toThrow(/PERSISTER_LINGER_MS must be at most a quarter of PERSISTER_ACK_WAIT_MS/);
  });
});

describe('persister config: the swarm stack’s standby persister (deploy/swarm/feed.yml)', () => {
  it('PERSISTER_REDIS=standby with the REDIS_STANDBY_* names, beside the managed primary’s TLS settings, projects into the standby without TLS', () => {
    const cfg = readConfig(
      new ConfigReader({ ...base, REDIS_HOST: 'managed', REDIS_PORT: '25061', REDIS_USERNAME: 'default', REDIS_USE_TLS: 'true', PERSISTER_REDIS: 'standby', REDIS_STANDBY_HOST: 'redis_redis-standby', REDIS_STANDBY_PORT: '6379' }),
    );
    expect(cfg).toMatchObject({ redisRole: 'standby', group: 'standby', redis: { host: 'redis_redis-standby', port: 6379 } });
    expect(cfg.redis.tls).toBe(false);
  });
});
