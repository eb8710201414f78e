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

/** How deep into a `cause` chain the root cause is looked for. */
const MAX_CAUSE_DEPTH = 6;

/**
 * The first error of an `AggregateError` (a connection to `localhost` tries `::1` and
 * `127.0.0.1`, and fails with both), else `error` itself.
 */
function firstOf(error: unknown): unknown {
  const errors = (error as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) && errors.length > 0 ? errors[0] : error;
}

/**
 * What went wrong, from the root cause up: the first system `code` in the chain of causes and
 * their messages, without `fetch`'s bare `fetch failed`, which says nothing. `fetch` hides the
 * reason (`connect ECONNREFUSED 127.0.0.1:80`, `bad port`) one or two `cause`s down.
 */
export function rootCauseOf(error: unknown): { code: string | undefined; reason: string } {
  let code: string | undefined;
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current != null; depth++) {
    const item = firstOf(current) as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === undefined && typeof item.code === 'string') code = item.code;
    const message = typeof item.message === 'string' ? item.message.trim() : '';
    if (message && !messages.some((seen) => seen.includes(message))) messages.push(message);
    if (typeof item !== 'object' || item === null) {
      if (messages.length === 0) messages.push(String(item));
      break;
    }
    current = item.cause;
  }
  const useful = messages.length > 1 ? messages.filter((m) => m !== 'fetch failed') : messages;
  const text = useful.join(': ');
  const reason = code && !text.includes(code) ? `${code}${text ? `: ${text}` : ''}` : text;
  return { code, reason };
}

/**
 * A failure from inside a transport that is not already one of ours, as a `ConnectionError` whose
 * message names the root cause and its code.
 */
export function connectionErrorFor(request: TransportRequest, error: unknown): ConnectionError {
  const { code, reason } = rootCauseOf(error);
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
