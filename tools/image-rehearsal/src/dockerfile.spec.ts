import { readFileSync } from 'node:fs';
import { APP_NODE_ARGS, APP_NODE_OPTIONS } from '@feed/service';
import path from 'node:path';
import { checkDockerfile } from './dockerfile-check';
import { effective, effectiveEnv, parseDockerfile, stageChain } from './dockerfile';
import { imageCommand } from './rehearse';
import { parseCopy } from './stage-fs';

const ROOT = path.resolve(__dirname, '../../..');
const TEXT = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

describe('the Dockerfile', () => {
  const df = parseDockerfile(TEXT);

  it('passes the project checks: pinned base, non-root, health check, exec form, OCI labels', () => {
    expect(checkDockerfile(df)).toEqual([]);
  });

  it('has a target per app, the setup job and the all-in-one image', () => {
    expect(df.stages.map((s) => s.name)).toEqual(['deps', 'build', 'runtime', 'ingest', 'normalizer', 'persister', 'api', 'streams', 'feed']);
    expect(imageCommand(df, 'api')).toEqual(['node', '--single-threaded-gc', 'dist/apps/api/main.js']);
    expect(imageCommand(df, 'feed')).toEqual(['node', '--single-threaded-gc', '/app/run-app.js', 'api']);
    expect(imageCommand(df, 'feed', ['ingest'])).toEqual(['node', '--single-threaded-gc', '/app/run-app.js', 'ingest']);
    expect(effectiveEnv(stageChain(df, 'persister'))).toMatchObject({ NODE_ENV: 'production', FEED_ENV: 'production', FEED_APP: 'persister' });
  });

  it('the persister image carries the replay tool it shares its projection code with (snapshotter, restore)', () => {
    const persister = df.stages.find((s) => s.name === 'persister');
    const copies = (persister?.instructions ?? []).filter((i) => i.cmd === 'COPY').map((i) => parseCopy(i as never).sources);
    expect(copies).toContainEqual(['/src/dist/tools/replay/']);
    expect(df.stages.find((s) => s.name === 'build')?.instructions.find((i) => i.cmd === 'RUN' && i.args.includes('esbuild'))?.args).toContain('tools/replay/src/main.ts dist/tools/replay/main.js');
  });

  it('runs every app with the V8 memory settings the launcher, tests and benchmark use', () => {
    for (const app of ['ingest', 'normalizer', 'persister', 'api', 'feed']) expect(effectiveEnv(stageChain(df, app))['NODE_OPTIONS']).toBe(APP_NODE_OPTIONS);
  });

  it('runs every app with the node flags the launcher, tests and benchmark pass (APP_NODE_ARGS), right after node', () => {
    for (const app of ['ingest', 'normalizer', 'persister', 'api', 'feed']) expect(imageCommand(df, app).slice(0, 1 + APP_NODE_ARGS.length)).toEqual(['node', ...APP_NODE_ARGS]);
  });

  it('installs production dependencies only, from the lockfile', () => {
    const deps = df.stages.find((s) => s.name === 'deps');
    expect(deps?.instructions.find((i) => i.cmd === 'RUN')?.args).toMatch(/^npm ci --omit=dev\b/);
    expect(parseCopy(deps?.instructions.find((i) => i.cmd === 'COPY') as never).sources).toEqual(['package.json', 'package-lock.json', '.npmrc']);
  });

  it('the .dockerignore keeps local installs, builds, state and secrets out of the context', () => {
    const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['node_modules', 'dist', '.git', '.data', '.env', '**/*.pem']) expect(ignore).toContain(p);
  });
});

describe('checkDockerfile', () => {
  it('catches an unpinned base, a root user, a missing health check and labels', () => {
    const bad = TEXT.replace(/^ARG NODE_IMAGE=.*$/m, 'ARG NODE_IMAGE=node:22-bookworm-slim').replace('USER node', 'USER root').replace(/^HEALTHCHECK .*$/m, '');
    const problems = checkDockerfile(parseDockerfile(bad));
    expect(problems).toContain('stage deps: base "node:22-bookworm-slim" is not pinned by version and digest');
    expect(problems).toContain('target api: runs as root (no non-root USER)');
    expect(problems).toContain('target api: no HEALTHCHECK');
    expect(problems).not.toContain('target streams: no HEALTHCHECK');
    const noLabels = checkDockerfile(parseDockerfile(TEXT.replace(/io\.feed\.feature="\$\{FEATURE\}"/, 'x=y')));
    expect(noLabels).toContain('target ingest: no io.feed.feature label');
  });

  it('catches a shell-form CMD, which would keep SIGTERM from the app', () => {
    const problems = checkDockerfile(parseDockerfile(TEXT.replace('CMD ["node", "--single-threaded-gc", "dist/apps/api/main.js"]', 'CMD node --single-threaded-gc dist/apps/api/main.js')));
    expect(problems).toEqual(['target api: CMD/ENTRYPOINT not in exec form (signals would not reach the app)']);
  });

  it('reads continuation lines and effective instructions along the chain', () => {
    const df = parseDockerfile('ARG B=node:1.2.3@sha256:' + 'a'.repeat(64) + '\nFROM ${B} AS a\nUSER x\nRUN echo 1 \\\n  && echo 2\nFROM a AS b\nCMD ["y"]\n');
    expect(df.stages[0]?.instructions[1]?.args).toBe('echo 1 && echo 2');
    expect(effective(stageChain(df, 'b'), 'USER')).toBe('x');
  });
});
