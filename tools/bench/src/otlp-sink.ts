import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The cheapest honest OTLP/HTTP collector for the tracing-overhead benchmark: answers every POST /v1/traces with
 * 200 (as Jaeger would), and counts requests, bytes and spans (the JSON body is parsed, so a run that exported
 * nothing, or garbage, shows up in the figures instead of passing as "tracing on").
 */
export class OtlpSink {
  requests = 0;
  bytes = 0;
  spans = 0;
  badBodies = 0;

  private constructor(private readonly server: Server) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  static async start(): Promise<OtlpSink> {
    const holder: { sink?: OtlpSink } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        holder.sink?.record(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.sink = new OtlpSink(server);
    return holder.sink;
  }

  private record(body: Buffer): void {
    this.requests++;
    this.bytes += body.length;
    try {
      const req = JSON.parse(body.toString('utf8')) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }> };
      for (const rs of req.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) this.spans += ss.spans?.length ?? 0;
    } catch {
      this.badBodies++;
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
