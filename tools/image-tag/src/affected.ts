import { APPS, type ImageApp } from './image-tag';

/**
 * Which images a change needs rebuilt: the apps Nx reports as affected (their code or a lib they import, or the
 * lockfile), plus every image when a file all images are built from changes (the Dockerfile, its ignore file,
 * the probe and entry scripts, the build script) — Nx does not see those as project inputs.
 */
const ALL_IMAGE_INPUTS = [/^Dockerfile$/, /^\.dockerignore$/, /^deploy\/docker\//, /^tools\/build\//, /^package(-lock)?\.json$/, /^\.npmrc$/, /^tsconfig\.base\.json$/];

export function imagesToBuild(affectedProjects: readonly string[], changedFiles: readonly string[]): ImageApp[] {
  if (changedFiles.some((f) => ALL_IMAGE_INPUTS.some((re) => re.test(f)))) return [...APPS];
  const affected = new Set(affectedProjects);
  return APPS.filter((a) => affected.has(a));
}
