/**
 * Image names and tags from the branch, the version and the commit (issue 7):
 *
 *   main         feed-<app>:<version>  and  feed-<app>:<git-sha>
 *   feature/x    feed-<app>:feature-x-v<version>,  the all-in-one feed:feature-x-v<version>,  and feed-<app>:<git-sha>
 *
 * Only the git-sha tag (or a digest) is immutable: the version tag is re-pointed by the next release and the feature
 * tag by the next push. Deploys and rollbacks therefore take `deployRef` (the git-sha tag) or a digest, and
 * `assertImmutableRef` refuses anything else, `latest` included.
 */
export const APPS = ['ingest', 'normalizer', 'persister', 'api', 'streams'] as const;
export type ImageApp = (typeof APPS)[number];

export class ImageTagError extends Error {
  readonly code = 'image_tag_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'ImageTagError';
  }
}

export interface TagInput {
  app: string;
  branch: string;
  version: string;
  sha: string;
  /** Registry and namespace, e.g. `registry.digitalocean.com/feed`; empty for bare names. */
  registry?: string;
  /** The branch that releases (default main). */
  mainBranch?: string;
}

export interface ImageTags {
  /** Every reference to push. */
  tags: string[];
  /** The immutable reference deploys and rollbacks use. */
  deployRef: string;
  /** The all-in-one preview image's tags (feature branches only). */
  allInOne: string[];
  kind: 'release' | 'feature';
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const GIT_SHA = /^[0-9a-f]{40}$/;
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REGISTRY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/** `feature/Live-Index` -> `feature-live-index`: lower case, anything outside [a-z0-9] becomes one '-'. */
export function branchSlug(branch: string): string {
  const slug = branch
    .replace(/^refs\/heads\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!slug) throw new ImageTagError(`branch ${JSON.stringify(branch)} gives an empty tag`);
  return slug.slice(0, 100).replace(/-+$/, '');
}

function repo(registry: string | undefined, name: string): string {
  if (!registry) return name;
  const r = registry.replace(/\/+$/, '');
  if (!REGISTRY.test(r)) throw new ImageTagError(`registry ${JSON.stringify(registry)} is not a registry/namespace`);
  return `${r}/${name}`;
}

export function imageTags(i: TagInput): ImageTags {
  if (!(APPS as readonly string[]).includes(i.app)) throw new ImageTagError(`unknown app ${JSON.stringify(i.app)}: one of ${APPS.join(', ')}`);
  if (!SEMVER.test(i.version)) throw new ImageTagError(`version ${JSON.stringify(i.version)} is not semver (x.y.z)`);
  const sha = i.sha.toLowerCase();
  if (!GIT_SHA.test(sha)) throw new ImageTagError(`git sha ${JSON.stringify(i.sha)} is not a full 40-hex commit id`);
  const branch = i.branch.replace(/^refs\/heads\//, '');
  const app = repo(i.registry, `feed-${i.app}`);
  const deployRef = `${app}:${sha}`;
  if (branch === (i.mainBranch ?? 'main')) {
    return { kind: 'release', tags: [`${app}:${i.version}`, deployRef], deployRef, allInOne: [] };
  }
  const feature = `${branchSlug(branch)}-v${i.version}`;
  if (!DOCKER_TAG.test(feature)) throw new ImageTagError(`tag ${JSON.stringify(feature)} is not a valid image tag`);
  const all = repo(i.registry, 'feed');
  return { kind: 'feature', tags: [`${app}:${feature}`, deployRef], deployRef, allInOne: [`${all}:${feature}`, `${all}:${sha}`] };
}

/**
 * A reference a deploy or rollback may use: pinned by digest (`name@sha256:<64 hex>`, optionally with a tag before
 * it) or by a full git-sha tag. Returns it unchanged; throws on a movable tag such as `latest` or `0.1.0`.
 */
export function assertImmutableRef(ref: string): string {
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return ref;
  const tag = ref.slice(ref.lastIndexOf(':') + 1);
  if (ref.includes(':') && !tag.includes('/') && GIT_SHA.test(tag)) return ref;
  throw new ImageTagError(`${JSON.stringify(ref)} is a movable reference: deploy by git-sha tag or digest`);
}
