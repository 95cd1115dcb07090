/**
 * V8 memory settings every Feed app runs with (launcher, tests, benchmark, container images). Left alone, V8 grows
 * the heap generously under a high allocation rate when the host has memory to spare: measured at 8,000 trades/s,
 * the normalizer reached ~175 MB RSS with 38 MB of live heap. A 96 MB old-space budget and 8 MB semi-spaces keep
 * every app under 150 MB RSS (docs/benchmarks.md) at no measurable throughput cost; the live sets are 20-60 MB.
 * Operators who run an api with many clients raise the budget through NODE_OPTIONS.
 */
export const APP_NODE_OPTIONS = '--max-old-space-size=96';
