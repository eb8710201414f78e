import { describe, expect, test } from 'vitest';
import {
  AbortError,
  ArgumentRangeError,
  BlockingUnavailableError,
  ConnectionError,
  deserializeError,
  HttpError,
  InvalidArgumentError,
  isAbortError,
  isHttpError,
  isNotFoundError,
  isRateLimitError,
  isRickMortyError,
  isTimeoutError,
  isValidationError,
  NotFoundError,
  RateLimitError,
  ResponseError,
  RickMortyError,
  ServerError,
  serializeError,
  TimeoutError,
  ValidationError,
  WorkerError,
} from '../src/errors/index.js';

const URL_9999 = 'http://127.0.0.1:1/api/character/9999';
const request = { method: 'GET', url: URL_9999 } as const;

/** Serializes, copies as `postMessage` would, and deserializes. */
function acrossThreads(error: unknown): Error {
  return deserializeError(structuredClone(serializeError(error)));
}

describe('classes and names', () => {
  const cases: [Error, string, abstract new (...args: never[]) => Error][] = [
    [new RickMortyError('x'), 'RickMortyError', Error],
    [new HttpError({ ...request, status: 400 }), 'HttpError', RickMortyError],
    [new NotFoundError(request), 'NotFoundError', HttpError],
    [new RateLimitError({ ...request, status: 429 }), 'RateLimitError', HttpError],
    [new ServerError({ ...request, status: 502 }), 'ServerError', HttpError],
    [new TimeoutError({ ...request, timeout: 5 }), 'TimeoutError', RickMortyError],
    [new ConnectionError({ ...request, code: 'ECONNRESET' }), 'ConnectionError', RickMortyError],
    [
      new ResponseError({ ...request, code: 'TOO_LARGE', detail: 'big' }),
      'ResponseError',
      RickMortyError,
    ],
    [new ValidationError({ url: URL_9999, issues: [] }), 'ValidationError', RickMortyError],
    [new AbortError(), 'AbortError', RickMortyError],
    [new BlockingUnavailableError('x'), 'BlockingUnavailableError', RickMortyError],
    [new WorkerError('x'), 'WorkerError', RickMortyError],
    [new InvalidArgumentError('x'), 'InvalidArgumentError', TypeError],
    [new ArgumentRangeError('x'), 'ArgumentRangeError', RangeError],
  ];

  test.each(cases)('%s is named %s and extends its parent', (error, name, parent) => {
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(parent);
    expect(error).toBeInstanceOf(Error);
    expect(String(error).startsWith(`${name}: `)).toBe(true);
    expect(error.stack?.startsWith(`${name}: `)).toBe(true);
  });

  test('the retry history is not an own field until a retry helper sets it', () => {
    const error = new NotFoundError(request);
    expect(Object.keys(error)).not.toContain('attempts');
    expect(Object.keys(error)).not.toContain('previousErrors');
    expect(error.attempts).toBeUndefined();
  });
});

describe('messages', () => {
  test('an HTTP error reads like ky, with the server message', () => {
    const error = new NotFoundError({ ...request, serverMessage: 'Character not found' });
    expect(error.message).toBe(
      `Request failed with status 404 Not Found: GET ${URL_9999} (Character not found)`,
    );
    expect(error.status).toBe(404);
    expect(error.statusText).toBe('Not Found');
    expect(error.ids).toEqual([]);
    expect(error.headers).toEqual({});
  });

  test('an HTTP error without a server message or known status text', () => {
    expect(new HttpError({ ...request, status: 418 }).message).toBe(
      `Request failed with status 418: GET ${URL_9999}`,
    );
    expect(new ServerError({ ...request, status: 503, statusText: 'Busy' }).message).toBe(
      `Request failed with status 503 Busy: GET ${URL_9999}`,
    );
  });

  test('a not-found error that knows its ids names them', () => {
    const error = new NotFoundError({ ...request, ids: [9999, 9998], resource: 'Characters' });
    expect(error.message).toBe(`Characters not found: 9999, 9998 (GET ${URL_9999})`);
    expect(error.ids).toEqual([9999, 9998]);
  });

  test('timeout, connection, response and validation messages', () => {
    expect(new TimeoutError({ ...request, timeout: 300 }).message).toBe(
      `Request timed out after 300 ms: GET ${URL_9999}`,
    );
    expect(new ConnectionError({ ...request, code: 'ECONNRESET' }).message).toBe(
      `Request failed (ECONNRESET): GET ${URL_9999}`,
    );
    expect(new ConnectionError({ ...request, reason: 'socket hang up' }).message).toBe(
      `Request failed (socket hang up): GET ${URL_9999}`,
    );
    expect(
      new ResponseError({ ...request, code: 'INVALID_JSON', detail: 'Not JSON' }).message,
    ).toBe(`Not JSON: GET ${URL_9999}`);
    const issues = [
      { path: ['name'], message: 'expected string' },
      { path: [], message: 'bad' },
      { path: ['a', 0], message: 'x' },
      { path: ['b'], message: 'y' },
    ];
    expect(new ValidationError({ url: URL_9999, issues }).message).toBe(
      `Response failed validation: ${URL_9999}: name: expected string; (root): bad; a.0: x (+1 more)`,
    );
  });

  test('an abort names its reason and keeps it as the cause', () => {
    const reason = new Error('user left');
    const error = new AbortError(reason);
    expect(error.message).toBe('The operation was aborted: user left');
    expect(error.cause).toBe(reason);
    expect(new AbortError().message).toBe('The operation was aborted');
    expect(new AbortError('stop').message).toBe('The operation was aborted: stop');
  });

  test('the cause is kept', () => {
    const cause = new TypeError('fetch failed');
    expect(new ConnectionError({ ...request, code: 'ECONNRESET' }, { cause }).cause).toBe(cause);
    expect(new TimeoutError({ ...request, timeout: 1 }, { cause }).cause).toBe(cause);
    expect(new NotFoundError(request, { cause }).cause).toBe(cause);
    expect(new WorkerError('died', { cause }).cause).toBe(cause);
  });
});

describe('type guards', () => {
  test('match instances', () => {
    const notFound = new NotFoundError(request);
    expect(isRickMortyError(notFound)).toBe(true);
    expect(isHttpError(notFound)).toBe(true);
    expect(isNotFoundError(notFound)).toBe(true);
    expect(isRateLimitError(notFound)).toBe(false);
    expect(isRateLimitError(new RateLimitError({ ...request, status: 429 }))).toBe(true);
    expect(isTimeoutError(new TimeoutError({ ...request, timeout: 1 }))).toBe(true);
    expect(isValidationError(new ValidationError({ url: URL_9999, issues: [] }))).toBe(true);
    expect(isAbortError(new AbortError())).toBe(true);
    expect(isHttpError(new TimeoutError({ ...request, timeout: 1 }))).toBe(false);
  });

  test('match errors of another copy of the package by name', () => {
    // What a second copy of the package (another version, pinned by a dependency) would throw.
    class OtherNotFoundError extends Error {
      override name = 'NotFoundError';
      status = 404;
    }
    const foreign = new OtherNotFoundError('from elsewhere');
    expect(foreign).not.toBeInstanceOf(NotFoundError);
    expect(isNotFoundError(foreign)).toBe(true);
    expect(isHttpError(foreign)).toBe(true);
    expect(isRickMortyError(foreign)).toBe(true);
  });

  test('match plain objects with the right name', () => {
    expect(isRickMortyError({ name: 'WorkerError', message: '' })).toBe(true);
    expect(isHttpError({ name: 'ServerError' })).toBe(true);
    expect(isRateLimitError({ name: 'RateLimitError' })).toBe(true);
    expect(isTimeoutError({ name: 'TimeoutError' })).toBe(true);
    expect(isValidationError({ name: 'ValidationError' })).toBe(true);
    expect(isAbortError({ name: 'AbortError' })).toBe(true);
  });

  test('reject what is not ours', () => {
    for (const value of [
      null,
      undefined,
      'NotFoundError',
      404,
      new Error('x'),
      { name: 42 },
      { name: 'Nope' },
    ]) {
      expect(isRickMortyError(value)).toBe(false);
      expect(isHttpError(value)).toBe(false);
      expect(isNotFoundError(value)).toBe(false);
    }
    expect(isRickMortyError(new TypeError('x'))).toBe(false);
  });

  test('a DOM AbortError is an abort, but no DOM exception is one of ours', () => {
    const domAbort = new DOMException('This operation was aborted', 'AbortError');
    const domTimeout = new DOMException('The operation timed out', 'TimeoutError');
    expect(isAbortError(domAbort)).toBe(true);
    expect(isRickMortyError(domAbort)).toBe(false);
    expect(isRickMortyError(domTimeout)).toBe(false);
    expect(isTimeoutError(domTimeout)).toBe(false);
  });
});

describe('serializeError and deserializeError', () => {
  test('keep class, status, message, headers and server message of HTTP errors', () => {
    const original = new NotFoundError({
      ...request,
      serverMessage: 'Character not found',
      headers: { 'content-type': 'application/json' },
      ids: [9999],
      resource: 'Character',
    });
    const copy = acrossThreads(original);
    expect(copy).toBeInstanceOf(NotFoundError);
    expect(copy.message).toBe(original.message);
    expect(copy).toMatchObject({
      name: 'NotFoundError',
      status: 404,
      statusText: 'Not Found',
      method: 'GET',
      url: URL_9999,
      serverMessage: 'Character not found',
      headers: { 'content-type': 'application/json' },
      ids: [9999],
    });
  });

  test('keep retryAfterMs of a rate limit and the class of a server error', () => {
    const limited = acrossThreads(
      new RateLimitError({ ...request, status: 429, retryAfterMs: 1500 }),
    );
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfterMs).toBe(1500);
    const server = acrossThreads(new ServerError({ ...request, status: 502 }));
    expect(server).toBeInstanceOf(ServerError);
    expect((server as ServerError).status).toBe(502);
    const http = acrossThreads(new HttpError({ ...request, status: 400 }));
    expect(http).toBeInstanceOf(HttpError);
    expect(http).not.toBeInstanceOf(ServerError);
  });

  test('keep timeout, connection code and response code', () => {
    const timeout = acrossThreads(new TimeoutError({ ...request, timeout: 300 }));
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect(timeout).toMatchObject({ timeout: 300, method: 'GET', url: URL_9999 });
    expect(timeout.message).toBe(`Request timed out after 300 ms: GET ${URL_9999}`);

    const connection = acrossThreads(new ConnectionError({ ...request, code: 'ECONNRESET' }));
    expect(connection).toBeInstanceOf(ConnectionError);
    expect((connection as ConnectionError).code).toBe('ECONNRESET');

    const original = new ResponseError({
      ...request,
      code: 'TOO_LARGE',
      status: 200,
      detail: 'Too big',
    });
    const response = acrossThreads(original);
    expect(response).toBeInstanceOf(ResponseError);
    expect(response).toMatchObject({ code: 'TOO_LARGE', status: 200 });
    expect(response.message).toBe(original.message);
  });

  test('keep validation issues', () => {
    const issues = [
      { path: ['results', 0, 'name'], message: 'expected string', code: 'invalid_type' },
    ];
    const copy = acrossThreads(new ValidationError({ url: URL_9999, issues }));
    expect(copy).toBeInstanceOf(ValidationError);
    expect((copy as ValidationError).issues).toEqual(issues);
    expect(copy.message).toContain('results.0.name: expected string');
  });

  test('keep the classes of argument, abort, worker and blocking errors', () => {
    const pairs: [Error, abstract new (...args: never[]) => Error][] = [
      [new InvalidArgumentError('bad id'), InvalidArgumentError],
      [new ArgumentRangeError('id 0'), ArgumentRangeError],
      [new AbortError('stop'), AbortError],
      [new WorkerError('died'), WorkerError],
      [new BlockingUnavailableError('no threads'), BlockingUnavailableError],
      [new RickMortyError('base'), RickMortyError],
      [new TypeError('plain type'), TypeError],
      [new RangeError('plain range'), RangeError],
    ];
    for (const [original, type] of pairs) {
      const copy = acrossThreads(original);
      expect(copy).toBeInstanceOf(type);
      expect(copy.name).toBe(original.name);
      expect(copy.message).toBe(original.message);
    }
  });

  test('keep the name of an error class it does not know', () => {
    class CustomError extends Error {
      override name = 'CustomError';
    }
    const copy = acrossThreads(new CustomError('mine'));
    expect(copy).toBeInstanceOf(Error);
    expect(copy.name).toBe('CustomError');
    expect(copy.message).toBe('mine');
  });

  test('keep the cause chain, with the system error code at its end', () => {
    const system = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const fetchFailed = new TypeError('fetch failed', { cause: system });
    const original = new ConnectionError(
      { ...request, code: 'ECONNRESET' },
      { cause: fetchFailed },
    );
    const copy = acrossThreads(original);
    expect(copy).toBeInstanceOf(ConnectionError);
    expect(copy.cause).toBeInstanceOf(TypeError);
    expect((copy.cause as Error).message).toBe('fetch failed');
    const end = (copy.cause as Error).cause as Error & { code?: string };
    expect(end).toBeInstanceOf(Error);
    expect(end.message).toBe('read ECONNRESET');
    expect(end.code).toBe('ECONNRESET');
  });

  test('keep attempts and the earlier errors of a retried error', () => {
    const last = new ServerError({ ...request, status: 503 });
    Object.defineProperty(last, 'attempts', { value: 3, configurable: true, writable: true });
    Object.defineProperty(last, 'previousErrors', {
      value: [
        new ServerError({ ...request, status: 502 }),
        new TimeoutError({ ...request, timeout: 9 }),
      ],
      configurable: true,
      writable: true,
    });
    const copy = acrossThreads(last) as ServerError;
    expect(copy.attempts).toBe(3);
    expect(copy.previousErrors).toHaveLength(2);
    expect(copy.previousErrors?.[0]).toBeInstanceOf(ServerError);
    expect(copy.previousErrors?.[0]).toMatchObject({ status: 502 });
    expect(copy.previousErrors?.[1]).toBeInstanceOf(TimeoutError);
  });

  test('survive values that are not errors, and fields that cannot be cloned', () => {
    expect(acrossThreads('just a string').message).toBe('just a string');
    const odd = Object.assign(new Error('odd'), { status: 10n, code: 'E_ODD' });
    const copy = acrossThreads(odd) as Error & { code?: string; status?: unknown };
    expect(copy.message).toBe('odd');
    expect(copy.code).toBe('E_ODD');
  });

  test('stop at a cyclic cause', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const copy = acrossThreads(a);
    expect(copy.message).toBe('a');
    expect((copy.cause as Error).message).toBe('b');
  });
});
