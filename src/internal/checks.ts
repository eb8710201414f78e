/**
 * Checkers for arguments and options: each returns the value checked (or its default) or throws an
 * `InvalidArgumentError` / `ArgumentRangeError` whose message quotes the option, before any request.
 *
 * @module
 */
import { ArgumentRangeError, InvalidArgumentError } from '../errors/classes.js';

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

/** Checks a non-empty array of ids (at most `MAX_IDS`) and returns it. */
export function assertIds(value: unknown, name = 'ids'): readonly number[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(
      `Expected \`${name}\` to be an array of positive integers, got ${describe(value)}`,
    );
  }
  if (value.length === 0) {
    throw new ArgumentRangeError(
      `Expected \`${name}\` to be a non-empty array of positive integers`,
    );
  }
  if (value.length > MAX_IDS) {
    throw new ArgumentRangeError(
      `Expected \`${name}\` to have at most ${MAX_IDS} ids, got ${value.length}`,
    );
  }
  for (const [index, id] of value.entries()) assertId(id, `${name}[${index}]`);
  return value as number[];
}

/** Checks an optional integer option in a range and returns it (or the fallback). */
export function integerOption(
  value: unknown,
  name: string,
  fallback: number,
  { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number {
  if (value === undefined) return fallback;
  const kind = min > 0 ? 'a positive integer' : 'a non-negative integer';
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new InvalidArgumentError(`Expected \`${name}\` to be ${kind}, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? kind : `${kind} from ${min} to ${max}`;
    throw new ArgumentRangeError(`Expected \`${name}\` to be ${range}, got ${describe(value)}`);
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

/** Checks that `value` is a plain object (or undefined) whose keys are all in `allowed`. */
export function assertOptionsObject(
  value: unknown,
  name: string,
  allowed: readonly string[],
): Record<string, unknown> {
  if (value === undefined) return {};
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
  return value as Record<string, unknown>;
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
