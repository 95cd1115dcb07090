import type { ConfigReader } from './reader';

export interface HttpConfig {
  host: string;
  port: number;
}

/** The ops/API HTTP listener. The legacy HEALTH_CHECK_PORT / HEALTH_CHECK_HOST names are accepted. */
export function readHttp(r: ConfigReader, defaultPort: number): HttpConfig {
  return {
    host: r.string('HTTP_HOST', { default: '0.0.0.0', aliases: ['HEALTH_CHECK_HOST'] }),
    port: r.int('HTTP_PORT', { default: defaultPort, min: 0, max: 65535, aliases: ['HEALTH_CHECK_PORT'] }),
  };
}
