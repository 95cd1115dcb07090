import { durationMs } from './duration';
import { lintStack } from './stack-lint';

const GOOD_APP = `
version: "3.8"
services:
  api:
    image: \${API_IMAGE:?set API_IMAGE}
    stop_grace_period: 25s
    environment:
      SHUTDOWN_TIMEOUT_MS: "10000"
      NATS_PASSWORD_FILE: /run/secrets/pw
    secrets: [pw]
    networks: [omega-net, monitoring-net]
    healthcheck: { test: ["CMD", "node", "/app/healthcheck.js"], interval: 10s, timeout: 3s, retries: 3, start_period: 30s }
    deploy:
      update_config: { parallelism: 1, delay: 10s, order: start-first, failure_action: rollback, monitor: 75s }
      rollback_config: { parallelism: 1, order: start-first, failure_action: pause, monitor: 75s }
      restart_policy: { condition: any, delay: 5s, max_attempts: 3, window: 120s }
      placement: { constraints: ["node.role == worker"] }
      resources: { limits: { cpus: "1", memory: 256M }, reservations: { memory: 128M } }
networks:
  omega-net: { external: true }
  monitoring-net: { external: true }
secrets:
  pw: { external: true }
`;

describe('durationMs', () => {
  it('reads compose and Go durations', () => {
    expect(durationMs('10s')).toBe(10_000);
    expect(durationMs('1m15s')).toBe(75_000);
    expect(durationMs('500ms')).toBe(500);
    expect(durationMs('2h')).toBe(7_200_000);
    expect(durationMs('ten')).toBeNaN();
  });
});

describe('lintStack', () => {
  it('passes a complete app service', () => {
    expect(lintStack(GOOD_APP)).toEqual([]);
  });

  it('reports an undeclared secret, config and network, and a *_FILE with no secret behind it', () => {
    const text = GOOD_APP.replace('secrets: [pw]', 'secrets: [pw, other]\n    configs: [cfg]').replace('networks: [omega-net, monitoring-net]', 'networks: [omega-net, monitoring-net, nope]').replace('/run/secrets/pw', '/run/secrets/missing');
    expect(lintStack(text)).toEqual([
      'api: secret other is not declared',
      'api: config cfg is not declared',
      'api: network nope is not declared',
      'api: NATS_PASSWORD_FILE=/run/secrets/missing but no secret is mounted there',
    ]);
  });

  it('reports a monitor that does not outlast the health check, a missing rollback, a misspelt failure_action', () => {
    const short = lintStack(GOOD_APP.replace(/monitor: 75s/g, 'monitor: 60s'));
    expect(short).toContain('api: update_config.monitor 60s does not outlast the health check (start_period + interval x retries = 60s)');
    expect(short).toContain('api: rollback_config.monitor 60s does not outlast the health check (start_period + interval x retries = 60s)');
    const noRollback = lintStack(GOOD_APP.replace(/\s+rollback_config: \{[^}]*\}/, ''));
    expect(noRollback).toContain('api: no rollback_config');
    const misspelt = lintStack(GOOD_APP.replace('failure_action: rollback', 'failure_action: rolback'));
    expect(misspelt).toContain('api: update_config.failure_action "rolback" is not a valid action');
    expect(misspelt).toContain('api: update_config.failure_action is "rolback", not rollback');
  });

  it('reports a missing health check, a short stop_grace_period, no worker placement, no limits', () => {
    const text = GOOD_APP.replace(/\s+healthcheck: \{[^}]*\}/, '').replace('stop_grace_period: 25s', 'stop_grace_period: 10s').replace('node.role == worker', 'node.role == manager').replace(/resources: .*/, 'resources: {}');
    expect(lintStack(text)).toEqual([
      'api: no health check',
      'api: not placed on workers (node.role == worker)',
      'api: no resource limits (cpus and memory)',
      'api: no memory reservation',
      'api: stop_grace_period 10s is not above the drain bound SHUTDOWN_TIMEOUT_MS=10000',
    ]);
  });

  it('a singleton (io.feed.singleton) must run one replica, stop-first both ways; others stay start-first', () => {
    const labelled = GOOD_APP.replace('    deploy:\n', '    deploy:\n      labels: { io.feed.singleton: "true" }\n');
    expect(lintStack(labelled)).toEqual(['api: is a singleton but update_config.order is not stop-first', 'api: is a singleton but rollback_config.order is not stop-first']);
    const stopFirst = labelled.replace(/order: start-first/g, 'order: stop-first');
    expect(lintStack(stopFirst)).toEqual([]);
    expect(lintStack(stopFirst.replace('    deploy:\n', '    deploy:\n      replicas: 2\n'))).toEqual(['api: is a singleton but has 2 replicas']);
    expect(lintStack(GOOD_APP.replace(/order: start-first/g, 'order: stop-first'))).toEqual(['api: update_config.order is not start-first']);
  });

  it('refuses latest and untagged images, also as a variable default', () => {
    const text = `services:\n  a: { image: "redis:latest" }\n  b: { image: redis }\n  c: { image: "\${X:-nats}" }\n  d: { image: "\${X:-nats:2.12.1}" }\n  e: { image: "grafana/grafana@sha256:${'a'.repeat(64)}" }\n  f: { image: "reg.example:5000/x" }\n`;
    expect(lintStack(text)).toEqual([
      'a: image "redis:latest" uses latest',
      'b: image "redis" has no tag (that is latest)',
      'c: image "${X:-nats}" has no tag (that is latest)',
      'f: image "reg.example:5000/x" has no tag (that is latest)',
    ]);
  });

  it('refuses published operational ports but allows the edge 80/443', () => {
    const text = `services:\n  edge:\n    image: haproxy:3.2.4\n    ports: [{ target: 80, published: 80 }, { target: 443, published: 443 }]\n  grafana:\n    image: grafana/grafana:12.1.1\n    ports: ["3000:3000"]\n  nats:\n    image: nats:2.12.1\n    ports: [{ target: 8222, published: 8222, mode: host }]\n`;
    expect(lintStack(text)).toEqual(['grafana: publishes port 3000:3000: operational ports stay on the overlay', 'nats: publishes port 8222: operational ports stay on the overlay']);
  });

  it('refuses an unencrypted overlay defined in the stack', () => {
    expect(lintStack('services:\n  a: { image: "x:1", networks: [n] }\nnetworks:\n  n: { driver: overlay }\n')).toEqual(['network n: overlay not encrypted']);
  });
});
