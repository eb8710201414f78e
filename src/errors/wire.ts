/**
 * Errors turned into plain objects and back, so that an error thrown in a worker thread arrives
 * on the caller's side as the same class with the same fields.
 *
 * @internal
 * @module
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
  type ValidationIssue,
  WorkerError,
} from './classes.js';

/** @internal An error as plain data, ready to be posted to another thread. */
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
  'asyncTwin',
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

/**
 * The fields, as `serializeError` took them from an error of the class that `name` names on the
 * other side of the thread.
 */
interface Fields {
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
  asyncTwin?: string;
}

/** A new error of the class `data.name` names, built from its fields. */
function revive(data: SerializedError, f: Fields, cause: Error | undefined): Error {
  const options = cause === undefined ? undefined : { cause };
  const request = { method: f.method ?? 'GET', url: f.url ?? '' };
  const http = {
    ...request,
    status: f.status,
    statusText: f.statusText,
    serverMessage: f.serverMessage,
    headers: f.headers,
  };
  switch (data.name) {
    case 'HttpError':
      return new HttpError(http, options);
    case 'NotFoundError':
      return new NotFoundError({ ...http, ids: f.ids ?? [] }, options);
    case 'RateLimitError':
      return new RateLimitError({ ...http, retryAfterMs: f.retryAfterMs }, options);
    case 'ServerError':
      return new ServerError(http, options);
    case 'TimeoutError':
      return new TimeoutError({ ...request, timeout: f.timeout }, options);
    case 'ConnectionError':
      return new ConnectionError({ ...request, code: f.code }, options);
    case 'ResponseError':
      return new ResponseError({ ...request, code: f.code, status: f.status, detail: '' }, options);
    case 'ValidationError':
      return new ValidationError({ url: request.url, issues: f.issues ?? [] }, options);
    case 'AbortError':
      return new AbortError(cause);
    case 'RickMortyError':
      return new RickMortyError(data.message, options);
    case 'WorkerError':
      return new WorkerError(data.message, options);
    case 'BlockingUnavailableError': {
      const twin =
        f.method !== undefined && f.asyncTwin !== undefined
          ? { method: f.method, asyncTwin: f.asyncTwin }
          : undefined;
      return new BlockingUnavailableError(data.message, { ...options, ...(twin ? { twin } : {}) });
    }
    case 'InvalidArgumentError':
      return new InvalidArgumentError(data.message, options);
    case 'ArgumentRangeError':
      return new ArgumentRangeError(data.message, options);
    case 'TypeError':
      return new TypeError(data.message, options);
    case 'RangeError':
      return new RangeError(data.message, options);
    default: {
      const error = new Error(data.message, options);
      if (data.name !== 'Error') error.name = data.name;
      return error;
    }
  }
}

function defineHidden(target: object, key: string, value: unknown, enumerable = false): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable });
}

/** @internal */
export function deserializeError(data: SerializedError): Error {
  const cause = data.cause ? deserializeError(data.cause) : undefined;
  const f = data.fields as unknown as Fields;
  const error = revive(data, f, cause);
  // The message was composed on the other side; keep it word for word.
  defineHidden(error, 'message', data.message);
  if (data.stack) error.stack = data.stack;
  // The retry history rides along as the retry helpers attach it: not enumerable.
  if (typeof f.attempts === 'number') defineHidden(error, 'attempts', f.attempts);
  if (data.previous) {
    defineHidden(
      error,
      'previousErrors',
      data.previous.map((item) => deserializeError(item)),
    );
  }
  // Fields the class does not set itself (the `code` of a system error in a cause chain) are kept
  // as they were.
  for (const [key, value] of Object.entries(data.fields)) {
    if (!(key in error)) defineHidden(error, key, value, true);
  }
  return error;
}
