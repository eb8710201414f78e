import gensync from 'gensync';
import {
  ArgumentRangeError,
  InvalidArgumentError,
  type RickMortyError,
} from '../errors/classes.js';
import {
  isAbortError,
  isArgumentRangeError,
  isBlockingUnavailableError,
  isInvalidArgumentError,
  isResponseError,
  isRickMortyError,
  isValidationError,
} from '../errors/guards.js';
import { isThenable, raceAbort, throwIfAborted } from '../internal/async.js';
import {
  assertOptionsObject,
  booleanOption,
  describeValue,
  functionOption,
  integerOption,
  signalOption,
} from '../internal/checks.js';
import { type Handler, sleep } from './effects.js';

/** A logger in the shape of `console`; every method is optional. */
export interface Logger {
  /** Each request: `fetching <url>` and `fetched <url> (<status>)`. */
  debug?(message: string, ...details: unknown[]): void;
  /** Not used by the library today; present so that `console` fits. */
  info?(message: string, ...details: unknown[]): void;
  /** Each failed attempt that will be retried, and each cache store failure. */
  warn?(message: string, ...details: unknown[]): void;
  /** Not used by the library today; present so that `console` fits. */
  error?(message: string, ...details: unknown[]): void;
}

/** What `onRetry` is told before each wait. */
export interface RetryContext {
  /** The error of the attempt that just failed. */
  readonly error: unknown;
  /** The number of that attempt, from 1. */
  readonly attempt: number;
  readonly retriesLeft: number;
  /** How long the helper will wait before the next attempt, in milliseconds. */
  readonly delay: number;
}

/** Options of `handleError`, `handleErrorAsync` and the client's own retries. */
export interface RetryOptions {
  /** How many times to try again after the first failure. Default: 2, as in the original helpers. */
  retries?: number;
  /** The first backoff delay in milliseconds; each retry doubles it (see `factor`). Default: 200. */
  minDelay?: number;
  /** The largest backoff delay in milliseconds. Default: 5000. */
  maxDelay?: number;
  /** How much each delay grows over the previous one. Default: 2. */
  factor?: number;
  /**
   * Spread each delay at random between half and all of it, so that many clients that failed
   * together do not retry together. Default: true.
   */
  jitter?: boolean;
  /**
   * The longest `Retry-After` to honour, in milliseconds; a server that asks for a longer wait
   * gets its error rethrown at once. Default: 60000.
   */
  maxRetryAfter?: number;
  /**
   * Decides whether an error is worth another attempt. Default: every error except those known to
   * be permanent (see `isPermanentError`). Note: it is not asked once the retries have run out.
   */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait. Use it to log, or to count attempts in a test. */
  onRetry?: (context: RetryContext) => void;
  /**
   * Aborts the attempts and any pending wait with an `AbortError`.
   * Note: `handleErrorAsync` stops waiting for a pending attempt at once (the attempt's promise is
   * abandoned, not cancelled); `handleError` can only check the signal between attempts.
   */
  signal?: AbortSignal;
  /**
   * Where to log each failure. `handleError` and `handleErrorAsync` log to `console` by default,
   * as the original helpers did; pass `null` to keep them quiet. The client logs nowhere unless
   * it is given a logger.
   */
  logger?: Logger | null;
}

/**
 * @internal The options checked and filled in. The signal is not part of it: it belongs to each
 * call, and `retrying` is given it beside the policy.
 */
export interface RetryPolicy {
  readonly retries: number;
  readonly minDelay: number;
  readonly maxDelay: number;
  readonly factor: number;
  readonly jitter: boolean;
  readonly maxRetryAfter: number;
  readonly shouldRetry: (error: unknown, attempt: number) => boolean;
  readonly onRetry: ((context: RetryContext) => void) | undefined;
  readonly logger: Logger | null;
  readonly random: () => number;
}

/** @internal The options `resolveRetryPolicy` knows. */
export const RETRY_KEYS = [
  'retries',
  'minDelay',
  'maxDelay',
  'factor',
  'jitter',
  'maxRetryAfter',
  'shouldRetry',
  'onRetry',
  'signal',
  'logger',
] as const;

/**
 * Whether an error will fail the same way however often it is retried: an HTTP 4xx other than
 * 408 and 429, a validation error, a bad argument, an abort, a body too large or a bad redirect.
 *
 * @example
 * ```ts
 * isPermanentError(new NotFoundError({ method: 'GET', url })); //=> true
 * ```
 */
export function isPermanentError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (
    isValidationError(error) ||
    isInvalidArgumentError(error) ||
    isArgumentRangeError(error) ||
    isAbortError(error) ||
    isBlockingUnavailableError(error)
  ) {
    return true;
  }
  if (isResponseError(error) && error.code !== 'INVALID_JSON') return true;
  const { name, status } = error as { name?: unknown; status?: unknown };
  if (
    typeof status === 'number' &&
    typeof name === 'string' &&
    name.endsWith('Error') &&
    status >= 400 &&
    status < 500
  ) {
    return status !== 408 && status !== 429;
  }
  return false;
}

/** @internal Checks retry options and fills in the defaults. */
export function resolveRetryPolicy(
  options: unknown,
  defaults: { logger: Logger | null; name?: string } = { logger: null },
): RetryPolicy {
  const name = defaults.name ?? 'options';
  const o = assertOptionsObject(options, name, RETRY_KEYS);
  const minDelay = integerOption(o.minDelay, 'minDelay', 200);
  const maxDelay = integerOption(o.maxDelay, 'maxDelay', 5000);
  if (maxDelay < minDelay) {
    throw new ArgumentRangeError(
      `Expected \`maxDelay\` (${maxDelay}) to be at least \`minDelay\` (${minDelay})`,
    );
  }
  const factor = o.factor === undefined ? 2 : o.factor;
  if (typeof factor !== 'number' || Number.isNaN(factor)) {
    throw new InvalidArgumentError(
      `Expected \`factor\` to be a finite number of at least 1, got ${describeValue(factor)}`,
    );
  }
  if (!Number.isFinite(factor) || factor < 1) {
    throw new ArgumentRangeError(
      `Expected \`factor\` to be a finite number of at least 1, got ${factor}`,
    );
  }
  const logger = o.logger === undefined ? defaults.logger : (o.logger as Logger | null);
  if (logger !== null && (typeof logger !== 'object' || Array.isArray(logger))) {
    throw new InvalidArgumentError(
      'Expected `logger` to be an object with console-like methods, or null',
    );
  }
  return {
    retries: integerOption(o.retries, 'retries', 2),
    minDelay,
    maxDelay,
    factor,
    jitter: booleanOption(o.jitter, 'jitter', true),
    maxRetryAfter: integerOption(o.maxRetryAfter, 'maxRetryAfter', 60_000),
    shouldRetry:
      functionOption(o.shouldRetry, 'shouldRetry') ?? ((error) => !isPermanentError(error)),
    onRetry: functionOption(o.onRetry, 'onRetry'),
    logger,
    random: Math.random,
  };
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const base = Math.min(policy.maxDelay, policy.minDelay * policy.factor ** (attempt - 1));
  return Math.round(policy.jitter ? base * (0.5 + policy.random() / 2) : base);
}

function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && value >= 0 ? value : undefined;
}

/**
 * How long to wait before attempt `attempt + 1`: the backoff, or longer when the server's
 * `Retry-After` asks for more. Never shorter: a `Retry-After` of 0, a negative one or a date in
 * the past must not turn the retries into a burst against a server that is struggling.
 */
function delayBefore(policy: RetryPolicy, attempt: number, retryAfter: number | undefined): number {
  return Math.max(retryAfter ?? 0, backoff(policy, attempt));
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Adds `(after N attempts)` to the message of one of our errors that was retried, so that
 * `Request timed out after 500 ms` does not hide that the call took three of them. The stack's
 * first line, which repeats the message, says it too. Errors of the caller's own code (in
 * `handleError`) keep their message: they carry `attempts` like every other.
 */
function sayAttempts(error: unknown, attempts: number): void {
  if (attempts < 2 || !isRickMortyError(error)) return;
  const note = ` (after ${attempts} attempts)`;
  const message = error.message;
  if (message.endsWith(note)) return;
  try {
    const stack = error.stack;
    error.message = `${message}${note}`;
    const head = `${error.name}: ${message}`;
    if (typeof stack === 'string' && stack.startsWith(head)) {
      error.stack = `${head}${note}${stack.slice(head.length)}`;
    }
  } catch {
    // A frozen error keeps its message; `attempts` still tells.
  }
}

function annotate(error: unknown, attempts: number, previous: unknown[]): unknown {
  sayAttempts(error, attempts);
  if (typeof error === 'object' && error !== null && Object.isExtensible(error)) {
    // The last error is rethrown as it is, so that `instanceof` and type guards still match; the
    // history rides along on it.
    const target = error as RickMortyError;
    Object.defineProperty(target, 'attempts', {
      value: attempts,
      configurable: true,
      writable: true,
    });
    Object.defineProperty(target, 'previousErrors', {
      value: previous,
      configurable: true,
      writable: true,
    });
  }
  return error;
}

/**
 * The retry policy, written once. `handleError`, `handleErrorAsync` and the client's requests all
 * run through it; only the effects (`sleep`, and whatever the attempt yields) differ by half.
 *
 * @internal
 */
export function* retrying<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: (number: number) => Handler<T>,
  beforeRetry?: (error: unknown, retryCount: number) => Handler<void>,
): Handler<T> {
  const failures: unknown[] = [];
  for (let number = 1; ; number++) {
    throwIfAborted(signal);
    try {
      return yield* attempt(number);
    } catch (error) {
      const retriesLeft = policy.retries - (number - 1);
      const retryAfter = retryAfterOf(error);
      const giveUp =
        retriesLeft <= 0 ||
        isAbortError(error) ||
        misuses.has(error as object) ||
        (retryAfter !== undefined && retryAfter > policy.maxRetryAfter) ||
        !policy.shouldRetry(error, number);
      if (giveUp) throw annotate(error, number, failures);
      failures.push(error);
      const delay = delayBefore(policy, number, retryAfter);
      policy.logger?.warn?.(
        `Attempt ${number} failed (${describeError(error)}); retrying in ${delay} ms, ${retriesLeft} ${retriesLeft === 1 ? 'retry' : 'retries'} left`,
      );
      policy.onRetry?.({ error, attempt: number, retriesLeft, delay });
      yield* sleep(delay, signal);
      // After the wait, as ky does: the hooks see the state the next attempt starts from.
      if (beforeRetry) yield* beforeRetry(error, number);
    }
  }
}

/**
 * Errors that no retry can fix: a misuse of the helpers themselves, or what the client's hooks
 * threw (the hook decided; running it again would only repeat that).
 */
const misuses = new WeakSet<object>();

/** @internal Marks `error` as one that `retrying` rethrows at once; returns it. */
export function neverRetry<E>(error: E): E {
  if (typeof error === 'object' && error !== null) misuses.add(error);
  return error;
}

/**
 * Calls the user's function: as it is in the blocking half, awaiting its promise in the async half,
 * where an abort ends the wait at once (the blocking half can only check between attempts).
 */
const call = /* @__PURE__ */ gensync<[fn: () => unknown, signal: AbortSignal | undefined], unknown>(
  {
    sync(fn) {
      const result = fn();
      if (isThenable(result)) {
        // The promise is not ours to await; silence its rejection so it does not crash the process.
        Promise.resolve(result).catch(() => {});
        const error = new InvalidArgumentError(
          'handleError was given a function that returned a promise; use handleErrorAsync(() => promise) instead',
        );
        misuses.add(error);
        throw error;
      }
      return result;
    },
    async: async (producer, signal) => raceAbort(producer(), signal),
  },
);

const callWithRetries = /* @__PURE__ */ gensync(function* (
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  fn: () => unknown,
): Handler<unknown> {
  return yield* retrying(policy, signal, () => call(fn, signal));
});

/** Checks the options of a retry helper: its policy, and the signal that may end it. */
function helperSettings(options: RetryOptions | undefined): [RetryPolicy, AbortSignal | undefined] {
  // One read of each option: the policy and the signal come from the same snapshot.
  const o = assertOptionsObject(options, 'options', RETRY_KEYS);
  const policy = resolveRetryPolicy(o, { logger: console });
  return [policy, signalOption(o.signal)];
}

/**
 * What `handleError` makes of the type `fn` returns: nothing for a value, and for a promise (or
 * any thenable, or a union that may be one) a string type that no function is assignable to, so
 * that passing `() => client.getCharacterAsync(1)` is a type error whose message says what to do.
 * `any` passes: it says nothing either way.
 */
export type NotAPromise<T> = 0 extends 1 & T
  ? unknown
  : [Extract<T, PromiseLike<unknown>>] extends [never]
    ? unknown
    : 'handleError cannot wait for a promise: use handleErrorAsync(() => promise)';

/**
 * Calls `fn`; if it throws, logs the error and calls it again, up to `retries` more times, then
 * rethrows the last error. The earlier errors are on its `previousErrors`, the count on `attempts`.
 *
 * Between attempts it sleeps with `Atomics.wait`, which blocks the thread as the rest of a blocking
 * call path does.
 *
 * @example
 * ```ts
 * const rick = handleError(() => client.getCharacter(1), { retries: 3 });
 * ```
 *
 * Note: a function that returns a promise is refused: by the type checker (see `NotAPromise`)
 * and, from plain JavaScript, at run time with an `InvalidArgumentError` (a `TypeError`) that
 * names `handleErrorAsync`. A blocking helper cannot wait for a promise.
 */
export function handleError<T>(fn: (() => T) & NotAPromise<T>, options?: RetryOptions): T {
  if (typeof fn !== 'function') {
    throw new InvalidArgumentError(`Expected \`fn\` to be a function, got ${typeof fn}`);
  }
  return callWithRetries.sync(...helperSettings(options), fn) as T;
}

/**
 * Calls `producer` and awaits the promise it returns; if that rejects, logs the error and calls
 * `producer` again for a fresh promise, up to `retries` more times, then rejects with the last error.
 *
 * A promise settles once, so a retry needs a function that makes a new one: pass
 * `() => client.getCharacterAsync(1)`, not `client.getCharacterAsync(1)`.
 *
 * @example
 * ```ts
 * const rick = await handleErrorAsync(() => client.getCharacterAsync(1), { retries: 3 });
 * ```
 *
 * Note: passing a promise is a type error, and at run time a `TypeError` that says to pass
 * `() => promise`.
 */
export function handleErrorAsync<T>(
  producer: () => PromiseLike<T> | T,
  options?: RetryOptions,
): Promise<T> {
  if (typeof producer !== 'function') {
    if (isThenable(producer)) {
      Promise.resolve(producer).catch(() => {});
      return Promise.reject(
        new InvalidArgumentError(
          'handleErrorAsync needs a function that returns a promise, not a promise: a promise settles once and cannot be retried. Pass `() => promise` instead',
        ),
      );
    }
    return Promise.reject(
      new InvalidArgumentError(`Expected \`producer\` to be a function, got ${typeof producer}`),
    );
  }
  try {
    return callWithRetries.async(...helperSettings(options), producer) as Promise<T>;
  } catch (error) {
    return Promise.reject(error);
  }
}
