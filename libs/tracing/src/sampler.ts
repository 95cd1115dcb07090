import { SamplingDecision, trace, TraceFlags, type Attributes, type Context, type Link, type Sampler, type SamplingResult, type SpanKind } from '@opentelemetry/api';
import type { OtelSampler } from '@feed/config';
import type * as SdkTrace from '@opentelemetry/sdk-trace-base';

/** Attribute marking a root span whose head-sampling decision was made by `headSampled()` before it was created. */
export const HEAD_SAMPLED = 'feed.head_sampled';

/**
 * The root decision of the configured sampler, taken WITHOUT creating a span, so a hot path that starts traces
 * (ingest, once per frame) allocates nothing for the frames it does not sample. Same probability as the SDK's
 * ratio sampler (random rather than by trace id: nothing downstream re-decides a root, it follows the parent).
 */
export function rootDecision(kind: OtelSampler, ratio: number): () => boolean {
  switch (kind) {
    case 'always_on':
    case 'parentbased_always_on':
      return () => true;
    case 'always_off':
    case 'parentbased_always_off':
      return () => false;
    case 'traceidratio':
    case 'parentbased_traceidratio':
      return ratio >= 1 ? () => true : ratio <= 0 ? () => false : () => Math.random() < ratio;
  }
}

/**
 * A root span that LINKS to a sampled context is sampled, whatever the ratio says (and so is a root marked
 * HEAD_SAMPLED). Feed's batch spans are roots
 * (a consumer batch mixes messages of many traces) linked to the sampled messages they carry: without this rule
 * a 1 % ratio would keep 1 % of those batch spans, and the links from sampled trade traces would point nowhere.
 * Every other root follows the configured sampler.
 */
export class LinkAwareRootSampler implements Sampler {
  constructor(private readonly root: Sampler) {}

  shouldSample(ctx: Context, traceId: string, name: string, kind: SpanKind, attrs: Attributes, links: Link[]): SamplingResult {
    // The caller already made the head-sampling decision with headSampled() (ingest, per frame): not twice.
    if (attrs[HEAD_SAMPLED] === true) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    for (const l of links) if ((l.context.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    return this.root.shouldSample(ctx, traceId, name, kind, attrs, links);
  }

  toString(): string {
    return `LinkAwareRoot{${this.root.toString()}}`;
  }
}

/** The sampler named by OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (standard semantics), link-aware at the root. */
export function createSampler(kind: OtelSampler, ratio: number): Sampler {
  // Loaded here, not at the top: only a process that starts the SDK pays for the SDK's modules (memory bound).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = require('@opentelemetry/sdk-trace-base') as typeof SdkTrace;
  const rootOf = (s: Sampler) => new LinkAwareRootSampler(s);
  switch (kind) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return rootOf(new TraceIdRatioBasedSampler(ratio));
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: rootOf(new AlwaysOnSampler()) });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: rootOf(new AlwaysOffSampler()) });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: rootOf(new TraceIdRatioBasedSampler(ratio)) });
  }
}

/** True when the context carries a sampled span (local or remote). */
export function isSampled(ctx: Context): boolean {
  const sc = trace.getSpanContext(ctx);
  return sc !== undefined && (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}
