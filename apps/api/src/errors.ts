/**
 * Errors a request handler throws to answer with a JSON error body. The `code` is stable: it is the body's
 * `error.code`, the `reason` label of `feed_api_rejected_requests_total`, and what clients branch on.
 */
export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** The query parameter at fault, when there is one. */
  readonly param: string | undefined;

  constructor(message: string, param?: string) {
    super(message);
    this.param = param;
  }

  body(): { error: { code: string; message: string; param?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.param !== undefined ? { param: this.param } : {}) } };
  }
}

/** Missing or malformed parameter. */
export class BadRequestError extends ApiError {
  override readonly name = 'BadRequestError';
  readonly status = 400;
  readonly code = 'bad_request';
}

/** A well-formed symbol this deployment does not serve (API_SYMBOLS). */
export class UnknownSymbolError extends ApiError {
  override readonly name = 'UnknownSymbolError';
  readonly status = 404;
  readonly code = 'unknown_symbol';
}

export class NotFoundError extends ApiError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
  readonly code = 'not_found';
}

/** A dependency (Redis) could not answer: the request may succeed later. */
export class UnavailableError extends ApiError {
  override readonly name = 'UnavailableError';
  readonly status = 503;
  readonly code = 'unavailable';
}
