/**
 * NATS accounts and users for the swarm (issue 7): one user per app with only the subjects it needs, all in the
 * FEED account; previews get their own PREVIEW account, so a preview stack cannot even see production subjects,
 * streams or consumers (NATS accounts isolate both). Rendered (tools/swarm) into the `accounts` block the NATS
 * nodes include (a Docker secret); the cluster rehearsal (e2e/src/cluster.e2e.spec.ts) runs the apps under exactly
 * these permissions, so a missing subject fails a test rather than a deploy.
 *
 * JetStream API subjects used (nats-server 2.9): STREAM.INFO.<stream>, CONSUMER.{CREATE,DURABLE.CREATE,INFO,
 * MSG.NEXT,DELETE}.<stream>[.<consumer>[.<filter>]], acks on $JS.ACK.<stream>.>, KV on $KV.<bucket>.> with
 * DIRECT.GET / STREAM.MSG.GET on KV_<bucket>; replies come back on the client's _INBOX.
 */
import { leaseBucket, streamName } from './subjects';

export const NATS_USERS = ['ingest', 'normalizer', 'persister', 'api', 'streams', 'snapshotter'] as const;
export type NatsUser = (typeof NATS_USERS)[number];

export interface Permissions {
  publish: string[];
  subscribe: string[];
}

export class NatsAuthError extends Error {
  readonly code = 'nats_auth_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'NatsAuthError';
  }
}

function consumerApi(stream: string): string[] {
  // MSG.NEXT and DURABLE.CREATE are two tokens, so `CONSUMER.*.<stream>.>` does not cover them.
  return [`$JS.API.CONSUMER.*.${stream}`, `$JS.API.CONSUMER.*.${stream}.>`, `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.>`, `$JS.API.CONSUMER.MSG.NEXT.${stream}.>`, `$JS.API.STREAM.INFO.${stream}`];
}

/** Least privilege per app for one subject prefix. */
export function appPermissions(prefix: string): Record<NatsUser, Permissions> {
  const raw = streamName(prefix, 'RAW');
  const md = streamName(prefix, 'MD');
  const dlq = streamName(prefix, 'DLQ');
  const kv = leaseBucket(prefix);
  const inbox = ['_INBOX.>'];
  return {
    // Publishes venue frames (JetStream publish = request with a reply inbox) and nothing else.
    ingest: { publish: [`${prefix}.raw.>`, '$JS.API.INFO', `$JS.API.STREAM.INFO.${raw}`], subscribe: inbox },
    // Reads RAW through its durable, writes MD and the DLQ, holds the partition lease in KV.
    normalizer: {
      publish: [
        '$JS.API.INFO',
        ...consumerApi(raw),
        `$JS.ACK.${raw}.>`,
        `${prefix}.md.>`,
        `${prefix}.dlq.>`,
        `$JS.API.STREAM.INFO.${md}`,
        `$JS.API.STREAM.INFO.${dlq}`,
        `$KV.${kv}.>`,
        `$JS.API.STREAM.INFO.KV_${kv}`,
        `$JS.API.DIRECT.GET.KV_${kv}.>`,
        `$JS.API.DIRECT.GET.KV_${kv}`,
        `$JS.API.STREAM.MSG.GET.KV_${kv}`,
      ],
      subscribe: inbox,
    },
    // Reads MD through its group's durable; poison goes to the DLQ.
    persister: { publish: ['$JS.API.INFO', ...consumerApi(md), `$JS.ACK.${md}.>`, `${prefix}.dlq.>`, `$JS.API.STREAM.INFO.${dlq}`], subscribe: inbox },
    // One ordered (ephemeral) consumer on MD for live push; no acks, no publishes to the log.
    api: { publish: ['$JS.API.INFO', ...consumerApi(md)], subscribe: inbox },
    // The setup job creates and updates streams and the lease bucket: the JetStream API of this account only.
    streams: { publish: ['$JS.API.>'], subscribe: inbox },
    // The periodic snapshotter (tools/replay snapshot --every): ordered consumers on MD and the last message of its
    // filter (STREAM.MSG.GET, or DIRECT.GET when the stream allows it) to know where the log ends. Reads only.
    snapshotter: { publish: ['$JS.API.INFO', ...consumerApi(md), `$JS.API.STREAM.MSG.GET.${md}`, `$JS.API.DIRECT.GET.${md}`, `$JS.API.DIRECT.GET.${md}.>`], subscribe: inbox },
  };
}

const PASSWORD = /^[A-Za-z0-9._~+/=-]{16,256}$/;

function q(s: string): string {
  return JSON.stringify(s);
}

function list(xs: string[]): string {
  return `[${xs.map(q).join(', ')}]`;
}

export interface AuthInput {
  prefix: string;
  passwords: Record<NatsUser, string>;
  /** The preview account's single user password; omitted = no preview account. */
  previewPassword?: string;
  /** JetStream limits of the preview account, so a preview cannot fill the production disks. */
  previewJetStream?: { maxFileBytes: number; maxMemBytes: number };
}

/** The `accounts` block (nats-server config syntax). Passwords must be URL/base64-safe and 16+ characters. */
export function renderNatsAuth(i: AuthInput): string {
  const perms = appPermissions(i.prefix);
  const users = NATS_USERS.map((u) => {
    const pw = i.passwords[u];
    if (!pw || !PASSWORD.test(pw)) throw new NatsAuthError(`password for NATS user ${u} must be 16-256 characters of [A-Za-z0-9._~+/=-]`);
    const p = perms[u];
    return `      { user: ${q(u)}, password: ${q(pw)}, permissions: { publish: { allow: ${list(p.publish)} }, subscribe: { allow: ${list(p.subscribe)} } } }`;
  });
  const out = ['# Generated from libs/messaging/src/nats-accounts.ts by tools/swarm/secrets.sh: do not edit.', 'accounts {', '  FEED {', '    jetstream: enabled', '    users: [', users.join(',\n'), '    ]', '  }'];
  if (i.previewPassword !== undefined) {
    if (!PASSWORD.test(i.previewPassword)) throw new NatsAuthError('password for NATS user preview must be 16-256 characters of [A-Za-z0-9._~+/=-]');
    const js = i.previewJetStream ?? { maxFileBytes: 2 * 1024 ** 3, maxMemBytes: 64 * 1024 ** 2 };
    out.push('  PREVIEW {', `    jetstream: { max_file: ${js.maxFileBytes}, max_mem: ${js.maxMemBytes} }`, `    users: [ { user: "preview", password: ${q(i.previewPassword)} } ]`, '  }');
  }
  out.push('}', '');
  return out.join('\n');
}
