import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { renderMonitoringOverride } from './monitoring-configs';
import { REDIS_TARGETS_PATH, redisTargets, renderFileSd, renderPasswordMap, STANDBY_REDIS_URI } from './redis-targets';

const ROOT = path.resolve(__dirname, '../../..');
const HOST = 'db-redis-fra1-12345-do-user-1.db.ondigitalocean.com';

describe('Redis scrape targets', () => {
  it('the managed primary over TLS at its configured host and port, and the standby service', () => {
    expect(redisTargets({ host: HOST, port: 25061 })).toEqual([
      { uri: `rediss://${HOST}:25061`, role: 'primary' },
      { uri: 'redis://redis_redis-standby:6379', role: 'standby' },
    ]);
  });

  it('refuses a host or port that would make a malformed URI', () => {
    expect(() => redisTargets({ host: 'a/b', port: 25061 })).toThrow(/is not a host name/);
    expect(() => redisTargets({ host: '', port: 25061 })).toThrow(/is not a host name/);
    expect(() => redisTargets({ host: HOST, port: Number('x') })).toThrow(/is not a port/);
    expect(() => redisTargets({ host: HOST, port: 70_000 })).toThrow(/is not a port/);
  });

  it('file_sd groups carry the role label the alerts and dashboards select on', () => {
    expect(JSON.parse(renderFileSd(redisTargets({ host: HOST, port: 25061 })))).toEqual([
      { targets: [`rediss://${HOST}:25061`], labels: { role: 'primary' } },
      { targets: ['redis://redis_redis-standby:6379'], labels: { role: 'standby' } },
    ]);
  });

  it("the exporter's password map is keyed by exactly the URIs Prometheus asks for", () => {
    const targets = redisTargets({ host: HOST, port: 25061 });
    const map = JSON.parse(renderPasswordMap(targets, { primary: 'p-pw', standby: 's-pw' })) as Record<string, string>;
    expect(map).toEqual({ [`rediss://${HOST}:25061`]: 'p-pw', [STANDBY_REDIS_URI]: 's-pw' });
    const sd = JSON.parse(renderFileSd(targets)) as Array<{ targets: string[] }>;
    expect(Object.keys(map).sort()).toEqual(sd.flatMap((g) => g.targets).sort());
  });

  it('the standby URI names the standby service the redis stack runs and the apps read', () => {
    const redis = parse(readFileSync(path.join(ROOT, 'deploy/swarm/redis.yml'), 'utf8'), { merge: true }) as { services: Record<string, unknown> };
    expect(Object.keys(redis.services)).toContain('redis-standby');
    // deploy.sh deploys redis.yml as the stack "redis": the service is redis_redis-standby on the shared network.
    expect(readFileSync(path.join(ROOT, 'tools/swarm/deploy.sh'), 'utf8')).toMatch(/deploy redis -c "\$swarm_dir\/redis\.yml"/);
    expect(readFileSync(path.join(ROOT, 'deploy/swarm/feed.yml'), 'utf8')).toContain('REDIS_STANDBY_HOST: redis_redis-standby');
    expect(new URL(STANDBY_REDIS_URI).hostname).toBe('redis_redis-standby');
  });

  it("prometheus.yml's redis job reads the generated file, and the override mounts it there", () => {
    const prom = parse(readFileSync(path.join(ROOT, 'deploy/monitoring/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs?: unknown; file_sd_configs?: Array<{ files: string[] }> }>;
    };
    const job = prom.scrape_configs.find((j) => j.job_name === 'redis');
    expect(job?.static_configs).toBeUndefined();
    expect(job?.file_sd_configs).toEqual([{ files: [REDIS_TARGETS_PATH] }]);

    const dir = mkdtempSync(path.join(tmpdir(), 'redis-targets-'));
    try {
      const file = path.join(dir, 'redis.json');
      writeFileSync(file, renderFileSd(redisTargets({ host: HOST, port: 25061 })));
      const doc = parse(renderMonitoringOverride({ rules: [], dashboards: [] }, { redisTargetsFile: file })) as {
        services: { prometheus: { configs: Array<{ source: string; target: string }> } };
        configs: Record<string, { file: string }>;
      };
      const mount = doc.services.prometheus.configs.find((c) => c.target === REDIS_TARGETS_PATH);
      expect(mount?.source).toMatch(/^feed_prom_targets_redis_[0-9a-f]{10}$/);
      expect(doc.configs[mount?.source ?? '']?.file).toBe(file);
      // Without the file (an old state dir) nothing is mounted there: Prometheus then simply has no Redis targets.
      const bare = parse(renderMonitoringOverride({ rules: [], dashboards: [] })) as typeof doc;
      expect(bare.services.prometheus.configs.map((c) => c.target)).not.toContain(REDIS_TARGETS_PATH);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
