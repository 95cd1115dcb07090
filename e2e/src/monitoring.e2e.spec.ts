import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FeedStack, ROOT, type AppKind } from '@feed/feed-stack';
import { allowedAbsence, jobNames, metricNames, monitoringExprs, PROMETHEUS_CONFIG, RULES_DIR, ruleFiles } from '@feed/monitoring-check';
import { freePort, minimalEnv, registry, spawnApp, startRedis, tempDir, waitFor } from '@feed/testing';

/**
 * Monitoring rehearsal (issue 6): the real Prometheus (Debian binary) scrapes a real local stack on loopback with
 * the production alert rules. File-based targets stand in for the swarm's DNS discovery (which promtool checks in
 * the monitoring project); the Redis metrics come from Debian's prometheus-redis-exporter, the snapshot metrics from
 * the periodic snapshotter (`replay snapshot --every`) on its own scratch Redis. Every target must be up, every
 * metric a rule or dashboard names must appear in what Prometheus scraped, and a rule must fire on real data.
 */
const APPS: AppKind[] = ['ingest', 'normalizer', 'persister', 'api'];

/** A binary run for this test only, stopped (SIGTERM, then SIGKILL) by cleanupAll, and reaped if we die. */
function runBinary(name: string, command: string, args: string[]): { output: () => string } {
  const child = spawn(command, args, { env: minimalEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(...d.toString('utf8').split('\n'));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('error', (e) => lines.push(`[harness] cannot run ${command}: ${e.message} (Debian: apt-get install prometheus prometheus-redis-exporter)`));
  if (child.pid) registry.trackChild(child.pid, name);
  registry.track({
    name,
    dispose: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }
      if (child.pid) registry.untrackChild(child.pid);
    },
  });
  return { output: () => lines.slice(-30).join('\n') };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: T }).data;
}

interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}

describe('monitoring rehearsal: real Prometheus, production rules, local stack', () => {
  let stack: FeedStack;
  let prom: string;
  let promOut: () => string;

  beforeAll(async () => {
    stack = await FeedStack.start({ sim: { rate: 100, maxTrades: 9_000 } });
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    await stack.startApp('api');
    await stack.startApp('ingest');

    const dir = await tempDir('prometheus');
    const [promPort, exporterPort] = [await freePort(), await freePort()];
    // The snapshotter as in the swarm: snapshot --every on a scratch Redis nothing else writes.
    const scratch = await startRedis();
    const snapshotter = spawnApp({
      name: 'snapshotter',
      script: path.join(ROOT, 'dist/tools/replay/main.js'),
      args: ['snapshot', '--dir', await tempDir('snapshots'), '--keep', '2', '--every', '1000'],
      env: { NATS_URL: stack.nats.url, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(scratch.port), FEED_PREFIX: stack.prefix, LEGACY_ALLOW_SIMULATED: 'true', HTTP_HOST: '127.0.0.1', HTTP_PORT: '0' },
    });
    const snapshotterPort = (await snapshotter.waitForJson((o) => o['msg'] === 'ops listening', 30_000))['port'] as number;
    writeFileSync(path.join(dir, 'snapshotter.json'), JSON.stringify([{ targets: [`127.0.0.1:${snapshotterPort}`], labels: { swarm_service: 'snapshotter' } }]));
    runBinary('redis-exporter', 'prometheus-redis-exporter', ['--web.listen-address', `127.0.0.1:${exporterPort}`, '--log-format', 'json']);

    // Same job names as production (deploy/monitoring/prometheus/prometheus.yml); file_sd instead of dns_sd.
    const appJobs = APPS.map((kind) => {
      const file = path.join(dir, `${kind}.json`);
      const targets = stack.apps[kind].map((app) => ({ targets: [`127.0.0.1:${stack.ports.get(app)}`], labels: { swarm_service: kind } }));
      writeFileSync(file, JSON.stringify(targets));
      return { job_name: kind, file_sd_configs: [{ files: [file], refresh_interval: '5s' }] };
    });
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s', external_labels: { cluster: 'rehearsal' } },
      rule_files: ruleFiles(),
      scrape_configs: [
        ...appJobs,
        { job_name: 'snapshotter', file_sd_configs: [{ files: [path.join(dir, 'snapshotter.json')], refresh_interval: '5s' }] },
        {
          job_name: 'redis',
          metrics_path: '/scrape',
          static_configs: [{ targets: [`redis://127.0.0.1:${stack.redisServer.port}`], labels: { role: 'primary' } }],
          relabel_configs: [
            { source_labels: ['__address__'], target_label: '__param_target' },
            { source_labels: ['__param_target'], target_label: 'instance' },
            { target_label: '__address__', replacement: `127.0.0.1:${exporterPort}` },
          ],
        },
        { job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${promPort}`] }] },
      ],
    };
    // JSON is YAML: Prometheus reads this file as is.
    writeFileSync(path.join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
    ({ output: promOut } = runBinary('prometheus', 'prometheus', [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ]));
    prom = `http://127.0.0.1:${promPort}`;
    await waitFor(async () => (await fetch(`${prom}/-/ready`).catch(() => undefined))?.status === 200, { what: `Prometheus ready\n${promOut()}`, timeoutMs: 30_000 });
  });

  afterAll(async () => stack?.stop());

  it('rehearses the production jobs (the swarm-only ones excepted) with the production rule files', async () => {
    const prod = jobNames(readFileSync(PROMETHEUS_CONFIG, 'utf8'));
    // nats (prometheus-nats-exporter) and node (node-exporter) run in the swarm only: checked by promtool there.
    expect(prod.filter((j) => j !== 'nats' && j !== 'node')).toEqual([...APPS, 'snapshotter', 'redis', 'prometheus']);
    const groups = await getJson<{ groups: Array<{ file: string; rules: unknown[] }> }>(`${prom}/api/v1/rules`);
    expect(groups.groups.map((g) => path.dirname(g.file))).toEqual(groups.groups.map(() => RULES_DIR));
    expect(groups.groups.reduce((n, g) => n + g.rules.length, 0)).toBeGreaterThanOrEqual(15);
  });

  it('every target is up', async () => {
    let last: Target[] = [];
    await waitFor(
      async () => {
        last = (await getJson<{ activeTargets: Target[] }>(`${prom}/api/v1/targets`)).activeTargets;
        return last.length === APPS.length + 3 && last.every((t) => t.health === 'up');
      },
      { what: 'all targets up', timeoutMs: 30_000, intervalMs: 500 },
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${JSON.stringify(last.map((t) => [t.labels['job'], t.health, t.lastError]))}\n${promOut()}`);
    });
    expect(last.map((t) => t.labels['job']).sort()).toEqual([...APPS, 'prometheus', 'redis', 'snapshotter'].sort());
  });

  it('every metric a rule or a dashboard names appears in what Prometheus scraped (allow-list excepted)', async () => {
    let missing: string[] = [];
    await waitFor(
      async () => {
        // Series names, plus metadata (a labelled counter not incremented yet is exported with HELP/TYPE only).
        const names = new Set(await getJson<string[]>(`${prom}/api/v1/label/__name__/values`));
        for (const n of Object.keys(await getJson<Record<string, unknown>>(`${prom}/api/v1/metadata`))) names.add(n);
        missing = [];
        for (const { where, expr } of monitoringExprs()) {
          for (const n of metricNames(expr)) {
            if (names.has(n) || names.has(n.replace(/_(bucket|sum|count)$/, '')) || allowedAbsence(n)) continue;
            missing.push(`${where}: ${n}`);
          }
        }
        return missing.length === 0;
      },
      { what: 'every rule and dashboard metric scraped', timeoutMs: 30_000, intervalMs: 1_000 },
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\nmissing:\n${missing.join('\n')}`);
    });
    // Exporter names really came from the exporter, and the consumer lag gauges from the apps' own loops.
    const series = await getJson<Array<Record<string, string>>>(`${prom}/api/v1/series?match[]=redis_up&match[]=feed_consumer_pending_messages`);
    expect(series.filter((s) => s['__name__'] === 'redis_up').map((s) => s['role'])).toEqual(['primary']);
    expect(new Set(series.filter((s) => s['__name__'] === 'feed_consumer_pending_messages').map((s) => s['job']))).toEqual(new Set(['normalizer', 'persister']));
  });

  it('a rule fires on real data: one poison frame raises FeedDeadLettersRising; the health alerts stay quiet', async () => {
    await stack.simClient.control('hostile', { kind: 'not_json', count: 1 });
    type Alert = { labels: Record<string, string>; state: string };
    let alerts: Alert[] = [];
    await waitFor(
      async () => {
        alerts = (await getJson<{ alerts: Alert[] }>(`${prom}/api/v1/alerts`)).alerts;
        return alerts.some((a) => a.labels['alertname'] === 'FeedDeadLettersRising' && a.state === 'firing');
      },
      { what: 'FeedDeadLettersRising firing', timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(alerts.find((a) => a.labels['alertname'] === 'FeedDeadLettersRising')?.labels).toMatchObject({ reason: 'bad_json', severity: 'warning' });
    const quiet = ['TargetDown', 'FeedServiceDown', 'RedisDown', 'FeedRedisConnectionFailing', 'FeedConsumerPaused', 'FeedSnapshotStale', 'FeedSnapshotRoundsFailing'];
    expect(alerts.filter((a) => quiet.includes(a.labels['alertname'] as string))).toEqual([]);
  });
});
