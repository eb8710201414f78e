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

/** The listeners of one signal, behind the one listener `onAbort` adds to it. */
interface AbortHub {
  readonly listeners: Set<() => void>;
  readonly fire: () => void;
}

const hubs = new WeakMap<object, AbortHub>();

function hubOf(signal: AbortSignal): AbortHub {
  const found = hubs.get(signal);
  if (found) return found;
  const listeners = new Set<() => void>();
  const fire = () => {
    hubs.delete(signal);
    const called = [...listeners];
    listeners.clear();
    let failure: { error: unknown } | undefined;
    for (const listener of called) {
      try {
        listener();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  };
  const hub = { listeners, fire };
  hubs.set(signal, hub);
  signal.addEventListener('abort', fire, { once: true });
  return hub;
}

/**
 * Calls `listener` once when `signal` fires, and returns what unsubscribes it. However many
 * requests of one call wait on its signal, the signal holds one listener: Node's `EventTarget`
 * walks its whole list on every `addEventListener`, so a listener per request (8,000 ids with
 * `batch: false`) would cost time in the square of their number and stall the event loop.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  const hub = hubOf(signal);
  // A wrapper per subscription, so that the same function subscribed twice is called twice.
  const entry = () => listener();
  hub.listeners.add(entry);
  return () => {
    if (!hub.listeners.delete(entry) || hub.listeners.size > 0) return;
    if (hubs.get(signal) === hub) hubs.delete(signal);
    signal.removeEventListener?.('abort', hub.fire);
  };
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
    const unsubscribe = onAbort(signal, abort);
    Promise.resolve(value).then(
      (result) => {
        unsubscribe();
        resolve(result);
      },
      (error: unknown) => {
        unsubscribe();
        reject(error);
      },
    );
  });
}

/** Set once this thread has been seen able to block: it stays able for its whole life. */
let canBlock = false;

/**
 * Why this thread cannot block on `Atomics.wait`, or `undefined` when it can. Asked before any
 * worker thread is started, so that where blocking is impossible nothing is started at all. The
 * probe waits for a value the cell does not hold, so it returns at once wherever waiting is allowed.
 */
export function whyBlockingIsImpossible(): string | undefined {
  if (canBlock) return undefined;
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics?.wait !== 'function') {
    return 'SharedArrayBuffer is not available here (a page that is not cross-origin isolated, or Node.js run with --no-harmony-sharedarraybuffer)';
  }
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    return 'Atomics.wait is not allowed on this thread (a browser main thread, or an Electron renderer)';
  }
  canBlock = true;
  return undefined;
}

/**
 * A cell of `length` 32-bit integers shared between threads, for `Atomics.wait` and
 * `Atomics.notify`; a `BlockingUnavailableError` where there is no `SharedArrayBuffer` or this
 * thread may not wait.
 */
export function sharedCell(length = 1): Int32Array {
  const reason = whyBlockingIsImpossible();
  if (reason) throw new BlockingUnavailableError(`${reason}; use the async twin`);
  return new Int32Array(new SharedArrayBuffer(4 * length));
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
