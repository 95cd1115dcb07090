/**
 * V8 memory settings every Feed app runs with (launcher, tests, benchmark, container images: the Dockerfile sets the
 * same string, checked by tools/image-rehearsal). Left alone, V8 grows the heap generously under a high allocation
 * rate when the host has memory to spare: measured at 8,000 trades/s, the normalizer reached ~175 MB RSS with 38 MB
 * of live heap. A 96 MB old-space budget keeps every app under 150 MB RSS; 8 MB semi-spaces (Node 20's default is
 * 16) take another 15-25 MiB off each app's peak, which the OpenTelemetry SDK's ~40 MiB needs, with no throughput
 * change measurable above run-to-run noise (docs/benchmarks.md). The live sets are 20-60 MB. Operators who run an api
 * with many clients raise the budget through NODE_OPTIONS.
 */
export const APP_NODE_OPTIONS = '--max-old-space-size=96 --max-semi-space-size=8';

/**
 * Node command-line flags every Feed app runs with (V8 refuses them in NODE_OPTIONS): the launcher, the tests and
 * the benchmark pass them, and the Dockerfile's CMD lines carry the same (checked by tools/image-rehearsal).
 *
 * `--single-threaded-gc`: each app container is limited to 0.5-1 CPU (deploy/swarm/feed.yml), and the build machines
 * have two cores for everything, while V8 sizes its parallel scavenge and marking helpers by the host's cores.
 * Those helpers then wait for a core the main thread or another process holds. Measured in alternated pairs at
 * 10,000 trades/s offered: 8,521 -> 8,846 trades/s sustained and 5 % less app CPU per trade; RSS +5-8 MB
 * (docs/benchmarks.md).
 */
export const APP_NODE_ARGS: readonly string[] = ['--single-threaded-gc'];
