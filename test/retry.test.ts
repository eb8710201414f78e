import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  AbortError,
  ArgumentRangeError,
  ConnectionError,
  HttpError,
  InvalidArgumentError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from '../src/errors/index.js';
import {
  handleError,
  handleErrorAsync,
  type NotAPromise,
  type RetryContext,
  type RetryOptions,
} from '../src/operations/retry.js';

const request = { method: 'GET', url: 'http://127.0.0.1:1/api/character/1' } as const;
/** Quick and quiet: 1 ms backoff, no logging. */
const QUICK: RetryOptions = { minDelay: 1, maxDelay: 1, logger: null };

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * The two drivers of the one retry policy, made to look alike: each takes a step that may throw and
 * reports how the helper ended.
 */
const drivers = [
  {
    name: 'handleError',
    // A generic wrapper passes `NotAPromise` along, as handleError's own signature does.
    async run<T>(step: (() => T) & NotAPromise<T>, options?: RetryOptions): Promise<Outcome<T>> {
      try {
        return { ok: true, value: handleError(step, options) };
      } catch (error) {
        return { ok: false, error };
      }
    },
  },
  {
    name: 'handleErrorAsync',
    async run<T>(step: () => T, options?: RetryOptions): Promise<Outcome<T>> {
      try {
        return { ok: true, value: await handleErrorAsync(async () => step(), options) };
      } catch (error) {
        return { ok: false, error };
      }
    },
  },
] as const;

function failure(
  outcome: Outcome<unknown>,
): Error & { attempts?: number; previousErrors?: unknown[] } {
  if (outcome.ok) throw new Error(`Expected a failure, got ${JSON.stringify(outcome.value)}`);
  return outcome.error as Error;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(drivers)('$name', (driver) => {
  test('returns the value of a first attempt that succeeds, without retrying', async () => {
    const onRetry = vi.fn();
    const step = vi.fn(() => 42);
    expect(await driver.run(step, { ...QUICK, onRetry })).toEqual({ ok: true, value: 42 });
    expect(step).toHaveBeenCalledTimes(1);
    expect(onRetry).not.toHaveBeenCalled();
  });

  test('retries twice by default (three attempts), then rethrows the last error with its history', async () => {
    const errors: Error[] = [];
    const step = vi.fn(() => {
      const error = new ServerError({
        ...request,
        status: 503,
        serverMessage: `try ${errors.length + 1}`,
      });
      errors.push(error);
      throw error;
    });
    const error = failure(await driver.run(step, QUICK));
    expect(step).toHaveBeenCalledTimes(3);
    expect(error).toBe(errors[2]);
    expect(error).toBeInstanceOf(ServerError);
    expect(error.attempts).toBe(3);
    expect(error.previousErrors).toEqual([errors[0], errors[1]]);
    expect(error.previousErrors?.[0]).toBe(errors[0]);
  });

  test('calls the step anew for each attempt and returns the first success', async () => {
    let calls = 0;
    const outcome = await driver.run(() => {
      calls++;
      if (calls < 3) throw new ConnectionError({ ...request, code: 'ECONNRESET' });
      return `answer ${calls}`;
    }, QUICK);
    expect(outcome).toEqual({ ok: true, value: 'answer 3' });
    expect(calls).toBe(3);
  });

  test('honours `retries`', async () => {
    const step = vi.fn(() => {
      throw new Error('flaky');
    });
    failure(await driver.run(step, { ...QUICK, retries: 4 }));
    expect(step).toHaveBeenCalledTimes(5);
    step.mockClear();
    const error = failure(await driver.run(step, { ...QUICK, retries: 0 }));
    expect(step).toHaveBeenCalledTimes(1);
    expect(error.attempts).toBe(1);
    expect(error.previousErrors).toEqual([]);
  });

  const permanent: [string, () => unknown][] = [
    ['NotFoundError', () => new NotFoundError(request)],
    ['HttpError 400', () => new HttpError({ ...request, status: 400 })],
    ['HttpError 403', () => new HttpError({ ...request, status: 403 })],
    ['ValidationError', () => new ValidationError({ url: request.url, issues: [] })],
    ['InvalidArgumentError', () => new InvalidArgumentError('bad id')],
    ['ArgumentRangeError', () => new ArgumentRangeError('id 0')],
    ['AbortError', () => new AbortError()],
    ['DOM AbortError', () => new DOMException('aborted', 'AbortError')],
    ['a 404 of another copy of the package', () => ({ name: 'NotFoundError', status: 404 })],
  ];
  test.each(permanent)('does not retry by default: %s', async (_label, make) => {
    const thrown = make();
    const step = vi.fn(() => {
      throw thrown;
    });
    const error = failure(await driver.run(step, QUICK));
    expect(step).toHaveBeenCalledTimes(1);
    expect(error).toBe(thrown);
  });

  const transient: [string, () => unknown][] = [
    ['HttpError 408', () => new HttpError({ ...request, status: 408 })],
    ['RateLimitError 429', () => new RateLimitError({ ...request, status: 429 })],
    ['ServerError 500', () => new ServerError({ ...request, status: 500 })],
    ['ServerError 502', () => new ServerError({ ...request, status: 502 })],
    ['TimeoutError', () => new TimeoutError({ ...request, timeout: 1 })],
    ['ConnectionError', () => new ConnectionError({ ...request, code: 'ECONNRESET' })],
    ['a plain Error', () => new Error('boom')],
    ['a thrown string', () => 'boom'],
  ];
  test.each(transient)('retries by default: %s', async (_label, make) => {
    const step = vi.fn(() => {
      throw make();
    });
    failure(await driver.run(step, QUICK));
    expect(step).toHaveBeenCalledTimes(3);
  });

  test('asks a custom `shouldRetry` with the error and the attempt number', async () => {
    const seen: [unknown, number][] = [];
    const thrown = new NotFoundError(request);
    const step = vi.fn(() => {
      throw thrown;
    });
    // It overrides the default: a 404 retried, until it says no.
    const shouldRetry = (error: unknown, attempt: number) => {
      seen.push([error, attempt]);
      return attempt < 2;
    };
    const error = failure(await driver.run(step, { ...QUICK, retries: 5, shouldRetry }));
    expect(error).toBe(thrown);
    expect(step).toHaveBeenCalledTimes(2);
    expect(seen).toEqual([
      [thrown, 1],
      [thrown, 2],
    ]);
  });

  test('is not asked once the retries have run out', async () => {
    const shouldRetry = vi.fn(() => true);
    await driver.run(
      () => {
        throw new Error('x');
      },
      { ...QUICK, retries: 1, shouldRetry },
    );
    expect(shouldRetry).toHaveBeenCalledTimes(1);
  });

  test('tells `onRetry` the error, attempt, retries left and delay before each wait', async () => {
    const contexts: RetryContext[] = [];
    const errors: Error[] = [];
    await driver.run(
      () => {
        const error = new Error(`failure ${errors.length + 1}`);
        errors.push(error);
        throw error;
      },
      {
        ...QUICK,
        minDelay: 2,
        maxDelay: 2,
        jitter: false,
        onRetry: (context) => contexts.push(context),
      },
    );
    expect(contexts).toEqual([
      { error: errors[0], attempt: 1, retriesLeft: 2, delay: 2 },
      { error: errors[1], attempt: 2, retriesLeft: 1, delay: 2 },
    ]);
  });

  test('waits exactly minDelay * factor^(n-1), capped at maxDelay, without jitter', async () => {
    const delays: number[] = [];
    await driver.run(
      () => {
        throw new Error('x');
      },
      {
        retries: 5,
        minDelay: 1,
        factor: 3,
        maxDelay: 20,
        jitter: false,
        logger: null,
        onRetry: ({ delay }) => delays.push(delay),
      },
    );
    expect(delays).toEqual([1, 3, 9, 20, 20]);
  });

  test('with jitter, each delay lies between half and all of its base', async () => {
    const delays: number[] = [];
    await driver.run(
      () => {
        throw new Error('x');
      },
      {
        retries: 3,
        minDelay: 4,
        factor: 2,
        maxDelay: 100,
        logger: null,
        onRetry: ({ delay }) => delays.push(delay),
      },
    );
    expect(delays).toHaveLength(3);
    [4, 8, 16].forEach((base, index) => {
      expect(delays[index]).toBeGreaterThanOrEqual(base / 2);
      expect(delays[index]).toBeLessThanOrEqual(base);
    });
  });

  test('waits what a Retry-After asked for instead of the backoff', async () => {
    const delays: number[] = [];
    let calls = 0;
    const outcome = await driver.run(
      () => {
        calls++;
        if (calls === 1) throw new RateLimitError({ ...request, status: 429, retryAfterMs: 7 });
        return 'ok';
      },
      { ...QUICK, maxDelay: 1, onRetry: ({ delay }) => delays.push(delay) },
    );
    expect(outcome).toEqual({ ok: true, value: 'ok' });
    expect(delays).toEqual([7]);
  });

  test('gives up at once when Retry-After asks for more than maxRetryAfter', async () => {
    const thrown = new RateLimitError({ ...request, status: 429, retryAfterMs: 120_000 });
    const onRetry = vi.fn();
    const step = vi.fn(() => {
      throw thrown;
    });
    const error = failure(await driver.run(step, { ...QUICK, onRetry }));
    expect(error).toBe(thrown);
    expect(error.attempts).toBe(1);
    expect(step).toHaveBeenCalledTimes(1);
    expect(onRetry).not.toHaveBeenCalled();
    step.mockClear();
    failure(await driver.run(step, { ...QUICK, maxRetryAfter: 10, retries: 1 }));
    expect(step).toHaveBeenCalledTimes(1);
  });

  test('throws an AbortError without calling the step when the signal has already fired', async () => {
    const step = vi.fn(() => 1);
    const error = failure(await driver.run(step, { ...QUICK, signal: AbortSignal.abort('gone') }));
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toContain('gone');
    expect(step).not.toHaveBeenCalled();
  });

  test('logs each failure with console.warn by default', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await driver.run(
      () => {
        throw new Error('flaky service');
      },
      { minDelay: 1, maxDelay: 1 },
    );
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[0]?.[0]).toMatch(
      /^Attempt 1 failed \(Error: flaky service\); retrying in 1 ms/,
    );
    expect(warn.mock.calls[1]?.[0]).toMatch(/^Attempt 2 failed/);
  });

  test('is silent with `logger: null`, and uses a logger it is given', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fail = () => {
      throw new Error('x');
    };
    await driver.run(fail, { minDelay: 1, maxDelay: 1, logger: null });
    expect(warn).not.toHaveBeenCalled();
    const logger = { warn: vi.fn() };
    await driver.run(fail, { minDelay: 1, maxDelay: 1, logger });
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(warn).not.toHaveBeenCalled();
    // A logger without `warn` is fine too.
    expect(failure(await driver.run(fail, { minDelay: 1, maxDelay: 1, logger: {} })).message).toBe(
      'x',
    );
  });

  test('rethrows what cannot carry a history as it is', async () => {
    const frozen = Object.freeze(new Error('frozen'));
    expect(
      failure(
        await driver.run(() => {
          throw frozen;
        }, QUICK),
      ),
    ).toBe(frozen);
    const outcome = await driver.run(() => {
      throw 'a string';
    }, QUICK);
    expect(outcome).toEqual({ ok: false, error: 'a string' });
  });

  const badOptions: [string, unknown, typeof TypeError | typeof RangeError, string][] = [
    [
      'retries -1',
      { retries: -1 },
      RangeError,
      'Expected `retries` to be a non-negative integer, got -1',
    ],
    [
      'retries 1.5',
      { retries: 1.5 },
      RangeError,
      'Expected `retries` to be a non-negative integer',
    ],
    [
      'retries "2"',
      { retries: '2' },
      TypeError,
      'Expected `retries` to be a non-negative integer, got "2"',
    ],
    [
      'minDelay -5',
      { minDelay: -5 },
      RangeError,
      'Expected `minDelay` to be a non-negative integer',
    ],
    [
      'maxDelay below minDelay',
      { minDelay: 10, maxDelay: 5 },
      RangeError,
      'Expected `maxDelay` (5) to be at least `minDelay` (10)',
    ],
    [
      'factor 0.5',
      { factor: 0.5 },
      RangeError,
      'Expected `factor` to be a finite number of at least 1',
    ],
    ['factor Infinity', { factor: Number.POSITIVE_INFINITY }, RangeError, 'Expected `factor`'],
    [
      'factor "2"',
      { factor: '2' },
      TypeError,
      'Expected `factor` to be a finite number of at least 1, got "2"',
    ],
    ['jitter "yes"', { jitter: 'yes' }, TypeError, 'Expected `jitter` to be a boolean'],
    ['maxRetryAfter -1', { maxRetryAfter: -1 }, RangeError, 'Expected `maxRetryAfter`'],
    [
      'shouldRetry true',
      { shouldRetry: true },
      TypeError,
      'Expected `shouldRetry` to be a function',
    ],
    ['onRetry "log"', { onRetry: 'log' }, TypeError, 'Expected `onRetry` to be a function'],
    ['signal {}', { signal: {} }, TypeError, 'Expected `signal` to be an AbortSignal'],
    ['logger "console"', { logger: 'console' }, TypeError, 'Expected `logger` to be an object'],
    ['an unknown option', { retry: 3 }, TypeError, 'Unknown option `retry`'],
    ['options that are not an object', 3, TypeError, 'Expected `options` to be an object'],
  ];
  test.each(badOptions)('refuses %s', async (_label, options, type, message) => {
    const step = vi.fn(() => 1);
    const error = failure(await driver.run(step, options as RetryOptions));
    expect(error).toBeInstanceOf(type);
    expect(error.message).toContain(message);
    expect(step).not.toHaveBeenCalled();
  });
});

describe('handleError', () => {
  test('refuses a function that returns a promise, naming handleErrorAsync, without retrying', () => {
    const fn = vi.fn(async () => 1);
    let caught: unknown;
    try {
      // Even a `shouldRetry` that retries everything does not retry a misuse.
      // @ts-expect-error: a function that returns a promise is a type error too
      handleError(fn, { ...QUICK, shouldRetry: () => true });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TypeError);
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as Error).message).toContain('handleErrorAsync');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  test('does not let the refused promise reject unhandled', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      // @ts-expect-error: a function that returns a promise is a type error too
      expect(() => handleError(() => Promise.reject(new Error('nobody awaits me')), QUICK)).toThrow(
        /handleErrorAsync/,
      );
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  test('refuses what is not a function', () => {
    // @ts-expect-error: a value is not a function
    expect(() => handleError(42)).toThrow(
      new InvalidArgumentError('Expected `fn` to be a function, got number'),
    );
  });

  test('checks the signal between attempts', () => {
    const controller = new AbortController();
    const fn = vi.fn(() => {
      controller.abort(new Error('stop now'));
      throw new Error('flaky');
    });
    let caught: unknown;
    try {
      handleError(fn, { ...QUICK, signal: controller.signal });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AbortError);
    expect((caught as Error).cause).toEqual(new Error('stop now'));
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe('handleErrorAsync', () => {
  test('refuses a promise with a TypeError that says to pass `() => promise`', async () => {
    const promise = Promise.resolve(1);
    // @ts-expect-error: a promise is not a function that makes one
    const result = handleErrorAsync(promise);
    await expect(result).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(result).rejects.toBeInstanceOf(TypeError);
    await expect(result).rejects.toThrow('() => promise');
  });

  test('does not let a refused promise reject unhandled', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const promise = Promise.reject(new Error('rejected early'));
      // @ts-expect-error: a promise is not a function that makes one
      await expect(handleErrorAsync(promise)).rejects.toThrow('() => promise');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  test('reports every misuse as a rejection, never a synchronous throw', async () => {
    // @ts-expect-error: a value is not a function
    const notAFunction = handleErrorAsync(42);
    await expect(notAFunction).rejects.toThrow('Expected `producer` to be a function, got number');
    const badOptions = handleErrorAsync(() => 1, { retries: -1 });
    await expect(badOptions).rejects.toBeInstanceOf(RangeError);
  });

  test('retries a producer that throws synchronously', async () => {
    let calls = 0;
    const result = await handleErrorAsync(() => {
      calls++;
      if (calls < 2) throw new Error('sync throw');
      return Promise.resolve('fine');
    }, QUICK);
    expect(result).toBe('fine');
    expect(calls).toBe(2);
  });

  test('accepts a producer that returns a plain value', async () => {
    await expect(handleErrorAsync(() => 'plain', QUICK)).resolves.toBe('plain');
  });

  test('an abort ends a pending backoff wait at once', async () => {
    const controller = new AbortController();
    const producer = vi.fn(() => Promise.reject(new ServerError({ ...request, status: 503 })));
    const result = handleErrorAsync(producer, {
      // A wait of a minute: if the abort did not end it, the test would time out.
      minDelay: 60_000,
      maxDelay: 60_000,
      jitter: false,
      logger: null,
      // Fires once the wait has begun.
      onRetry: () => void setTimeout(() => controller.abort(new Error('user cancelled')), 0),
      signal: controller.signal,
    });
    const error = await result.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as Error).message).toContain('user cancelled');
    expect(producer).toHaveBeenCalledTimes(1);
  });

  test('an abort ends the wait for a pending attempt at once', async () => {
    const controller = new AbortController();
    const producer = vi.fn(() => new Promise<never>(() => {}));
    const result = handleErrorAsync(producer, { ...QUICK, signal: controller.signal });
    setTimeout(() => controller.abort(), 0);
    await expect(result).rejects.toBeInstanceOf(AbortError);
    expect(producer).toHaveBeenCalledTimes(1);
  });
});
