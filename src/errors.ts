/**
 * Every error this library throws on purpose is a `RickMortyError`. The type guards below check
 * `name` as well as `instanceof`, so they keep working when two copies of the package end up in
 * one program (a dependency pinned to another version), or when an error has crossed a thread.
 */

/** The shape of a request as errors report it. */
export interface RequestInfo {
  readonly method: string;
  readonly url: string;
}

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
export interface HttpErrorDetails extends RequestInfo {
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

  constructor(details: RequestInfo & { timeout: number }, options?: ErrorOptions) {
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
    details: RequestInfo & { code?: string | undefined; reason?: string },
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
    details: RequestInfo & {
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

/**
 * A blocking twin was called where blocking is impossible (a browser's main thread, or a client
 * that was given only an async transport). The message names what to call or inject instead.
 */
export class BlockingUnavailableError extends RickMortyError {
  override name = 'BlockingUnavailableError';
}

/** The worker thread behind the blocking transport or `makeAsync` failed to start or died. */
export class WorkerError extends RickMortyError {
  override name = 'WorkerError';
}

/** Whether `error` is a DOM exception, whose names (`AbortError`, `TimeoutError`) clash with ours. */
function isDomException(error: object): boolean {
  const DomException = (globalThis as { DOMException?: abstract new (...args: never[]) => object })
    .DOMException;
  return DomException !== undefined && error instanceof DomException;
}

/**
 * Whether `error` carries one of `names`: an error of another copy of this package, or one that
 * crossed a thread as a plain object. A DOM exception is never ours, whatever its name.
 */
function hasName(error: unknown, names: readonly string[]): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { name?: unknown }).name === 'string' &&
    names.includes((error as { name: string }).name) &&
    !isDomException(error)
  );
}

const HTTP_NAMES = ['HttpError', 'NotFoundError', 'RateLimitError', 'ServerError'] as const;
const ALL_NAMES = [
  'RickMortyError',
  ...HTTP_NAMES,
  'TimeoutError',
  'ConnectionError',
  'ResponseError',
  'ValidationError',
  'AbortError',
  'BlockingUnavailableError',
  'WorkerError',
] as const;

/** Whether `error` is any error of this library, from this copy of the package or another. */
export function isRickMortyError(error: unknown): error is RickMortyError {
  return error instanceof RickMortyError || hasName(error, ALL_NAMES);
}

/** Whether `error` is an `HttpError` (or one of its subclasses). */
export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError || hasName(error, HTTP_NAMES);
}

/** Whether `error` is a `NotFoundError`. */
export function isNotFoundError(error: unknown): error is NotFoundError {
  return error instanceof NotFoundError || hasName(error, ['NotFoundError']);
}

/** Whether `error` is a `RateLimitError`. */
export function isRateLimitError(error: unknown): error is RateLimitError {
  return error instanceof RateLimitError || hasName(error, ['RateLimitError']);
}

/** Whether `error` is a `TimeoutError`. */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return error instanceof TimeoutError || hasName(error, ['TimeoutError']);
}

/** Whether `error` is a `ValidationError`. */
export function isValidationError(error: unknown): error is ValidationError {
  return error instanceof ValidationError || hasName(error, ['ValidationError']);
}

/** Whether `error` is an abort: ours, or a DOM `AbortError` from `fetch`. */
export function isAbortError(error: unknown): boolean {
  return (
    error instanceof AbortError ||
    hasName(error, ['AbortError']) ||
    (typeof error === 'object' &&
      error !== null &&
      isDomException(error) &&
      (error as Error).name === 'AbortError')
  );
}

/**
 * Errors turned into plain objects and back, so that an error thrown in a worker thread arrives
 * on the caller's side as the same class with the same fields.
 *
 * @internal
 */
export type SerializedError = {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
  readonly fields: Record<string, unknown>;
  readonly cause?: SerializedError | undefined;
  /** The `previousErrors` a retry helper attached, serialized in turn. */
  readonly previous?: readonly SerializedError[] | undefined;
};

const FIELD_NAMES = [
  'status',
  'statusText',
  'method',
  'url',
  'serverMessage',
  'headers',
  'ids',
  'retryAfterMs',
  'timeout',
  'code',
  'issues',
  'attempts',
] as const;

/** @internal */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error) && !(typeof error === 'object' && error !== null)) {
    return { name: 'Error', message: String(error), fields: {} };
  }
  const source = error as Error & Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const key of FIELD_NAMES) {
    if (source[key] !== undefined) fields[key] = source[key];
  }
  const previous =
    Array.isArray(source.previousErrors) && depth < 4 ? source.previousErrors : undefined;
  return {
    name: typeof source.name === 'string' ? source.name : 'Error',
    message: typeof source.message === 'string' ? source.message : String(error),
    stack: typeof source.stack === 'string' ? source.stack : undefined,
    fields: structuredCloneable(fields),
    cause:
      source.cause !== undefined && depth < 4 ? serializeError(source.cause, depth + 1) : undefined,
    previous: previous?.map((item) => serializeError(item, depth + 1)),
  };
}

/** The fields that can cross a thread: each as it is, else through JSON, else left out. */
function structuredCloneable(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(fields);
  } catch {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
      try {
        result[key] = structuredClone(value);
      } catch {
        try {
          const text = JSON.stringify(value);
          if (text !== undefined) result[key] = JSON.parse(text);
        } catch {
          // Neither cloneable nor JSON (a BigInt, a cycle): this field stays behind.
        }
      }
    }
    return result;
  }
}

/** @internal */
export function deserializeError(data: SerializedError): Error {
  const cause = data.cause ? deserializeError(data.cause) : undefined;
  const options = cause === undefined ? undefined : { cause };
  // The fields came from serializeError on the other side of the thread, so they have the types
  // of the class that `name` names.
  const f = data.fields as {
    method?: string;
    url?: string;
    status: number;
    statusText?: string;
    serverMessage?: string;
    headers?: Record<string, string>;
    ids?: number[];
    retryAfterMs?: number;
    timeout: number;
    code: ResponseError['code'] & string;
    issues?: ValidationIssue[];
    attempts?: number;
  };
  const request = { method: f.method ?? 'GET', url: f.url ?? '' };
  let error: Error;
  switch (data.name) {
    case 'HttpError':
    case 'NotFoundError':
    case 'RateLimitError':
    case 'ServerError': {
      const details = {
        ...request,
        status: f.status,
        statusText: f.statusText,
        serverMessage: f.serverMessage,
        headers: f.headers,
      };
      error =
        data.name === 'NotFoundError'
          ? new NotFoundError({ ...details, ids: f.ids ?? [] }, options)
          : data.name === 'RateLimitError'
            ? new RateLimitError({ ...details, retryAfterMs: f.retryAfterMs }, options)
            : data.name === 'ServerError'
              ? new ServerError(details, options)
              : new HttpError(details, options);
      break;
    }
    case 'TimeoutError':
      error = new TimeoutError({ ...request, timeout: f.timeout }, options);
      break;
    case 'ConnectionError':
      error = new ConnectionError({ ...request, code: f.code }, options);
      break;
    case 'ResponseError':
      error = new ResponseError(
        { ...request, code: f.code, status: f.status, detail: '' },
        options,
      );
      break;
    case 'ValidationError':
      error = new ValidationError({ url: request.url, issues: f.issues ?? [] }, options);
      break;
    case 'AbortError':
      error = new AbortError(cause);
      break;
    case 'RickMortyError':
      error = new RickMortyError(data.message, options);
      break;
    case 'WorkerError':
      error = new WorkerError(data.message, options);
      break;
    case 'BlockingUnavailableError':
      error = new BlockingUnavailableError(data.message, options);
      break;
    case 'InvalidArgumentError':
      error = new InvalidArgumentError(data.message, options);
      break;
    case 'ArgumentRangeError':
      error = new ArgumentRangeError(data.message, options);
      break;
    case 'TypeError':
      error = new TypeError(data.message, options);
      break;
    case 'RangeError':
      error = new RangeError(data.message, options);
      break;
    default:
      error = new Error(data.message, options);
      if (data.name !== 'Error') error.name = data.name;
  }
  // The message was composed on the other side; keep it word for word.
  Object.defineProperty(error, 'message', {
    value: data.message,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  if (data.stack) error.stack = data.stack;
  // The retry history rides along as the retry helpers attach it: not enumerable.
  if (typeof f.attempts === 'number') {
    Object.defineProperty(error, 'attempts', {
      value: f.attempts,
      writable: true,
      configurable: true,
    });
  }
  if (data.previous) {
    Object.defineProperty(error, 'previousErrors', {
      value: data.previous.map((item) => deserializeError(item)),
      writable: true,
      configurable: true,
    });
  }
  // Fields the class does not set itself (the `code` of a system error in a cause chain) are kept
  // as they were.
  for (const [key, value] of Object.entries(data.fields)) {
    if (!(key in error)) {
      Object.defineProperty(error, key, {
        value,
        writable: true,
        configurable: true,
        enumerable: true,
      });
    }
  }
  return error;
}
