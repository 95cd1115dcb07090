import { imagesToBuild } from './affected';
import { run } from './cli';
import { assertImmutableRef, branchSlug, imageTags } from './image-tag';

const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('imageTags', () => {
  it('main gives the version tag and the git-sha tag; deploys use the git-sha tag', () => {
    const t = imageTags({ app: 'api', branch: 'main', version: '1.2.3', sha: SHA });
    expect(t).toEqual({ kind: 'release', tags: ['feed-api:1.2.3', `feed-api:${SHA}`], deployRef: `feed-api:${SHA}`, allInOne: [] });
  });

  it('feature/x gives feed-<app>:feature-x-v<version> and the all-in-one feed:feature-x-v<version>', () => {
    const t = imageTags({ app: 'persister', branch: 'feature/x', version: '1.0.0', sha: SHA, registry: 'registry.digitalocean.com/omega' });
    expect(t.kind).toBe('feature');
    expect(t.tags).toEqual(['registry.digitalocean.com/omega/feed-persister:feature-x-v1.0.0', `registry.digitalocean.com/omega/feed-persister:${SHA}`]);
    expect(t.allInOne).toEqual(['registry.digitalocean.com/omega/feed:feature-x-v1.0.0', `registry.digitalocean.com/omega/feed:${SHA}`]);
    expect(t.deployRef).toBe(`registry.digitalocean.com/omega/feed-persister:${SHA}`);
  });

  it('accepts refs/heads/ names and slugs odd branch names into valid tags', () => {
    expect(imageTags({ app: 'api', branch: 'refs/heads/main', version: '0.1.0', sha: SHA }).kind).toBe('release');
    expect(branchSlug('feature/Live_Index..v2')).toBe('feature-live-index-v2');
    expect(imageTags({ app: 'ingest', branch: 'fix/#12 crash', version: '0.1.0-rc.1', sha: SHA }).tags[0]).toBe('feed-ingest:fix-12-crash-v0.1.0-rc.1');
    expect(branchSlug('a'.repeat(300))).toHaveLength(100);
  });

  it('refuses unknown apps, non-semver versions, short or non-hex shas, bad registries and empty slugs with a clear error', () => {
    const base = { app: 'api', branch: 'main', version: '1.0.0', sha: SHA };
    expect(() => imageTags({ ...base, app: 'web' })).toThrow(/unknown app "web"/);
    expect(() => imageTags({ ...base, version: 'v1' })).toThrow(/not semver/);
    expect(() => imageTags({ ...base, sha: SHA.slice(0, 12) })).toThrow(/full 40-hex/);
    expect(() => imageTags({ ...base, registry: 'Bad Registry' })).toThrow(/not a registry/);
    expect(() => imageTags({ ...base, branch: '///' })).toThrow(/empty tag/);
    try {
      imageTags({ ...base, app: 'x' });
    } catch (e) {
      expect((e as { code?: string }).code).toBe('image_tag_invalid');
    }
  });
});

describe('assertImmutableRef', () => {
  it('accepts git-sha tags and digests, refuses latest, versions and feature tags', () => {
    const digest = `feed-api@sha256:${'a'.repeat(64)}`;
    expect(assertImmutableRef(`reg.example:5000/ns/feed-api:${SHA}`)).toBe(`reg.example:5000/ns/feed-api:${SHA}`);
    expect(assertImmutableRef(digest)).toBe(digest);
    expect(assertImmutableRef(`feed-api:1.0.0@sha256:${'b'.repeat(64)}`)).toMatch(/@sha256:/);
    for (const bad of ['feed-api:latest', 'feed-api', 'feed-api:1.2.3', 'feed:feature-x-v1.0.0', 'reg.example:5000/feed-api', `feed-api@sha256:${'a'.repeat(10)}`]) {
      expect(() => assertImmutableRef(bad)).toThrow(/movable reference/);
    }
  });
});

describe('imagesToBuild', () => {
  it('builds only the affected apps', () => {
    expect(imagesToBuild(['api', 'price-types', 'e2e'], ['apps/api/src/app.ts'])).toEqual(['api']);
    expect(imagesToBuild([], ['docs/runbook.md'])).toEqual([]);
  });

  it('builds every image when a file every image is built from changes', () => {
    for (const f of ['Dockerfile', '.dockerignore', 'deploy/docker/healthcheck.js', 'package-lock.json', 'tools/build/esbuild.mjs']) {
      expect(imagesToBuild([], [f])).toEqual(['ingest', 'normalizer', 'persister', 'api', 'streams']);
    }
  });
});

describe('cli', () => {
  it('prints tags as JSON, the affected list, and checks refs', () => {
    expect(JSON.parse(run(['tags', '--app', 'api', '--branch', 'feature/x', '--version', '1.0.0', '--sha', SHA])).allInOne[0]).toBe('feed:feature-x-v1.0.0');
    expect(JSON.parse(run(['affected', '--projects', 'api,normalizer', '--files', 'f'], () => 'apps/api/x.ts\n'))).toEqual(['normalizer', 'api']);
    expect(run(['check-ref', `feed-api:${SHA}`])).toBe(`feed-api:${SHA}`);
    expect(() => run(['check-ref', 'feed-api:latest'])).toThrow(/movable/);
    expect(() => run(['tags', '--app'])).toThrow(/flag value pairs/);
    expect(() => run(['tags', '--app', 'api'])).toThrow(/--branch is required/);
    expect(() => run(['nope'])).toThrow(/usage/);
  });
});
