import type { ConfigReader } from './reader';

export interface NatsConfig {
  servers: string[];
  user?: string;
  pass?: string;
  token?: string;
  /** Name shown in the server's connection list. */
  name: string;
}

export function readNats(r: ConfigReader, name: string): NatsConfig {
  const servers = r.list('NATS_URL', { default: ['nats://127.0.0.1:4222'], aliases: ['NATS_SERVERS'] });
  for (const s of servers) if (!/^(nats|tls|wss?):\/\/[^\s]+$/.test(s)) r.problem(`NATS_URL entry ${JSON.stringify(s)} is not a nats:// or tls:// URL`);
  const cfg: NatsConfig = { servers, name };
  const user = r.optionalString('NATS_USER');
  const pass = r.secret('NATS_PASSWORD');
  const token = r.secret('NATS_TOKEN');
  if (user) cfg.user = user;
  if (pass) cfg.pass = pass;
  if (token) cfg.token = token;
  if ((user && !pass) || (!user && pass)) r.problem('NATS_USER and NATS_PASSWORD must be set together');
  if (token && user) r.problem('NATS_TOKEN and NATS_USER are exclusive');
  return cfg;
}
