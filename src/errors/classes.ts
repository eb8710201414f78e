/**
 * The error classes. Every error this library throws on purpose is a `RickMortyError`; the guards
 * in `guards.ts` recognise them across copies of the package and across threads.
 */

/** The request an error reports: its method and URL. */
export interface RequestDetails {
  readonly method: string;
  readonly url: string;
}

/**
 * The same as `RequestDetails`.
 *
 * @deprecated Use `RequestDetails`: this name shadows the DOM's global `RequestInfo` type in any
 * module that imports it.
 */
export type RequestInfo = RequestDetails;

/**
 * The base class of every error the client throws on purpose.
 *
 * @example
 * ```ts
 * try {
 *   await client.getCharacterAsync(1);
 * } catch (error) {
 *   if (isRickMortyError(error)) console.error(error.name, error.message);
 * }
 * ```
 */
export class RickMortyError extends Error {
  override name = 'RickMortyError';
  /**
   * How many attempts were made before this error was thrown, when a retry helper gave up.
   * Note: set by `handleError`, `handleErrorAsync` and the client's own retries.
   */
  declare attempts?: number;
  /** The errors of the earlier attempts, oldest first, when a retry helper gave up. */
  declare previousErrors?: readonly unknown[];

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The fields an `HttpError` is built from. */
export interface HttpErrorDetails extends RequestDetails {
  readonly status: number;
  readonly statusText?: string | undefined;
  /** The `error` text of the API's error body, when it sent one. */
  readonly serverMessage?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function describeStatus(status: number, statusText: string | undefined): string {
  const text = statusText || STATUS_TEXT[status];
  return text ? `${status} ${text}` : String(status);
}

/**
 * The server answered with a status that is not a success.
 *
 * The message reads like ky's: `Request failed with status 404 Not Found: GET
 * https://rickandmortyapi.com/api/character/9999 (Character not found)`.
 */
export class HttpError extends RickMortyError {
  override name = 'HttpError';
  readonly status: number;
  readonly statusText: string;
  readonly method: string;
  readonly url: string;
  readonly serverMessage: string | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(details: HttpErrorDetails, options?: ErrorOptions & { message?: string }) {
    const status = describeStatus(details.status, details.statusText);
    const suffix = details.serverMessage ? ` (${details.serverMessage})` : '';
    super(
      options?.message ??
        `Request failed with status ${status}: ${details.method} ${details.url}${suffix}`,
      options,
    );
    this.status = details.status;
    this.statusText = details.statusText || STATUS_TEXT[details.status] || '';
    this.method = details.method;
    this.url = details.url;
    this.serverMessage = details.serverMessage;
    this.headers = details.headers ?? {};
  }
}

/**
 * A resource does not exist: a 404 answer, or ids that a batch answer left out.
 *
 * `ids` names the missing ids when the client knows them.
 */
export class NotFoundError extends HttpError {
  override name = 'NotFoundError';
  readonly ids: readonly number[];

  constructor(
    details: Omit<HttpErrorDetails, 'status'> & {
      ids?: readonly number[] | undefined;
      resource?: string;
    },
    options?: ErrorOptions,
  ) {
    const ids = details.ids ?? [];
    const message =
      ids.length > 0 && details.resource
        ? `${details.resource} not found: ${ids.join(', ')} (${details.method} ${details.url})`
        : undefined;
    super({ ...details, status: 404 }, message ? { ...options, message } : options);
    this.ids = ids;
  }
}

/** The server answered 429. `retryAfterMs` is what its `Retry-After` header asked for. */
export class RateLimitError extends HttpError {
  override name = 'RateLimitError';
  readonly retryAfterMs: number | undefined;

  constructor(
    details: HttpErrorDetails & { retryAfterMs?: number | undefined },
    options?: ErrorOptions,
  ) {
    super({ ...details }, options);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** The server answered with a 5xx status. */
export class ServerError extends HttpError {
  override name = 'ServerError';
}

/** A request took longer than its timeout and was aborted. */
export class TimeoutError extends RickMortyError {
  override name = 'TimeoutError';
  readonly method: string;
  readonly url: string;
  readonly timeout: number;

  constructor(details: RequestDetails & { timeout: number }, options?: ErrorOptions) {
    super(
      `Request timed out after ${details.timeout} ms: ${details.method} ${details.url}`,
      options,
    );
    this.method = details.method;
    this.url = details.url;
    this.timeout = details.timeout;
  }
}

/** The connection failed before a complete answer arrived (refused, reset, DNS). */
export class ConnectionError extends RickMortyError {
  override name = 'ConnectionError';
  readonly method: string;
  readonly url: string;
  /** The system error code when there is one, such as `ECONNRESET`. */
  readonly code: string | undefined;

  constructor(
    details: RequestDetails & { code?: string | undefined; reason?: string },
    options?: ErrorOptions,
  ) {
    const why = details.code ?? details.reason ?? 'connection failed';
    super(`Request failed (${why}): ${details.method} ${details.url}`, options);
    this.method = details.method;
    this.url = details.url;
    this.code = details.code;
  }
}

/**
 * The answer could not be read: its body is not JSON (often a truncated body), it is larger than
 * `maxResponseBytes`, or a redirect went wrong. `code` tells which.
 */
export class ResponseError extends RickMortyError {
  override name = 'ResponseError';
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly code: 'INVALID_JSON' | 'TOO_LARGE' | 'TOO_MANY_REDIRECTS' | 'BAD_REDIRECT';

  constructor(
    details: RequestDetails & {
      code: ResponseError['code'];
      status?: number | undefined;
      detail: string;
    },
    options?: ErrorOptions,
  ) {
    super(`${details.detail}: ${details.method} ${details.url}`, options);
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.code = details.code;
  }
}

/** One problem zod found, in a form that survives structured cloning. */
export interface ValidationIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
}

/**
 * A response arrived but does not have the shape the schemas expect. This is not an HTTP error:
 * the request succeeded and the data surprised us.
 */
export class ValidationError extends RickMortyError {
  override name = 'ValidationError';
  readonly url: string;
  readonly issues: readonly ValidationIssue[];

  constructor(
    details: { url: string; issues: readonly ValidationIssue[] },
    options?: ErrorOptions,
  ) {
    const first = details.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    const more = details.issues.length > 3 ? ` (+${details.issues.length - 3} more)` : '';
    super(`Response failed validation: ${details.url}: ${first}${more}`, options);
    this.url = details.url;
    this.issues = details.issues;
  }
}

/**
 * An argument is of the wrong type (for instance an id that is a string).
 * It extends `TypeError`, so code that expects the standard class keeps working.
 */
export class InvalidArgumentError extends TypeError {
  override name = 'InvalidArgumentError';
}

/** An argument has the right type but a value outside what is allowed (an id of 0). */
export class ArgumentRangeError extends RangeError {
  override name = 'ArgumentRangeError';
}

/** The caller's `AbortSignal` fired. `cause` is the signal's reason. */
export class AbortError extends RickMortyError {
  override name = 'AbortError';

  constructor(reason?: unknown) {
    const detail =
      reason instanceof Error ? reason.message : reason === undefined ? '' : String(reason);
    super(detail ? `The operation was aborted: ${detail}` : 'The operation was aborted', {
      cause: reason,
    });
  }
}

/** What a `BlockingUnavailableError` knows of the twin that was called, when a client's was. */
export interface BlockingTwinDetails {
  /** The blocking twin that was called, e.g. `'getCharacter'`. */
  readonly method: string;
  /** Its async twin, to call instead, e.g. `'getCharacterAsync'`. */
  readonly asyncTwin: string;
}

/**
 * A blocking twin was called where blocking is impossible (a browser's main thread, or a client
 * that was given only an async transport). The message names what to call or inject instead.
 *
 * When a client's blocking twin was called, `method` and `asyncTwin` name it and the twin to call
 * instead, and the message ends with `Call getCharacterAsync() instead`.
 */
export class BlockingUnavailableError extends RickMortyError {
  override name = 'BlockingUnavailableError';
  /** The blocking twin that was called, when the error came from a client's twin. */
  readonly method: string | undefined;
  /** The async twin to call instead, when the error came from a client's twin. */
  readonly asyncTwin: string | undefined;

  constructor(message: string, options?: ErrorOptions & { twin?: BlockingTwinDetails }) {
    const twin = options?.twin;
    super(
      twin
        ? `${twin.method}() cannot block here: ${message}. Call ${twin.asyncTwin}() instead`
        : message,
      options,
    );
    this.method = twin?.method;
    this.asyncTwin = twin?.asyncTwin;
  }
}

/** The worker thread behind the blocking transport or `makeAsync` failed to start or died. */
export class WorkerError extends RickMortyError {
  override name = 'WorkerError';
}
