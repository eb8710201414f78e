/**
 * The one place that turns what a transport (or the `fetch`, the worker pool or the user's code
 * inside one) throws into this package's errors. The HTTP transport, the makeAsync pool and the
 * client's dispatcher, in both halves, all map failures here, so a failure reads the same
 * whichever way the request went.
 *
 * @module
 */
import {
  AbortError,
  ConnectionError,
  InvalidArgumentError,
  type RickMortyError,
  WorkerError,
} from '../errors/classes.js';
import { isAbortError, isRickMortyError } from '../errors/guards.js';
import type { TransportRequest } from './types.js';

/** A failure from inside a transport that is not already one of ours, as a `ConnectionError`. */
export function connectionErrorFor(request: TransportRequest, error: unknown): ConnectionError {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code =
    typeof (error as { code?: unknown } | null)?.code === 'string'
      ? (error as { code: string }).code
      : typeof cause?.code === 'string'
        ? cause.code
        : undefined;
  const reason = error instanceof Error ? error.message : String(error);
  return new ConnectionError(
    { method: request.method, url: request.url, code, reason },
    { cause: error },
  );
}

/**
 * What a transport threw while sending `request`, as one of our errors: once the request's signal
 * has fired, an `AbortError` with its reason (whatever the transport made of the abort); ours as
 * they are; any other abort as an `AbortError`; anything else (a transport written by a user may
 * throw anything) as a `ConnectionError` naming the request.
 */
export function transportFailure(request: TransportRequest, error: unknown): RickMortyError {
  if (request.signal?.aborted) return new AbortError(request.signal.reason);
  if (isRickMortyError(error)) return error;
  if (isAbortError(error)) return new AbortError(error);
  return connectionErrorFor(request, error);
}

/**
 * What the makeAsync pool rejected with, as one of our errors: arguments that cannot be copied to
 * a thread are the caller's mistake (an `InvalidArgumentError`); anything else means the thread
 * failed or the pool was closed under the call (a `WorkerError`).
 */
export function poolFailure(error: unknown): unknown {
  if (isRickMortyError(error)) return error;
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  // The structured clone algorithm's own error, a DOMException: no guard of ours applies.
  if (name === 'DataCloneError') {
    return new InvalidArgumentError(
      `makeAsync: the arguments cannot be copied to a worker thread (${message}); pass data the structured clone algorithm can copy, not functions or class instances with methods`,
      { cause: error },
    );
  }
  return new WorkerError(`makeAsync: the worker thread failed (${message})`, { cause: error });
}
