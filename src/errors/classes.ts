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
   * `instanceof RickMortyError` is also true for `InvalidArgumentError` and `ArgumentRangeError`,
   * which extend `TypeError` and `RangeError` (a class has one parent): they carry this copy's
   * brand. Subclasses keep the ordinary check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class right of `instanceof`, a subclass or this one
    return Function.prototype[Symbol.hasInstance].call(this, value) || isBranded(this, value);
  }
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

  /**
   * `reason` is what went wrong, as the root cause tells it (`connect ECONNREFUSED 127.0.0.1:80`,
   * `bad port`); the message leads with it, else with `code`.
   */
  constructor(
    details: RequestDetails & { code?: string | undefined; reason?: string | undefined },
    options?: ErrorOptions,
  ) {
    const why = details.reason || details.code || 'connection failed';
    super(`Request failed (${why}): ${details.method} ${details.url}`, options);
    this.method = details.method;
    this.url = details.url;
    this.code = details.code;
  }
}

/**
 * What went wrong with an answer, in a `ResponseError`:
 *
 * - `INVALID_JSON`: the body is not JSON (often a body cut short); retried.
 * - `TOO_LARGE`: the body is larger than `maxResponseBytes`.
 * - `TOO_MANY_REDIRECTS`: more than `maxRedirects` redirects.
 * - `BAD_REDIRECT`: a redirect the client cannot follow: to a URL that is not http(s) or holds
 *   credentials, a 3xx without a `Location`, or a 304 to a request that asked for none.
 * - `BAD_CHARSET`: a `charset` the client cannot decode.
 * - `TOO_MANY_RECORDS`: a list that claims more records than `maxRecords`.
 */
export type ResponseErrorCode =
  | 'INVALID_JSON'
  | 'TOO_LARGE'
  | 'TOO_MANY_REDIRECTS'
  | 'BAD_REDIRECT'
  | 'BAD_CHARSET'
  | 'TOO_MANY_RECORDS';

/**
 * The answer could not be used: its body is not JSON (often a truncated body), it is larger than
 * `maxResponseBytes`, a redirect went wrong, or it claims more than the client's limits allow.
 * `code` tells which (see `ResponseErrorCode`).
 */
export class ResponseError extends RickMortyError {
  override name = 'ResponseError';
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly code: ResponseErrorCode;

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
 * The brand of this copy's argument errors: what makes them `instanceof RickMortyError` though
 * they extend `TypeError` and `RangeError`. A symbol of this copy alone (not `Symbol.for`), so
 * that `instanceof` means this copy's classes, as it does for every other class; the guards
 * (`isRickMortyError`) recognise errors of any copy by name.
 */
const ARGUMENT_BRAND: unique symbol = Symbol('rickmorty-client.argument-error');

/** Whether `value` is one of this copy's argument errors, asked of RickMortyError itself. */
function isBranded(target: unknown, value: unknown): boolean {
  return target === RickMortyError && hasArgumentBrand(value);
}

function hasArgumentBrand(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [ARGUMENT_BRAND]?: unknown })[ARGUMENT_BRAND] === true
  );
}

/**
 * An argument is of the wrong type (for instance an id that is a string), found before any
 * request. It extends `TypeError`, so code that expects the standard class keeps working, and it
 * is a `RickMortyError` too: `error instanceof RickMortyError` and `isRickMortyError(error)` are
 * both true.
 */
export class InvalidArgumentError extends TypeError {
  override name = 'InvalidArgumentError';
  /** As on every `RickMortyError`; never set on an argument error, which is not retried. */
  declare attempts?: number;
  declare previousErrors?: readonly unknown[];
}

/**
 * An argument has the right type but a value outside what is allowed (an id of 0), found before
 * any request. It extends `RangeError`, and it is a `RickMortyError` too.
 */
export class ArgumentRangeError extends RangeError {
  override name = 'ArgumentRangeError';
  declare attempts?: number;
  declare previousErrors?: readonly unknown[];
}

for (const ArgumentError of [InvalidArgumentError, ArgumentRangeError]) {
  Object.defineProperty(ArgumentError.prototype, ARGUMENT_BRAND, { value: true });
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
