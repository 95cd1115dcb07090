import { fromProcessEnv, readCommon, readOtel } from '@feed/config';
import { startTracing, type InstrumentationName, type Tracing, type TracingContext } from './sdk';

/**
 * What each app's `instrument.ts` calls as its FIRST import: the OpenTelemetry instrumentations patch `http`,
 * `express` and `ioredis` when those are required, so the SDK must be running before the rest of main.ts is
 * loaded. Reads only the OTEL_* settings and the instance id (the app parses its full config in main()); a bad
 * OTEL_* setting fails the start like any other config problem.
 */
export function bootTracing(service: string, instrumentations: readonly InstrumentationName[], contextMode: TracingContext): Tracing {
  try {
    const r = fromProcessEnv();
    const otel = readOtel(r);
    const { instanceId } = readCommon(r);
    r.done();
    return startTracing({ service, instanceId, otel, instrumentations, context: contextMode });
  } catch (e) {
    const err = e instanceof Error ? { type: e.name, message: e.message } : { message: String(e) };
    process.stderr.write(`${JSON.stringify({ level: 'fatal', service, msg: 'startup failed', err })}\n`);
    process.exit(1);
  }
}
