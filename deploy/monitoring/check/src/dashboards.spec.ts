import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NATS_EXPORTER_METRICS, NODE_EXPORTER_METRICS, PENDING_METRICS } from './known-metrics';
import { allPanels, dashboardFiles, GRAFANA_DIR, monitoringExprs, readDashboard } from './monitoring-files';
import { metricNames } from './promql-names';

/**
 * The Grafana dashboards are provisioned JSON: well formed, on the provisioned datasource, every panel with a
 * query, and every query naming metrics that exist. Feed's own names are compared with real scrapes of the
 * apps in e2e/src/metrics.e2e.spec.ts and with a real Prometheus in e2e/src/monitoring.e2e.spec.ts; here they
 * must at least be Feed's or a runtime family, and exporter names must be ones the exporters document.
 */
const datasourceUid = /^\s*uid:\s*(\S+)\s*$/m.exec(readFileSync(path.join(GRAFANA_DIR, 'provisioning/datasources/prometheus.yml'), 'utf8'))?.[1];

describe('Grafana provisioning', () => {
  it('provisions one Prometheus datasource and the dashboards folder the stack mounts', () => {
    expect(datasourceUid).toBe('prometheus');
    const provider = readFileSync(path.join(GRAFANA_DIR, 'provisioning/dashboards/feed.yml'), 'utf8');
    expect(provider).toMatch(/path: \/var\/lib\/grafana\/dashboards/);
  });

  it('has the four dashboards: system health, feed performance, venue quality, Redis', () => {
    const uids = dashboardFiles().map((f) => readDashboard(f).uid);
    expect(uids.sort()).toEqual(['feed-performance', 'feed-redis', 'feed-system-health', 'feed-venue-quality']);
    for (const f of dashboardFiles()) expect(path.basename(f, '.json')).toBe(readDashboard(f).uid);
  });

  describe.each(dashboardFiles().map((f) => [path.basename(f), f]))('%s', (_n, file) => {
    const d = readDashboard(file);
    const panels = allPanels(d).filter((p) => p.type !== 'row');

    it('has unique panel ids, and every panel queries the provisioned datasource', () => {
      const ids = allPanels(d).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(panels.length).toBeGreaterThan(3);
      for (const p of panels) {
        expect({ panel: p.title, ds: p.datasource?.uid, targets: (p.targets ?? []).length > 0 }).toEqual({ panel: p.title, ds: datasourceUid, targets: true });
        for (const t of p.targets ?? []) expect({ panel: p.title, expr: typeof t.expr, ds: t.datasource?.uid }).toEqual({ panel: p.title, expr: 'string', ds: datasourceUid });
      }
    });

    it('every query names at least one metric, each Feed own, a runtime one, or a documented exporter name', () => {
      const bad: string[] = [];
      for (const p of panels) {
        for (const t of p.targets ?? []) {
          const names = metricNames(t.expr ?? '');
          if (names.length === 0) bad.push(`${p.title}: no metric in ${t.expr}`);
          for (const n of names) {
            const ok = /^(feed|process|nodejs|redis)_/.test(n) || n === 'up' || NODE_EXPORTER_METRICS.has(n) || NATS_EXPORTER_METRICS.has(n);
            if (!ok) bad.push(`${p.title}: ${n}`);
          }
        }
      }
      expect(bad).toEqual([]);
    });
  });

  it('the performance dashboard shows the latency of every hop: venue -> receive -> normalized -> persisted -> sent', () => {
    const d = readDashboard(dashboardFiles().find((f) => f.endsWith('feed-performance.json')) as string);
    const names = allPanels(d).flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr ?? '')));
    for (const hop of ['feed_normalizer_receive_delay_seconds', 'feed_normalizer_latency_seconds', 'feed_persister_latency_seconds', 'feed_api_push_latency_seconds']) {
      expect(names).toContain(`${hop}_bucket`);
    }
  });

  it('the pending allow-list only names metrics some rule or dashboard really uses', () => {
    const used = new Set(monitoringExprs().flatMap((e) => metricNames(e.expr).map((n) => n.replace(/_(bucket|sum|count)$/, ''))));
    expect(Object.keys(PENDING_METRICS).filter((n) => !used.has(n))).toEqual([]);
  });
});
