import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** deploy/monitoring, found from this file (source or bundle). */
export const MONITORING_DIR = path.resolve(__dirname, '../..');
export const PROMETHEUS_DIR = path.join(MONITORING_DIR, 'prometheus');
export const PROMETHEUS_CONFIG = path.join(PROMETHEUS_DIR, 'prometheus.yml');
export const RULES_DIR = path.join(PROMETHEUS_DIR, 'rules');
export const RULE_TESTS_DIR = path.join(PROMETHEUS_DIR, 'tests');
export const GRAFANA_DIR = path.join(MONITORING_DIR, 'grafana');
export const DASHBOARDS_DIR = path.join(GRAFANA_DIR, 'dashboards');

const yml = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => path.join(dir, f));
export const ruleFiles = (): string[] => yml(RULES_DIR);
export const ruleTestFiles = (): string[] => yml(RULE_TESTS_DIR);

export interface AlertRule {
  file: string;
  alert: string;
  expr: string;
}

/**
 * The alerts of a rule file, read from the house layout (`- alert: Name` then `expr:` inline or as a `|` block).
 * promtool validates the YAML itself; this only needs names and expressions, and fails loudly on a surprise.
 */
export function alertRules(file: string): AlertRule[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: AlertRule[] = [];
  for (let i = 0; i < lines.length; i++) {
    const a = /^\s*- alert:\s*(\S+)\s*$/.exec(lines[i] as string);
    if (!a) continue;
    const exprAt = lines.findIndex((l, j) => j > i && /^\s*expr:/.test(l));
    if (exprAt < 0) throw new Error(`${file}: alert ${a[1]} has no expr`);
    const first = /^(\s*)expr:\s*(.*)$/.exec(lines[exprAt] as string) as RegExpExecArray;
    let expr = (first[2] as string).trim();
    if (expr === '|' || expr === '|-' || expr === '>') {
      const indent = (first[1] as string).length;
      const body: string[] = [];
      for (let j = exprAt + 1; j < lines.length; j++) {
        const l = lines[j] as string;
        if (l.trim() !== '' && l.length - l.trimStart().length <= indent) break;
        body.push(l.trim());
      }
      expr = body.join(' ').trim();
    }
    out.push({ file, alert: a[1] as string, expr });
  }
  return out;
}

export interface AlertCase {
  file: string;
  alertname: string;
  fires: boolean;
}

/** Each `alert_rule_test` case of a promtool test file: which alert, and whether it expects alerts or none. */
export function alertCases(file: string): AlertCase[] {
  const text = readFileSync(file, 'utf8');
  const out: AlertCase[] = [];
  for (const block of text.split(/^\s*- eval_time:/m).slice(1)) {
    const name = /^\s*alertname:\s*(\S+)\s*$/m.exec(block);
    const exp = /^\s*exp_alerts:\s*(\[\])?\s*$/m.exec(block);
    if (!name || !exp) throw new Error(`${file}: an alert_rule_test case without alertname or exp_alerts`);
    out.push({ file, alertname: name[1] as string, fires: exp[1] === undefined });
  }
  return out;
}

/** The scrape jobs' names of a Prometheus config, in order. */
export function jobNames(configText: string): string[] {
  return [...configText.matchAll(/^\s*- job_name:\s*(\S+)\s*$/gm)].map((m) => m[1] as string);
}

export interface Panel {
  id?: number;
  title?: string;
  type?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ expr?: string; refId?: string; datasource?: { type?: string; uid?: string } }>;
  panels?: Panel[];
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list?: Array<{ name: string; query?: unknown; type: string }> };
}

export function dashboardFiles(): string[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(DASHBOARDS_DIR, f));
}

export function readDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
}

/** Every panel, rows' nested panels included. */
export function allPanels(d: Dashboard): Panel[] {
  const out: Panel[] = [];
  const walk = (ps: Panel[]) => {
    for (const p of ps) {
      out.push(p);
      if (p.panels) walk(p.panels);
    }
  };
  walk(d.panels);
  return out;
}

/** Every PromQL expression of the dashboards (panel targets and query variables) and of the alert rules. */
export function monitoringExprs(): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  for (const f of ruleFiles()) for (const r of alertRules(f)) out.push({ where: `${path.basename(f)}: ${r.alert}`, expr: r.expr });
  for (const f of dashboardFiles()) {
    const d = readDashboard(f);
    for (const p of allPanels(d)) for (const t of p.targets ?? []) if (t.expr) out.push({ where: `${path.basename(f)}: ${p.title}`, expr: t.expr });
    for (const v of d.templating?.list ?? []) {
      const q = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query;
      if (v.type === 'query' && q) out.push({ where: `${path.basename(f)}: $${v.name}`, expr: q.replace(/^label_values\((.*),\s*\w+\)$/, '$1') });
    }
  }
  return out;
}
