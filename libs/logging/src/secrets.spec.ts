import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader, readNats, readOtel, readRedis } from '@feed/config';
import { createLogger } from './logger';

/**
 * Secrets never reach a log line: the parsed settings that hold them (Redis and NATS passwords, the NATS token,
 * OTLP exporter credentials), read from `*_FILE` files as in production, logged whole the way a careless startup
 * line would, come out censored, and the secret text appears nowhere in the output.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'feed-logging-secrets-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, `${content}\n`);
  return p;
}

it('startup logs of the parsed config censor every secret read from *_FILE or plain variables', () => {
  const SECRETS = ['redis-file-pw-1', 'standby-pw-2', 'nats-file-pw-3', 'nats-tok-4', 'otlp-bearer-5'];
  const r = new ConfigReader({
    REDIS_PASSWORD_FILE: file('redis', 'redis-file-pw-1'),
    FAILOVER_REDIS_HOST: 'redis-b',
    FAILOVER_REDIS_PASSWORD: 'standby-pw-2',
    NATS_USER: 'feed',
    NATS_PASSWORD_FILE: file('nats', 'nats-file-pw-3'),
    OTEL_EXPORTER_OTLP_HEADERS_FILE: file('otlp', 'Authorization=Bearer otlp-bearer-5'),
  });
  const cfg = { redis: readRedis(r, 'primary'), standby: readRedis(r, 'standby'), nats: readNats(r, 'spec'), otel: readOtel(r) };
  r.done();
  const r2 = new ConfigReader({ NATS_TOKEN: 'nats-tok-4' });
  const tokenCfg = { nats: readNats(r2, 'spec') };
  r2.done();
  // The reader did read the secrets (else this test would prove nothing).
  expect(cfg.redis.password).toBe('redis-file-pw-1');
  expect(cfg.otel.headers).toEqual({ Authorization: 'Bearer otlp-bearer-5' });
  expect(tokenCfg.nats.token).toBe('nats-tok-4');

  const writes: string[] = [];
  const log = createLogger({ service: 'persister', instanceId: 'i-1', level: 'debug', destination: { write: (s: string) => void writes.push(s) } });
  log.info(cfg, 'config loaded');
  log.info({ cfg }, 'config loaded (nested)');
  log.child({ module: 'startup', ...tokenCfg }).info('connecting');
  log.debug({ config: tokenCfg }, 'nested token');

  const out = writes.join('');
  expect(writes).toHaveLength(4);
  for (const s of SECRETS) expect(out).not.toContain(s);
  const first = JSON.parse(writes[0] as string) as Record<string, Record<string, unknown>>;
  expect(first['redis']?.['password']).toBe('[redacted]');
  expect(first['nats']?.['pass']).toBe('[redacted]');
  expect(first['otel']?.['headers']).toBe('[redacted]');
  // Non-secret settings stay readable: redaction is targeted.
  expect(first['redis']?.['port']).toBe(6379);
  expect(first['nats']?.['user']).toBe('feed');
});
