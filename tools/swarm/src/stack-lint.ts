/**
 * The project's own swarm stack lint (issue 7). `docker stack config` checks the schema only: it accepts an
 * undeclared secret and a misspelt failure_action (docs: reliability facts). This adds what a deploy needs:
 *  - every secret, config and network a service uses is declared; every `*_FILE` points at a mounted secret;
 *  - every Feed app service (image from a *_IMAGE variable) has a health check, a rollback policy, a start-first
 *    update (stop-first and one replica for a service labelled `io.feed.singleton`) of parallelism 1 whose monitor
 *    outlasts the health check's start period + interval x retries, a
 *    restart policy, worker placement, limits and reservations, a stop_grace_period above its drain bound;
 *  - no image is `latest` or untagged; no port other than the edge's 80/443 is published; overlays are encrypted.
 */
import { parse } from 'yaml';
import { durationMs } from './duration';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface StackLintOptions {
  /** Published ports allowed (the public edge); anything else is an operational port. */
  publicPorts?: number[];
}

const APP_IMAGE = /^\$\{(INGEST|NORMALIZER|PERSISTER|API|PREVIEW)_IMAGE(:\?[^}]*)?\}$/;
const DEFAULT_DRAIN_MS = 10_000;

function refName(v: unknown): string {
  return typeof v === 'string' ? v : String(obj(v)['source'] ?? '');
}

function imageProblem(image: string): string | undefined {
  // ${VAR:-default} -> the default is what runs when the variable is unset: check it. ${VAR:?msg} -> required.
  const m = /^\$\{[A-Z0-9_]+(:?[-?])([^}]*)\}$/.exec(image);
  if (m && m[1]?.endsWith('?')) return undefined;
  const ref = m ? (m[2] as string) : image;
  if (ref.includes('@sha256:')) return undefined;
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash + 1);
  if (colon < 0) return `image ${JSON.stringify(image)} has no tag (that is latest)`;
  if (ref.slice(colon + 1) === 'latest') return `image ${JSON.stringify(image)} uses latest`;
  return undefined;
}

function envMap(v: unknown): Record<string, string> {
  if (Array.isArray(v)) return Object.fromEntries(v.map((s) => String(s).split(/=(.*)/s).slice(0, 2) as [string, string]));
  return Object.fromEntries(Object.entries(obj(v)).map(([k, x]) => [k, String(x)]));
}

function lintApp(name: string, s: Obj, problems: string[], declaredNetworks: string[]): void {
  const p = (m: string): void => void problems.push(`${name}: ${m}`);
  const d = obj(s['deploy']);
  const hc = obj(s['healthcheck']);
  const test = arr(hc['test']);
  const noHealth = test.length === 0 || test[0] === 'NONE' || hc['disable'] === true;
  if (noHealth) p('no health check');
  const start = durationMs(hc['start_period'] ?? '0s');
  const interval = durationMs(hc['interval'] ?? '30s');
  const retries = Number(hc['retries'] ?? 3);
  const healthBound = start + interval * retries;
  const u = obj(d['update_config']);
  if (u['failure_action'] !== 'rollback') p(`update_config.failure_action is ${JSON.stringify(u['failure_action'])}, not rollback`);
  // A singleton (`io.feed.singleton: "true"`, e.g. the snapshotter: one writer of its scratch Redis and volume) must
  // never run two tasks at once, so it is the one exception to start-first: one replica, stop-first both ways.
  const singleton = String(obj(d['labels'])['io.feed.singleton']) === 'true';
  if (singleton) {
    if (Number(d['replicas'] ?? 1) !== 1) p(`is a singleton but has ${String(d['replicas'])} replicas`);
    if (u['order'] !== 'stop-first') p('is a singleton but update_config.order is not stop-first');
    if (obj(d['rollback_config'])['order'] !== 'stop-first') p('is a singleton but rollback_config.order is not stop-first');
  } else if (u['order'] !== 'start-first') p('update_config.order is not start-first');
  if (Number(u['parallelism']) !== 1) p('update_config.parallelism is not 1');
  if (!(durationMs(u['delay'] ?? '0s') > 0)) p('update_config.delay is not set');
  for (const [k, c] of [['update_config', u], ['rollback_config', obj(d['rollback_config'])]] as const) {
    const monitor = durationMs(c['monitor'] ?? '5s');
    if (!noHealth && !(monitor > healthBound)) p(`${k}.monitor ${c['monitor'] ?? '5s (default)'} does not outlast the health check (start_period + interval x retries = ${healthBound / 1000}s)`);
  }
  if (!d['rollback_config']) p('no rollback_config');
  const rp = obj(d['restart_policy']);
  if (!rp['condition']) p('no restart_policy');
  const constraints = arr(obj(d['placement'])['constraints']).map(String);
  if (!constraints.some((c) => /node\.role\s*==\s*worker/.test(c))) p('not placed on workers (node.role == worker)');
  const res = obj(d['resources']);
  if (!obj(res['limits'])['memory'] || !obj(res['limits'])['cpus']) p('no resource limits (cpus and memory)');
  if (!obj(res['reservations'])['memory']) p('no memory reservation');
  const env = envMap(s['environment']);
  const drain = Number(env['SHUTDOWN_TIMEOUT_MS'] ?? DEFAULT_DRAIN_MS);
  const grace = durationMs(s['stop_grace_period'] ?? '10s');
  if (!(grace > drain)) p(`stop_grace_period ${s['stop_grace_period'] ?? '10s (default)'} is not above the drain bound SHUTDOWN_TIMEOUT_MS=${drain}`);
  const nets = Array.isArray(s['networks']) ? arr(s['networks']).map(String) : Object.keys(obj(s['networks']));
  if (!nets.includes('omega-net')) p('not on omega-net');
  if (declaredNetworks.includes('monitoring-net') && !nets.includes('monitoring-net')) p('not on monitoring-net (Prometheus cannot scrape it)');
}

/** Lints one stack file's text; returns the problems (empty = clean). */
export function lintStack(text: string, o: StackLintOptions = {}): string[] {
  const problems: string[] = [];
  const doc = obj(parse(text, { merge: true }));
  const services = obj(doc['services']);
  const declared = (k: string): string[] => Object.keys(obj(doc[k]));
  const secrets = declared('secrets');
  const configs = declared('configs');
  const networks = declared('networks');
  const publicPorts = o.publicPorts ?? [80, 443];
  if (Object.keys(services).length === 0) problems.push('no services');
  for (const [name, n] of Object.entries(obj(doc['networks']))) {
    const net = obj(n);
    if (net['external'] !== true && String(obj(net['driver_opts'])['encrypted']) !== 'true') problems.push(`network ${name}: overlay not encrypted`);
  }
  for (const [name, raw] of Object.entries(services)) {
    const s = obj(raw);
    const p = (m: string): void => void problems.push(`${name}: ${m}`);
    const image = String(s['image'] ?? '');
    if (!image) p('no image');
    const ip = imageProblem(image);
    if (ip) p(ip);
    const mountedSecrets = arr(s['secrets']).map((x) => ({ source: refName(x), target: String(obj(x)['target'] ?? refName(x)) }));
    for (const m of mountedSecrets) if (!secrets.includes(m.source)) p(`secret ${m.source} is not declared`);
    for (const c of arr(s['configs']).map(refName)) if (!configs.includes(c)) p(`config ${c} is not declared`);
    const nets = Array.isArray(s['networks']) ? arr(s['networks']).map(String) : Object.keys(obj(s['networks']));
    for (const n of nets) if (!networks.includes(n)) p(`network ${n} is not declared`);
    for (const [k, v] of Object.entries(envMap(s['environment']))) {
      if (!k.endsWith('_FILE') || !v.startsWith('/run/secrets/')) continue;
      const target = v.slice('/run/secrets/'.length);
      if (!mountedSecrets.some((m) => m.target === target || m.target === v)) p(`${k}=${v} but no secret is mounted there`);
    }
    for (const port of arr(s['ports'])) {
      const published = typeof port === 'object' ? Number(obj(port)['published']) : Number(String(port).split(':').slice(-2, -1)[0] ?? Number.NaN);
      if (!publicPorts.includes(published)) p(`publishes port ${String(typeof port === 'object' ? published : port)}: operational ports stay on the overlay`);
    }
    const u = obj(obj(s['deploy'])['update_config']);
    if (u['failure_action'] !== undefined && !['rollback', 'pause', 'continue'].includes(String(u['failure_action']))) p(`update_config.failure_action ${JSON.stringify(u['failure_action'])} is not a valid action`);
    if (s['healthcheck'] && u['monitor'] !== undefined) {
      const hc = obj(s['healthcheck']);
      const bound = durationMs(hc['start_period'] ?? '0s') + durationMs(hc['interval'] ?? '30s') * Number(hc['retries'] ?? 3);
      if (!(durationMs(u['monitor']) > bound) && !APP_IMAGE.test(image)) p(`update_config.monitor does not outlast the health check (${bound / 1000}s)`);
    }
    // A job (replicated-job) runs to completion: no health check or rolling update applies to it.
    const isJob = String(obj(s['deploy'])['mode'] ?? '').endsWith('-job');
    if (APP_IMAGE.test(image) && !isJob) lintApp(name, s, problems, networks);
  }
  return problems;
}
