import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { readCommon } from './common';
import { ConfigError } from './errors';
import { readHttp } from './http';
import { readNats } from './nats';
import { ConfigReader, type Env } from './reader';
import { readRedis } from './redis';

function problems(r: ConfigReader): string[] {
  try {
    r.done();
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'feed-config-settings-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('readCommon', () => {
  it('has working defaults', () => {
    const r = new ConfigReader({});
    expect(readCommon(r)).toEqual({
      env: 'development',
      instanceId: `${hostname()}-${process.pid}`,
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
      startupTimeoutMs: 30_000,
      prefix: 'feed',
      keyPrefix: 'feed:',
      allowSimulator: true,
    });
    expect(problems(r)).toEqual([]);
  });

  it('reads every setting; the key prefix follows the subject prefix unless set', () => {
    const r = new ConfigReader({ FEED_ENV: 'test', INSTANCE_ID: 'norm-1', LOG_LEVEL: 'DEBUG', SHUTDOWN_TIMEOUT_MS: '2500', STARTUP_TIMEOUT_MS: '800', FEED_PREFIX: 'feed-pr-7' });
    expect(readCommon(r)).toEqual({ env: 'test', instanceId: 'norm-1', logLevel: 'debug', shutdownTimeoutMs: 2_500, startupTimeoutMs: 800, prefix: 'feed-pr-7', keyPrefix: 'feed-pr-7:', allowSimulator: true });
    expect(readCommon(new ConfigReader({ FEED_KEY_PREFIX: 'pv:' })).keyPrefix).toBe('pv:');
    expect(problems(r)).toEqual([]);
  });

  it('production refuses the simulator unless explicitly allowed; NODE_ENV is accepted for FEED_ENV', () => {
    expect(readCommon(new ConfigReader({ FEED_ENV: 'production' })).allowSimulator).toBe(false);
    expect(readCommon(new ConfigReader({ FEED_ENV: 'production', ALLOW_SIMULATOR: 'true' })).allowSimulator).toBe(true);
    expect(readCommon(new ConfigReader({ FEED_ENV: 'development', ALLOW_SIMULATOR: 'no' })).allowSimulator).toBe(false);
    expect(readCommon(new ConfigReader({ NODE_ENV: 'production' })).env).toBe('production');
    expect(readCommon(new ConfigReader({ FEED_ENV: 'test', NODE_ENV: 'production' })).env).toBe('test');
  });

  it.each(['Feed', 'feed.prod', 'feed*', '9feed', 'feed prod', 'a'.repeat(33)])('refuses FEED_PREFIX=%j (it becomes subject and stream names)', (p) => {
    const r = new ConfigReader({ FEED_PREFIX: p, FEED_KEY_PREFIX: 'ok:' });
    readCommon(r);
    const ps = problems(r);
    expect(ps).toHaveLength(1);
    expect(ps[0]).toContain(`FEED_PREFIX=${JSON.stringify(p)} must match`);
  });

  it('refuses a key prefix with characters outside [A-Za-z0-9_.:-] and out-of-range timeouts, all at once', () => {
    const r = new ConfigReader({ FEED_KEY_PREFIX: 'feed key', SHUTDOWN_TIMEOUT_MS: '50', STARTUP_TIMEOUT_MS: '600001', FEED_ENV: 'staging', LOG_LEVEL: 'loud' });
    readCommon(r);
    expect(problems(r)).toEqual([
      'FEED_ENV="staging" is not one of development|test|production',
      'FEED_KEY_PREFIX="feed key" has characters outside [A-Za-z0-9_.:-]',
      'LOG_LEVEL="loud" is not one of fatal|error|warn|info|debug|trace',
      'SHUTDOWN_TIMEOUT_MS=50 is below the minimum 100',
      'STARTUP_TIMEOUT_MS=600001 is above the maximum 600000',
    ]);
  });
});

describe('readNats', () => {
  it('defaults to the local server and takes the name given', () => {
    const r = new ConfigReader({});
    expect(readNats(r, 'persister')).toEqual({ servers: ['nats://127.0.0.1:4222'], name: 'persister' });
    expect(problems(r)).toEqual([]);
  });

  it('accepts a comma-separated list of nats://, tls://, ws:// and wss:// URLs, and the NATS_SERVERS alias', () => {
    const r = new ConfigReader({ NATS_URL: 'nats://n1:4222, tls://n2:4222,ws://n3:8080,wss://n4:443' });
    expect(readNats(r, 'x').servers).toEqual(['nats://n1:4222', 'tls://n2:4222', 'ws://n3:8080', 'wss://n4:443']);
    expect(readNats(new ConfigReader({ NATS_SERVERS: 'nats://a:1' }), 'x').servers).toEqual(['nats://a:1']);
    expect(problems(r)).toEqual([]);
  });

  it.each(['http://n1:4222', 'n1:4222', 'nats://', 'nats://a b'])('refuses the URL %j', (u) => {
    const r = new ConfigReader({ NATS_URL: u });
    readNats(r, 'x');
    expect(problems(r)).toEqual([`NATS_URL entry ${JSON.stringify(u)} is not a nats:// or tls:// URL`]);
  });

  it('user and password come together; the password may come from a file', () => {
    const f = path.join(dir, 'nats-pw');
    writeFileSync(f, 'pw-from-file\n');
    const r = new ConfigReader({ NATS_USER: 'feed', NATS_PASSWORD_FILE: f });
    expect(readNats(r, 'x')).toEqual({ servers: ['nats://127.0.0.1:4222'], name: 'x', user: 'feed', pass: 'pw-from-file' });
    expect(problems(r)).toEqual([]);

    const onlyUser = new ConfigReader({ NATS_USER: 'feed' });
    readNats(onlyUser, 'x');
    expect(problems(onlyUser)).toEqual(['NATS_USER and NATS_PASSWORD must be set together']);
    const onlyPass = new ConfigReader({ NATS_PASSWORD: 'p' });
    readNats(onlyPass, 'x');
    expect(problems(onlyPass)).toEqual(['NATS_USER and NATS_PASSWORD must be set together']);
  });

  it('a token is exclusive with a user; token alone is fine', () => {
    const ok = new ConfigReader({ NATS_TOKEN: 't0k' });
    expect(readNats(ok, 'x').token).toBe('t0k');
    expect(problems(ok)).toEqual([]);
    const bad = new ConfigReader({ NATS_TOKEN: 't0k', NATS_USER: 'u', NATS_PASSWORD: 'p' });
    readNats(bad, 'x');
    expect(problems(bad)).toEqual(['NATS_TOKEN and NATS_USER are exclusive']);
  });
});

describe('readRedis', () => {
  it('primary defaults', () => {
    const r = new ConfigReader({});
    expect(readRedis(r, 'primary')).toEqual({ host: '127.0.0.1', port: 6379, db: 0, tls: false, tlsVerify: true });
    expect(problems(r)).toEqual([]);
  });

  it('reads the legacy v3 names, including REDIS_USE_SSL for REDIS_USE_TLS and a password file', () => {
    const f = path.join(dir, 'redis-pw');
    writeFileSync(f, 'r3d1s\n');
    const env: Env = { REDIS_HOST: 'redis.internal', REDIS_PORT: '6380', REDIS_DB: '2', REDIS_USERNAME: 'feed', REDIS_PASSWORD_FILE: f, REDIS_USE_SSL: 'true', REDIS_SSL_CERT_REQS: 'none', REDIS_CA_FILE: '/run/secrets/ca.pem' };
    const r = new ConfigReader(env);
    expect(readRedis(r, 'primary')).toEqual({ host: 'redis.internal', port: 6380, db: 2, tls: true, tlsVerify: false, username: 'feed', password: 'r3d1s', caFile: '/run/secrets/ca.pem' });
    expect(problems(r)).toEqual([]);
    // The new name wins over the legacy one.
    expect(readRedis(new ConfigReader({ REDIS_USE_TLS: 'false', REDIS_USE_SSL: 'true' }), 'primary').tls).toBe(false);
    expect(readRedis(new ConfigReader({ REDIS_USE_TLS: 'yes' }), 'primary').tls).toBe(true);
  });

  it('refuses bad values, all at once', () => {
    const r = new ConfigReader({ REDIS_PORT: '70000', REDIS_DB: '16', REDIS_USE_SSL: 'sometimes', REDIS_SSL_CERT_REQS: 'optional', REDIS_PASSWORD: 'a', REDIS_PASSWORD_FILE: '/x' });
    readRedis(r, 'primary');
    expect(problems(r)).toEqual([
      'REDIS_USE_SSL="sometimes" is not a boolean (true/false)',
      'REDIS_SSL_CERT_REQS="optional" is not one of required|none',
      'REDIS_PORT=70000 is above the maximum 65535',
      'REDIS_DB=16 is above the maximum 15',
      'REDIS_PASSWORD and REDIS_PASSWORD_FILE are both set: use one',
    ]);
  });

  it('the standby is absent without FAILOVER_REDIS_HOST, even when other FAILOVER_REDIS_* are set', () => {
    const r = new ConfigReader({ FAILOVER_REDIS_PORT: 'not-a-port', FAILOVER_REDIS_PASSWORD: 'x' });
    expect(readRedis(r, 'standby')).toBeUndefined();
    expect(problems(r)).toEqual([]);
  });

  it('the standby reads FAILOVER_REDIS_* (legacy SSL name included) and never the primary settings', () => {
    const r = new ConfigReader({ REDIS_HOST: 'primary', REDIS_PASSWORD: 'primary-pw', FAILOVER_REDIS_HOST: 'standby', FAILOVER_REDIS_PORT: '6390', FAILOVER_REDIS_USE_SSL: '1', FAILOVER_REDIS_PASSWORD: 'sb-pw' });
    expect(readRedis(r, 'standby')).toEqual({ host: 'standby', port: 6390, db: 0, tls: true, tlsVerify: true, password: 'sb-pw' });
    expect(readRedis(r, 'primary')).toMatchObject({ host: 'primary', password: 'primary-pw', tls: false });
    expect(problems(r)).toEqual([]);
  });
});

describe('readHttp', () => {
  it('defaults to 0.0.0.0 and the given port', () => {
    const r = new ConfigReader({});
    expect(readHttp(r, 8081)).toEqual({ host: '0.0.0.0', port: 8081 });
    expect(problems(r)).toEqual([]);
  });

  it('accepts the legacy HEALTH_CHECK_PORT / HEALTH_CHECK_HOST; HTTP_* wins when both are set', () => {
    expect(readHttp(new ConfigReader({ HEALTH_CHECK_PORT: '9000', HEALTH_CHECK_HOST: '127.0.0.1' }), 8081)).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(readHttp(new ConfigReader({ HTTP_PORT: '9100', HEALTH_CHECK_PORT: '9000' }), 8081).port).toBe(9100);
    expect(readHttp(new ConfigReader({ HTTP_PORT: '0' }), 8081).port).toBe(0);
  });

  it('refuses a port out of range, naming the variable that was set', () => {
    const r = new ConfigReader({ HEALTH_CHECK_PORT: '65536' });
    readHttp(r, 8081);
    expect(problems(r)).toEqual(['HEALTH_CHECK_PORT=65536 is above the maximum 65535']);
  });
});
