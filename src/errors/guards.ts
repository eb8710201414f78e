/**
 * Type guards for the error classes. They check `name` as well as `instanceof`, so they keep
 * working when two copies of the package end up in one program (a dependency pinned to another
 * version), or when an error has crossed a thread as a plain object.
 *
 * Code in this package asks these guards, never `error.name === '…'`.
 */
import {
  AbortError,
  ArgumentRangeError,
  BlockingUnavailableError,
  ConnectionError,
  HttpError,
  InvalidArgumentError,
  NotFoundError,
  RateLimitError,
  ResponseError,
  RickMortyError,
  ServerError,
  TimeoutError,
  ValidationError,
  WorkerError,
} from './classes.js';

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
  'InvalidArgumentError',
  'ArgumentRangeError',
] as const;

/**
 * Whether `error` is any error of this library, from this copy of the package or another: the
 * argument errors (`InvalidArgumentError`, `ArgumentRangeError`) too.
 */
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

/** Whether `error` is a `ServerError` (a 5xx answer). */
export function isServerError(error: unknown): error is ServerError {
  return error instanceof ServerError || hasName(error, ['ServerError']);
}

/** Whether `error` is a `TimeoutError`. */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return error instanceof TimeoutError || hasName(error, ['TimeoutError']);
}

/** Whether `error` is a `ConnectionError`. */
export function isConnectionError(error: unknown): error is ConnectionError {
  return error instanceof ConnectionError || hasName(error, ['ConnectionError']);
}

/** Whether `error` is a `ResponseError` (a body that could not be read, or a bad redirect). */
export function isResponseError(error: unknown): error is ResponseError {
  return error instanceof ResponseError || hasName(error, ['ResponseError']);
}

/** Whether `error` is a `ValidationError`. */
export function isValidationError(error: unknown): error is ValidationError {
  return error instanceof ValidationError || hasName(error, ['ValidationError']);
}

/** Whether `error` is a `BlockingUnavailableError`. */
export function isBlockingUnavailableError(error: unknown): error is BlockingUnavailableError {
  return error instanceof BlockingUnavailableError || hasName(error, ['BlockingUnavailableError']);
}

/** Whether `error` is a `WorkerError`. */
export function isWorkerError(error: unknown): error is WorkerError {
  return error instanceof WorkerError || hasName(error, ['WorkerError']);
}

/** Whether `error` is an `InvalidArgumentError` (an argument of the wrong type). */
export function isInvalidArgumentError(error: unknown): error is InvalidArgumentError {
  return error instanceof InvalidArgumentError || hasName(error, ['InvalidArgumentError']);
}

/** Whether `error` is an `ArgumentRangeError` (an argument of the right type, out of range). */
export function isArgumentRangeError(error: unknown): error is ArgumentRangeError {
  return error instanceof ArgumentRangeError || hasName(error, ['ArgumentRangeError']);
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
