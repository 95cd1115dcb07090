/** A failure of a dependency (Redis down, NATS timeout): retry later, the input is fine. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  readonly code: string;
  constructor(message: string, code = 'DEPENDENCY_UNAVAILABLE', options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The input itself is bad: retrying can never succeed, so it is dead-lettered with this reason. */
export class PoisonError extends Error {
  override readonly name = 'PoisonError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** A stream or bucket the app needs is missing or misconfigured; the setup tool must run first. */
export class MissingStreamError extends Error {
  override readonly name = 'MissingStreamError';
  readonly code = 'STREAM_MISSING';
  constructor(readonly missing: string[]) {
    super(`JetStream resources missing: ${missing.join(', ')}. Run the stream setup tool (npm run streams -- apply).`);
  }
}
