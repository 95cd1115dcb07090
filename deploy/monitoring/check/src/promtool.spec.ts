import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { alertCases, alertRules, jobNames, PROMETHEUS_CONFIG, ruleFiles, ruleTestFiles } from './monitoring-files';

/**
 * CI runs Prometheus' own checks on deploy/monitoring (CI installs Debian `prometheus` for promtool):
 * `promtool check config` (which also checks the rule files it names), `promtool check rules`, and the rule
 * unit tests `promtool test rules`, each of which must cover its alerts firing AND not firing.
 */
function promtool(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`promtool not runnable (${r.error.message}): install Debian package "prometheus"`);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('deploy/monitoring/prometheus', () => {
  it('promtool check config accepts prometheus.yml and the rule files it loads', () => {
    const r = promtool('check', 'config', PROMETHEUS_CONFIG);
    expect({ status: r.status, out: r.out }).toEqual({ status: 0, out: expect.stringContaining('SUCCESS') });
    // The rules glob resolves (relative to the config) to every rule file, so none is silently not loaded.
    for (const f of ruleFiles()) expect(r.out).toContain(path.relative(path.dirname(PROMETHEUS_CONFIG), f));
  });

  it('scrapes every swarm task of every app and the snapshotter, NATS through its exporter, node-exporter and Redis', () => {
    const text = readFileSync(PROMETHEUS_CONFIG, 'utf8');
    expect(jobNames(text)).toEqual(['ingest', 'normalizer', 'persister', 'api', 'snapshotter', 'nats', 'node', 'redis', 'prometheus']);
    for (const service of ['ingest', 'normalizer', 'persister', 'persister-standby', 'api', 'snapshotter', 'nats-exporter', 'node-exporter']) expect(text).toContain(`tasks.${service}`);
  });

  it.each(ruleFiles().map((f) => [path.basename(f), f]))('promtool check rules accepts %s', (_n, f) => {
    const r = promtool('check', 'rules', f);
    expect({ status: r.status, out: r.out }).toEqual({ status: 0, out: expect.stringContaining('SUCCESS') });
  });

  it.each(ruleTestFiles().map((f) => [path.basename(f), f]))('promtool test rules passes %s', (_n, f) => {
    const r = promtool('test', 'rules', f);
    expect({ status: r.status, out: r.out }).toEqual({ status: 0, out: expect.stringContaining('SUCCESS') });
  });

  it('every alert has a unit test where it fires and one where it does not', () => {
    const alerts = ruleFiles().flatMap(alertRules);
    expect(alerts.length).toBeGreaterThanOrEqual(15);
    const cases = ruleTestFiles().flatMap(alertCases);
    const missing: string[] = [];
    for (const a of alerts) {
      if (!cases.some((c) => c.alertname === a.alert && c.fires)) missing.push(`${a.alert}: no firing case`);
      if (!cases.some((c) => c.alertname === a.alert && !c.fires)) missing.push(`${a.alert}: no not-firing case`);
    }
    for (const c of cases) if (!alerts.some((a) => a.alert === c.alertname)) missing.push(`${c.alertname}: tested but no such alert`);
    expect(missing).toEqual([]);
  });

  it('holds the deployment plan four alerts and Feed own ones', () => {
    const names = ruleFiles().flatMap(alertRules).map((a) => a.alert);
    expect(names).toEqual(
      expect.arrayContaining([
        'TargetDown',
        'FeedServiceDown',
        'RedisDown',
        'FeedRedisConnectionFailing',
        'NodeCpuHigh',
        'NodeMemoryHigh',
        'NodeDiskHigh',
        'FeedProcessingSlow',
        'FeedVenueStreamStale',
        'FeedConsumerLagGrowing',
        'FeedDeadLettersRising',
        'FeedIndexDegraded',
        'FeedRedisOnFailover',
        'FeedGapUnrepaired',
      ]),
    );
  });
});
