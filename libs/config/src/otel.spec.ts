import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './errors';
import { DEFAULT_TRACE_RATIO, readOtel } from './otel';
import { ConfigReader, type Env } from './reader';

function read(env: Env): { cfg: ReturnType<typeof readOtel>; problems: string[] } {
  const r = new ConfigReader(env);
  const cfg = readOtel(r);
  try {
    r.done();
    return { cfg, problems: [] };
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return { cfg, problems: (e as ConfigError).problems };
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'feed-config-otel-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readOtel', () => {
  it('defaults: enabled, the standard local endpoint, parent-based ratio sampling at the benchmarked default, bounded queue', () => {
    const { cfg, problems } = read({});
    expect(problems).toEqual([]);
    expect(cfg).toEqual({
      enabled: true,
      resourceAttributes: {},
      tracesUrl: 'http://localhost:4318/v1/traces',
      headers: {},
      exportTimeoutMs: 10_000,
      sampler: 'parentbased_traceidratio',
      samplerRatio: DEFAULT_TRACE_RATIO,
      bsp: { maxQueueSize: 2048, maxExportBatchSize: 512, scheduleDelayMs: 5_000, exportTimeoutMs: 30_000 },
    });
  });

  it('derives the traces URL from OTEL_EXPORTER_OTLP_ENDPOINT, and takes OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is', () => {
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' }).cfg.tracesUrl).toBe('http://jaeger:4318/v1/traces');
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/custom' }).cfg.tracesUrl).toBe('https://collector/custom');
  });

  it('reads service name, resource attributes, sampler, ratio, timeouts and the queue settings', () => {
    const { cfg, problems } = read({
      OTEL_SERVICE_NAME: 'feed-api-blue',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod, team=market%20data',
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '50',
      OTEL_BSP_SCHEDULE_DELAY: '250',
      OTEL_BSP_EXPORT_TIMEOUT: '4000',
    });
    expect(problems).toEqual([]);
    expect(cfg).toMatchObject({
      serviceName: 'feed-api-blue',
      resourceAttributes: { 'deployment.environment': 'prod', team: 'market data' },
      sampler: 'always_on',
      samplerRatio: 0.25,
      exportTimeoutMs: 3000,
      bsp: { maxQueueSize: 100, maxExportBatchSize: 50, scheduleDelayMs: 250, exportTimeoutMs: 4000 },
    });
  });

  it('is disabled by OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none', () => {
    expect(read({ OTEL_SDK_DISABLED: 'true' }).cfg.enabled).toBe(false);
    expect(read({ OTEL_TRACES_EXPORTER: 'none' }).cfg.enabled).toBe(false);
    expect(read({ OTEL_TRACES_EXPORTER: 'otlp' }).cfg.enabled).toBe(true);
  });

  it('reads exporter headers as a secret, from the variable or its _FILE, and never echoes them in problems', () => {
    const file = path.join(dir, 'otlp-headers');
    writeFileSync(file, 'Authorization=Bearer%20s3cr3t-token\n');
    expect(read({ OTEL_EXPORTER_OTLP_HEADERS_FILE: file }).cfg.headers).toEqual({ Authorization: 'Bearer s3cr3t-token' });
    expect(read({ OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-api-key=k1' }).cfg.headers).toEqual({ 'x-api-key': 'k1' });
    const bad = read({ OTEL_EXPORTER_OTLP_HEADERS: 's3cr3t-token-without-key' });
    expect(bad.problems).toEqual(['OTEL_EXPORTER_OTLP_HEADERS must be a comma-separated list of key=value pairs']);
    const both = read({ OTEL_EXPORTER_OTLP_HEADERS: 'a=s3cr3t', OTEL_EXPORTER_OTLP_HEADERS_FILE: file });
    expect(both.problems.join(' ')).not.toContain('s3cr3t');
    expect(both.problems).toHaveLength(1);
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, 'OTEL_TRACES_SAMPLER="jaeger_remote" is not one of'],
    [{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG=1.5 is above the maximum 1'],
    [{ OTEL_TRACES_SAMPLER_ARG: 'half' }, 'OTEL_TRACES_SAMPLER_ARG="half" is not a number'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL="grpc" is not supported'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318' }, 'must be http(s)'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' }, 'is not a URL'],
    [{ OTEL_BSP_MAX_QUEUE_SIZE: '10', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '20' }, 'must not exceed OTEL_BSP_MAX_QUEUE_SIZE'],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER="zipkin" is not one of otlp|none'],
  ])('refuses %j with a clear problem', (env, expected) => {
    const { problems } = read(env as Env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });
});
