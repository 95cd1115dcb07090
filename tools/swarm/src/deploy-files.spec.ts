import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { findMonitoringFiles, renderMonitoringOverride } from './monitoring-configs';
import { lintStack } from './stack-lint';

/**
 * Validation of the deploy files without a Docker engine (issue 7): every stack passes `docker stack config` and the
 * project's stack lint, the edge config passes `haproxy -c`, every script passes shellcheck, every workflow passes
 * action-validator and names only nx targets that exist, and pins every action to a full commit SHA.
 */
const ROOT = path.resolve(__dirname, '../../..');
const SWARM = path.join(ROOT, 'deploy/swarm');
const STACKS = readdirSync(SWARM).filter((f) => f.endsWith('.yml'));
const SHA = '0123456789abcdef0123456789abcdef01234567';
// What a deploy sets (tools/swarm/deploy.sh); required variables have no default on purpose.
const STACK_ENV = {
  INGEST_IMAGE: `r/feed-ingest:${SHA}`,
  NORMALIZER_IMAGE: `r/feed-normalizer:${SHA}`,
  PERSISTER_IMAGE: `r/feed-persister:${SHA}`,
  API_IMAGE: `r/feed-api:${SHA}`,
  STREAMS_IMAGE: `r/feed-streams:${SHA}`,
  PREVIEW_IMAGE: `r/feed:${SHA}`,
  PREVIEW_PREFIX: 'pv-x',
  REDIS_HOST: 'db-redis.example.db.ondigitalocean.com',
};

function has(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
}

/** In CI a missing tool is a failure; elsewhere the check is skipped with a printed note (never silently). */
function tool(bin: string): boolean {
  if (has(bin)) return true;
  if (process.env['CI'] === 'true') throw new Error(`${bin} is required in CI and is not installed`);
  console.warn(`SKIPPED: ${bin} is not installed here; this check runs in CI`);
  return false;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env }, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('swarm stack files', () => {
  it('are all here', () => {
    expect(STACKS.sort()).toEqual(['edge.yml', 'feed.yml', 'monitoring.yml', 'nats.yml', 'preview.yml', 'redis.yml', 'streams-setup.yml']);
  });

  it.each(STACKS)('%s passes docker stack config', (f) => {
    if (!tool('docker')) return;
    const r = run('docker', ['stack', 'config', '-c', path.join(SWARM, f)], STACK_ENV);
    expect(r.out.includes('services:') ? '' : r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it('a deploy without the pinned image variables fails loudly', () => {
    if (!tool('docker')) return;
    const r = run('docker', ['stack', 'config', '-c', path.join(SWARM, 'feed.yml')], { REDIS_HOST: 'h' });
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/required variable \w+_IMAGE is missing a value/);
  });

  it.each(STACKS)('%s passes the stack lint', (f) => {
    expect(lintStack(readFileSync(path.join(SWARM, f), 'utf8'))).toEqual([]);
  });

  it.each(STACKS)('%s: every config file it reads exists', (f) => {
    const doc = parse(readFileSync(path.join(SWARM, f), 'utf8')) as { configs?: Record<string, { file?: string }> };
    for (const c of Object.values(doc.configs ?? {})) if (c.file) expect([c.file, existsSync(path.resolve(SWARM, c.file))]).toEqual([c.file, true]);
  });

  it('the override for the real deploy/monitoring rules and dashboards mounts every file', () => {
    const files = findMonitoringFiles(path.join(ROOT, 'deploy/monitoring'));
    expect(files.rules.length).toBeGreaterThan(0);
    expect(files.dashboards.length).toBeGreaterThan(0);
    const doc = parse(renderMonitoringOverride(files)) as { configs: Record<string, { file: string }> };
    expect(Object.keys(doc.configs)).toHaveLength(files.rules.length + files.dashboards.length);
  });

  it('the app stack runs every app with the timing contract the lint checks', () => {
    const doc = parse(readFileSync(path.join(SWARM, 'feed.yml'), 'utf8'), { merge: true }) as { services: Record<string, { deploy: { replicas: number } }> };
    expect(Object.keys(doc.services).sort()).toEqual(['api', 'ingest', 'normalizer', 'persister', 'persister-standby', 'snapshotter']);
    for (const s of ['ingest', 'normalizer', 'persister']) expect(doc.services[s]?.deploy.replicas).toBeGreaterThanOrEqual(2);
  });

  it('the snapshotter: periodic snapshots from the persister image into its own volume, on its own scratch Redis', () => {
    type Svc = { image: string; command: string[]; environment: Record<string, string>; volumes: { source?: string; target: string }[]; deploy: { replicas: number; labels: Record<string, string> } };
    const feed = parse(readFileSync(path.join(SWARM, 'feed.yml'), 'utf8'), { merge: true }) as { services: Record<string, Svc> };
    const redis = parse(readFileSync(path.join(SWARM, 'redis.yml'), 'utf8'), { merge: true }) as { services: Record<string, { command: string[] }> };
    const s = feed.services['snapshotter'] as Svc;
    expect(s.image).toBe(feed.services['persister']?.image);
    expect(s.command.slice(0, 5)).toEqual(['node', 'dist/tools/replay/main.js', 'snapshot', '--dir', '/var/lib/feed/snapshots']);
    expect(s.command).toContain('--every');
    expect(s.volumes).toContainEqual({ type: 'volume', source: 'snapshots', target: '/var/lib/feed/snapshots' });
    // Dedicated: no other service of either stack points at the snapshot Redis.
    expect(s.environment['REDIS_HOST']).toBe('redis_redis-snapshot');
    const others = Object.entries(feed.services).filter(([n]) => n !== 'snapshotter').map(([, x]) => JSON.stringify(x.environment));
    expect(others.filter((e) => e.includes('redis-snapshot'))).toEqual([]);
    expect(redis.services['redis-snapshot']?.command.join(' ')).toMatch(/--maxmemory-policy noeviction --appendonly no --save ""/);
    expect(s.deploy).toMatchObject({ replicas: 1, labels: { 'io.feed.singleton': 'true' } });
    expect(s.environment['HTTP_PORT']).toBe(s.deploy.labels['prometheus.io/port']);
  });

  it('the monitoring stack with the generated rules/dashboards override passes docker stack config', () => {
    if (!tool('docker')) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'mon-'));
    try {
      const rules = path.join(dir, 'feed-alerts.yml');
      const dash = path.join(dir, 'feed overview.json');
      writeFileSync(rules, 'groups: []\n');
      writeFileSync(dash, '{}');
      const text = renderMonitoringOverride({ rules: [rules], dashboards: [dash] });
      const doc = parse(text) as { configs: Record<string, { file: string }>; services: { grafana: { configs: { target: string }[] } } };
      const names = Object.keys(doc.configs);
      expect(names).toHaveLength(2);
      expect(names[0]).toMatch(/^feed_prom_rules_feed_alerts_[0-9a-f]{10}$/);
      expect(doc.services.grafana.configs.map((c) => c.target)).toContain('/var/lib/grafana/dashboards/feed overview.json');
      const override = path.join(dir, 'override.yml');
      writeFileSync(override, text);
      const r = run('docker', ['stack', 'config', '-c', path.join(SWARM, 'monitoring.yml'), '-c', override]);
      expect(r.status).toBe(0);
      expect(r.out).toContain('/etc/prometheus/rules/feed-alerts.yml');
      // Changed content is a new config name (configs are immutable in a swarm).
      writeFileSync(rules, 'groups: [{name: x, rules: []}]\n');
      expect(Object.keys((parse(renderMonitoringOverride({ rules: [rules], dashboards: [] })) as { configs: object }).configs)[0]).not.toBe(names[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('edge', () => {
  it('haproxy.cfg passes haproxy -c without warnings (with a throw-away certificate)', () => {
    if (!tool('haproxy') || !tool('openssl')) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'edge-'));
    try {
      const key = path.join(dir, 'k.pem');
      const crt = path.join(dir, 'c.pem');
      expect(run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=feed.test']).status).toBe(0);
      writeFileSync(path.join(dir, 'feed.pem'), readFileSync(crt, 'utf8') + readFileSync(key, 'utf8'));
      const r = run('haproxy', ['-c', '-f', path.join(ROOT, 'deploy/edge/haproxy.cfg')], {
        FEED_TLS_CERT: path.join(dir, 'feed.pem'),
        FEED_API_HOST: 'localhost',
        FEED_API_PORT: '8080',
        FEED_HTTP_BIND: '127.0.0.1:80',
        FEED_HTTPS_BIND: '127.0.0.1:443',
        FEED_DNS: '127.0.0.11:53',
      });
      expect(r.out).toContain('Configuration file is valid');
      expect(r.out).not.toMatch(/WARNING|ALERT/);
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scripts', () => {
  const scripts = [
    ...readdirSync(path.join(ROOT, 'tools/swarm')).filter((f) => f.endsWith('.sh')).map((f) => `tools/swarm/${f}`),
    ...readdirSync(path.join(ROOT, '.github/scripts')).filter((f) => f.endsWith('.sh')).map((f) => `.github/scripts/${f}`),
  ];

  it('cover every bootstrap phase', () => {
    for (const s of ['init', 'join', 'labels', 'networks', 'secrets', 'configs', 'deploy', 'update-service', 'rollback', 'preview']) expect(scripts).toContain(`tools/swarm/${s}.sh`);
  });

  it('pass shellcheck', () => {
    if (!tool('shellcheck')) return;
    const r = run('shellcheck', ['-x', ...scripts]);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });
});

interface Workflow {
  on: unknown;
  permissions?: Record<string, string>;
  jobs: Record<string, { steps?: { uses?: string; run?: string }[]; permissions?: unknown; uses?: string }>;
}

describe('workflows', () => {
  const dir = path.join(ROOT, '.github/workflows');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));
  const targets = new Set<string>();
  const projects = new Map<string, Set<string>>();
  for (const p of spawnSync('git', ['ls-files', '*project.json'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\n').filter(Boolean)) {
    const j = JSON.parse(readFileSync(path.join(ROOT, p), 'utf8')) as { name: string; targets?: Record<string, unknown> };
    projects.set(j.name, new Set(Object.keys(j.targets ?? {})));
    for (const t of Object.keys(j.targets ?? {})) targets.add(t);
  }

  it('are the four flows', () => {
    expect(files.sort()).toEqual(['ci.yml', 'deploy.yml', 'feature.yml', 'release.yml']);
  });

  it.each(files)('%s passes action-validator', (f) => {
    const r = run(path.join(ROOT, 'node_modules/.bin/action-validator'), [path.join(dir, f)]);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it.each(files)('%s has minimal permissions and pins every action to a full commit SHA with its tag in a comment', (f) => {
    const text = readFileSync(path.join(dir, f), 'utf8');
    const wf = parse(text) as Workflow;
    expect(wf.permissions).toEqual({ contents: 'read' });
    for (const line of text.split('\n').filter((l) => /^\s*(- )?uses:/.test(l))) {
      const ref = line.replace(/^\s*(- )?uses:\s*/, '');
      if (ref.startsWith('./')) continue; // a reusable workflow of this repository
      expect(ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
    // Secrets never appear inline in a run script (they go through env).
    for (const job of Object.values(wf.jobs)) for (const s of job.steps ?? []) expect(s.run ?? '').not.toMatch(/\$\{\{\s*secrets\./);
  });

  it.each(files)('%s names only nx targets and projects that exist', (f) => {
    const text = readFileSync(path.join(dir, f), 'utf8');
    const named: string[] = [];
    for (const m of text.matchAll(/nx(?:\.mjs)?\s+(?:affected|run-many)\b[^\n]*?-t\s+([\w,:-]+)/g)) named.push(...(m[1] as string).split(','));
    for (const m of text.matchAll(/nx(?:\.mjs)?\s+run\s+([\w-]+):([\w-]+)/g)) {
      expect(projects.get(m[1] as string)?.has(m[2] as string)).toBe(true);
      named.push(m[2] as string);
    }
    expect(named.length).toBeGreaterThan(0);
    for (const t of named) expect([t, targets.has(t)]).toEqual([t, true]);
  });
});
