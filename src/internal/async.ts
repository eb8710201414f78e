/**
 * Small helpers for waiting, written once: an abort check, the race between a promise and an
 * `AbortSignal`, and the blocking wait of `Atomics.wait`.
 *
 * @module
 */
import { AbortError, BlockingUnavailableError } from '../errors/classes.js';

/** Whether `value` looks like a promise (any thenable). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** Throws our `AbortError` if `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}

/** What `raceAbort` does when the signal wins. */
export interface RaceAbortOptions {
  /** Called once, when the signal fires first: to clear a timer, or to let go of a shared request. */
  readonly onAbort?: () => void;
  /** What to reject with. Default: an `AbortError` whose cause is the signal's reason. */
  readonly error?: (signal: AbortSignal) => unknown;
}

/**
 * Settles as `value` does, unless `signal` fires first: then it calls `onAbort` and rejects at
 * once. Its abort listener is removed either way, so a long-lived signal gathers none.
 *
 * Note: the abandoned `value` is not cancelled, only no longer awaited; its rejection is silenced.
 */
export function raceAbort<T>(
  value: PromiseLike<T> | T,
  signal: AbortSignal | undefined,
  options: RaceAbortOptions = {},
): Promise<T> {
  if (!signal) return Promise.resolve(value);
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      Promise.resolve(value).catch(() => {});
      options.onAbort?.();
      reject(options.error ? options.error(signal) : new AbortError(signal.reason));
    };
    if (signal.aborted) {
      abort();
      return;
    }
    signal.addEventListener('abort', abort, { once: true });
    Promise.resolve(value).then(
      (result) => {
        signal.removeEventListener('abort', abort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

/**
 * `Atomics.wait`: parks this thread until `cell[0]` is no longer `value` or `ms` have passed. Where
 * a thread may not block (a browser's main thread), a `BlockingUnavailableError`.
 */
export function blockingWait(
  cell: Int32Array,
  value: number,
  ms: number,
): 'ok' | 'not-equal' | 'timed-out' {
  try {
    return Atomics.wait(cell, 0, value, ms);
  } catch (error) {
    throw new BlockingUnavailableError(
      'Atomics.wait is not allowed on this thread (a browser main thread); use the async twin',
      { cause: error },
    );
  }
}
