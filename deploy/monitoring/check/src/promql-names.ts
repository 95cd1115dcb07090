/**
 * The metric names a PromQL expression reads, found lexically: enough for Feed's own rules and dashboards (it
 * is checked against them in promql-names.spec.ts), not a full PromQL parser. Quoted strings, label matchers,
 * range selectors, grouping label lists and Grafana variables are removed first; what is left and is neither
 * a function call, a keyword nor a number is a metric name.
 */
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan', 'atan2']);

export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?[A-Za-z_][\w:]*\}?/g, ' ');
  const out = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w.])([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const name = m[1] as string;
    if (m[2] || KEYWORDS.has(name.toLowerCase())) continue;
    out.add(name);
  }
  return [...out].sort();
}
