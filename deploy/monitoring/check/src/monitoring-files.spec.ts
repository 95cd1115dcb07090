import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { allowedAbsence } from './known-metrics';
import { alertCases, alertRules, jobNames } from './monitoring-files';

describe('reading the monitoring files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'monitoring-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it('alertRules reads inline and block expressions, and refuses an alert without expr', () => {
    const f = file(
      'r.yml',
      ['groups:', '  - name: g', '    rules:', '      - alert: A', '        expr: up == 0', '        for: 1m', '      - alert: B', '        # why', '        expr: |', '          sum(x)', '          or y', '        labels:', '          severity: warning', ''].join('\n'),
    );
    expect(alertRules(f).map((r) => [r.alert, r.expr])).toEqual([
      ['A', 'up == 0'],
      ['B', 'sum(x) or y'],
    ]);
    const bad = file('bad.yml', 'groups:\n  - name: g\n    rules:\n      - alert: C\n        for: 1m\n');
    expect(() => alertRules(bad)).toThrow(/alert C has no expr/);
  });

  it('alertCases tells firing cases from not-firing ones, and refuses a case it cannot read', () => {
    const f = file(
      't.yml',
      [
        'tests:',
        '  - interval: 1m',
        '    alert_rule_test:',
        '      - eval_time: 1m',
        '        alertname: A',
        '        exp_alerts: []',
        '      - eval_time: 3m',
        '        alertname: A',
        '        exp_alerts:',
        '          - exp_labels: { severity: critical }',
        '',
      ].join('\n'),
    );
    expect(alertCases(f).map((c) => [c.alertname, c.fires])).toEqual([
      ['A', false],
      ['A', true],
    ]);
    expect(() => alertCases(file('u.yml', 'tests:\n  - alert_rule_test:\n      - eval_time: 1m\n        exp_alerts: []\n'))).toThrow(/without alertname/);
  });

  it('jobNames lists the scrape jobs in order', () => {
    expect(jobNames('scrape_configs:\n  - job_name: a\n    x: 1\n  - job_name: b\n')).toEqual(['a', 'b']);
  });

  it('allowedAbsence excuses pending, Prometheus-made and unpackaged-exporter names only', () => {
    expect(allowedAbsence('feed_otel_export_failures_total')).toBeUndefined(); // exported by every app since the traces work
    expect(allowedAbsence('feed_redis_read_target')).toBeUndefined(); // exported by the api since the failover work
    expect(allowedAbsence('feed_candle_late_trades_total')).toBeUndefined(); // exported by the persister since the candles work
    expect(allowedAbsence('feed_gaps_total')).toBeUndefined(); // exported by the normalizer since the gaps work
    expect(allowedAbsence('up')).toMatch(/Prometheus/);
    expect(allowedAbsence('node_load1')).toMatch(/node-exporter/);
    expect(allowedAbsence('gnatsd_varz_connections')).toMatch(/nats-exporter/);
    expect(allowedAbsence('feed_persister_latency_seconds_bucket')).toBeUndefined();
    expect(allowedAbsence('redis_up')).toBeUndefined();
  });
});
