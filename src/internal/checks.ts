/**
 * Checkers for arguments and options: each returns the value checked (or its default) or throws an
 * `InvalidArgumentError` / `ArgumentRangeError` whose message quotes the option, before any request.
 *
 * @module
 */
import { ArgumentRangeError, InvalidArgumentError } from '../errors/classes.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT } from './constants.js';

/** The most ids one call may ask for; the live API has fewer than a thousand of anything. */
export const MAX_IDS = 10_000;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Checks that `value` is a positive safe integer and returns it.
 * Called before any request is built, so bad input never reaches the server.
 */
export function assertId(value: unknown, name = 'id'): number {
  if (typeof value !== 'number') {
    throw new InvalidArgumentError(
      `Expected \`${name}\` to be a positive integer, got ${describe(value)}`,
    );
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ArgumentRangeError(
      `Expected \`${name}\` to be a positive integer, got ${describe(value)}`,
    );
  }
  return value;
}

/**
 * Checks a non-empty array of ids (at most `MAX_IDS`) and returns a checked copy: each element is
 * read once, so an array that changes after the check (a getter, a Proxy) cannot slip anything
 * past it. Callers use the copy, never the array they were given.
 */
export function assertIds(value: unknown, name = 'ids'): readonly number[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(
      `Expected \`${name}\` to be an array of positive integers, got ${describe(value)}`,
    );
  }
  const length: unknown = value.length;
  if (length === 0) {
    throw new ArgumentRangeError(
      `Expected \`${name}\` to be a non-empty array of positive integers`,
    );
  }
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length > MAX_IDS) {
    throw new ArgumentRangeError(
      `Expected \`${name}\` to have at most ${MAX_IDS} ids, got ${describe(length)}`,
    );
  }
  const ids: number[] = [];
  for (let index = 0; index < length; index++)
    ids.push(assertId(value[index], `${name}[${index}]`));
  return Object.freeze(ids);
}

/** Checks an optional integer option in a range and returns it (or the fallback). */
export function integerOption(
  value: unknown,
  name: string,
  fallback: number,
  { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number {
  if (value === undefined) return fallback;
  const kind = min > 0 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : 'an integer';
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new InvalidArgumentError(`Expected \`${name}\` to be ${kind}, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? kind : `${kind} from ${min} to ${max}`;
    throw new ArgumentRangeError(`Expected \`${name}\` to be ${range}, got ${describe(value)}`);
  }
  return value;
}

/**
 * Checks an optional duration in milliseconds (a finite number from 0, fractions allowed, at most
 * `max`) and returns it, or 0.
 */
export function millisecondsOption(value: unknown, name: string, max = 600_000): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new InvalidArgumentError(
      `Expected \`${name}\` to be a number of milliseconds, got ${describe(value)}`,
    );
  }
  if (!(value >= 0 && value <= max)) {
    throw new ArgumentRangeError(
      `Expected \`${name}\` to be from 0 to ${max}, got ${describe(value)}`,
    );
  }
  return value;
}

/** Checks an optional function option and returns it. */
export function functionOption<F>(value: unknown, name: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') {
    throw new InvalidArgumentError(`Expected \`${name}\` to be a function, got ${describe(value)}`);
  }
  return value as F;
}

/** Checks an optional boolean option and returns it (or the fallback). */
export function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new InvalidArgumentError(`Expected \`${name}\` to be a boolean, got ${describe(value)}`);
  }
  return value;
}

/** Checks an optional `AbortSignal` and returns it. */
export function signalOption(value: unknown, name = 'signal'): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as AbortSignal).aborted !== 'boolean' ||
    typeof (value as AbortSignal).addEventListener !== 'function'
  ) {
    throw new InvalidArgumentError(
      `Expected \`${name}\` to be an AbortSignal, got ${describe(value)}`,
    );
  }
  return value as AbortSignal;
}

/**
 * Checks that `value` is an object (or undefined) whose own keys are all in `allowed`, and returns
 * a snapshot of it: each allowed option read once, into an object with no prototype. Checks and
 * uses then read the snapshot, so an option behind a getter or a Proxy cannot answer one value to
 * the check and another to the use, and keys such as `constructor` or `__proto__` are unknown
 * keys like any other.
 */
export function assertOptionsObject(
  value: unknown,
  name: string,
  allowed: readonly string[],
): Record<string, unknown> {
  const snapshot = Object.create(null) as Record<string, unknown>;
  if (value === undefined) return snapshot;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`Expected \`${name}\` to be an object, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError(
        `Unknown option \`${key}\` in \`${name}\`; expected one of: ${allowed.join(', ')}`,
      );
    }
  }
  for (const key of allowed) {
    const option: unknown = (value as Record<string, unknown>)[key];
    if (option !== undefined) snapshot[key] = option;
  }
  return snapshot;
}

/** A header name: an RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A header value `fetch` sends as it is: Latin-1, no CR, LF or NUL, no space at either end. */
const HEADER_VALUE = /^(?:[\t\x20-\x7e\x80-\xff]*)$/;

/**
 * Checks headers (an object of strings) and returns a copy, each value read once. Names must be
 * tokens and values Latin-1 without CR, LF or NUL, the rules `fetch` would otherwise enforce on
 * every request, where a bad header becomes a failed request instead of an error at the start.
 */
export function headersOption(value: unknown, name = 'headers'): Record<string, string> {
  const headers = Object.create(null) as Record<string, string>;
  if (value === undefined) return headers;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(
      `Expected \`${name}\` to be an object of strings, got ${describe(value)}`,
    );
  }
  const seen = new Set<string>();
  for (const key of Object.keys(value)) {
    const header: unknown = (value as Record<string, unknown>)[key];
    if (!HEADER_NAME.test(key)) {
      throw new InvalidArgumentError(
        `Expected header names in \`${name}\` to be HTTP tokens, got ${JSON.stringify(key)}`,
      );
    }
    if (typeof header !== 'string') {
      throw new InvalidArgumentError(
        `Expected header \`${key}\` to be a string, got ${describe(header)}`,
      );
    }
    if (!HEADER_VALUE.test(header)) {
      throw new InvalidArgumentError(
        `Expected header \`${key}\` to hold Latin-1 text without CR, LF or NUL, got ${JSON.stringify(header)}`,
      );
    }
    if (seen.has(key.toLowerCase())) {
      throw new InvalidArgumentError(
        `Header \`${key}\` is given twice in \`${name}\` (header names ignore case)`,
      );
    }
    seen.add(key.toLowerCase());
    headers[key] = header.trim();
  }
  return headers;
}

/** Checks an http(s) base URL and returns it without a trailing slash. */
export function assertBaseUrl(value: unknown): string {
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(
      `Expected \`baseUrl\` to be an http(s) URL string, got ${describe(value)}`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(
      `Expected \`baseUrl\` to be an http(s) URL, got ${describe(value)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(
      `Expected \`baseUrl\` to be an http(s) URL, got ${describe(value)}`,
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new InvalidArgumentError(
      `Expected \`baseUrl\` to have no query, fragment or credentials, got ${describe(value)}`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

export { describe as describeValue };

/**
 * A transport's `timeout` and `maxResponseBytes` from its checked options object, with the
 * library's defaults: the same for the HTTP and the blocking transport.
 */
export function transportLimits(o: Readonly<Record<string, unknown>>): {
  timeout: number;
  maxResponseBytes: number;
} {
  return {
    timeout: integerOption(o.timeout, 'timeout', DEFAULT_TIMEOUT, { min: 1 }),
    maxResponseBytes: integerOption(
      o.maxResponseBytes,
      'maxResponseBytes',
      DEFAULT_MAX_RESPONSE_BYTES,
      { min: 1 },
    ),
  };
}
