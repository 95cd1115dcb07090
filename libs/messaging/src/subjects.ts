import type { Channel, EventTypeV1, Symbol, VenueId } from '@feed/price-types';

/**
 * Every subject and stream name, defined once (decision 4). All share a configurable prefix so a preview
 * deployment (its own prefix) never sees production traffic.
 *
 *   <prefix>.raw.<venue>.<channel>.<symbol>      venue frames as received (+ receive time header)
 *   <prefix>.md.v1.<type>.<symbol>.<venue>       normalized events, schema version in the subject
 *   <prefix>.dlq.<stage>                         poison input, with the reason in headers
 *
 * Symbol tokens are canonical (BTC-USD); '-' is legal in a NATS token, '.', '*', '>' and spaces are not and
 * never occur in canonical symbols or venue ids.
 */
export type RawChannel = Channel | 'status' | 'other';

export class Subjects {
  constructor(readonly prefix: string) {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(prefix)) throw new Error(`invalid subject prefix ${JSON.stringify(prefix)}`);
  }

  raw(venue: VenueId, channel: RawChannel, symbol: Symbol | '_'): string {
    return `${this.prefix}.raw.${venue}.${channel}.${symbol}`;
  }

  /** Everything raw (the normalizer's filter). */
  rawAll(): string {
    return `${this.prefix}.raw.>`;
  }

  md(type: EventTypeV1, symbol: Symbol, venue: VenueId): string {
    return `${this.prefix}.md.v1.${type}.${symbol}.${venue}`;
  }

  /** All v1 market data (the persister's filter). */
  mdAll(): string {
    return `${this.prefix}.md.v1.>`;
  }

  /** One type for one symbol across venues, or everything of a type. */
  mdFilter(type: EventTypeV1 | '*', symbol: Symbol | '*' = '*', venue: VenueId | '*' = '*'): string {
    return `${this.prefix}.md.v1.${type}.${symbol}.${venue}`;
  }

  dlq(stage: string): string {
    return `${this.prefix}.dlq.${stage}`;
  }

  dlqAll(): string {
    return `${this.prefix}.dlq.>`;
  }

  /** Parse `<prefix>.md.v1.<type>.<symbol>.<venue>`; null for anything else. */
  parseMd(subject: string): { type: string; symbol: string; venue: string } | null {
    const parts = subject.split('.');
    if (parts.length !== 6 || parts[0] !== this.prefix || parts[1] !== 'md' || parts[2] !== 'v1') return null;
    return { type: parts[3] as string, symbol: parts[4] as string, venue: parts[5] as string };
  }

  /** Parse `<prefix>.raw.<venue>.<channel>.<symbol>`; null for anything else. */
  parseRaw(subject: string): { venue: string; channel: string; symbol: string } | null {
    const parts = subject.split('.');
    if (parts.length !== 5 || parts[0] !== this.prefix || parts[1] !== 'raw') return null;
    return { venue: parts[2] as string, channel: parts[3] as string, symbol: parts[4] as string };
  }
}

/** Stream names: NATS stream names may not contain '.', so the prefix is upper-cased with '-' -> '_'. */
export function streamName(prefix: string, kind: 'RAW' | 'MD' | 'DLQ'): string {
  return `${prefix.toUpperCase().replace(/-/g, '_')}_${kind}`;
}

/** KV bucket holding leader leases (single active normalizer per partition). */
export function leaseBucket(prefix: string): string {
  return `${prefix.replace(/-/g, '_')}_leases`;
}

/** Durable consumer names carry the prefix too, so a preview stack's consumers are its own. */
export function durableName(prefix: string, app: string, group = 'main'): string {
  return `${prefix}_${app}_${group}`.replace(/[^A-Za-z0-9_-]/g, '_');
}
