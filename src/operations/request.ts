import type gensync from 'gensync';
import type * as z from 'zod/mini';
import {
  InvalidArgumentError,
  ResponseError,
  ValidationError,
  type ValidationIssue,
} from '../errors/classes.js';
import { isBlockingUnavailableError } from '../errors/guards.js';
import { httpErrorFor } from '../errors/http-status.js';
import { throwIfAborted } from '../internal/async.js';
import type { TransportRequest, TransportResponse } from '../transports/types.js';
import { type CacheSettings, cacheGet, cacheSet, type Handler } from './effects.js';
import {
  type HookOptions,
  type HookSettings,
  runAfterResponse,
  runBeforeRequest,
  runBeforeRetry,
} from './hooks.js';
import { type Logger, type RetryPolicy, retrying } from './retry.js';
import { traced } from './tracing.js';

/** The transport call: one `gensync` leaf, whose two halves the client's dispatcher provides. */
export type Send = gensync.Gensync<[request: TransportRequest], TransportResponse>;

/** How `getMany` reads many ids. */
export interface BatchSettings {
  /** Read through the batch endpoint (`/character/1,2,3`), or one request per id. */
  readonly enabled: boolean;
  /** The most ids in one batch request, which keeps URLs short. */
  readonly size: number;
}

/**
 * @internal The I/O-free settings every operation runs with: the client's, resolved once, plus
 * the call's own `timeout`, size cap and `signal`.
 */
export interface RequestContext {
  readonly baseUrl: string;
  /** The transport call, provided by the client's dispatcher for its transports. */
  readonly send: Send;
  /**
   * Each request's timeout: the call's, else the client's, else undefined, which leaves it to the
   * transport (its own `timeout`, else the library's default). See docs/errors-and-retries.md.
   */
  readonly timeout: number | undefined;
  /** Each request's size cap, chosen as `timeout` is. */
  readonly maxResponseBytes: number | undefined;
  readonly maxRedirects: number;
  /** The most records a walk over every page (`getAll`, the iterators) may read. */
  readonly maxRecords: number;
  /**
   * How many operations of one call (the requests of `getCharacters`, the pages of `getAll`) the
   * async half starts at once: twice the client's `concurrency`, at least 32 (see `allWithin`).
   */
  readonly window: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly retry: RetryPolicy;
  /** The call's signal: ends its requests and its waits between retries. */
  readonly signal: AbortSignal | undefined;
  readonly logger: Logger | null;
  /** Where answers are kept for reuse, if anywhere. */
  readonly cache: CacheSettings | undefined;
  /** How many ids go in one request, and whether the batch endpoint is used at all. */
  readonly batch: BatchSettings;
  /** The client's hooks, run by both halves. */
  readonly hooks: HookSettings;
}

/**
 * Builds an absolute URL under the base URL. Path segments are encoded one by one, so no value can
 * climb out of its segment (`..`, `/`, `?` and `#` arrive as data, not as structure).
 */
export function buildUrl(
  baseUrl: string,
  segments: readonly (string | number)[],
  query?: Readonly<Record<string, string | number | undefined>>,
): string {
  const path = segments
    .map((segment) => {
      const text = String(segment);
      // `.` and `..` survive encoding (URL parsing reads `%2e%2e` as `..` too): refuse them.
      if (text === '.' || text === '..' || text === '') {
        throw new InvalidArgumentError(`Expected a path segment, got ${JSON.stringify(text)}`);
      }
      return encodeURIComponent(text);
    })
    .join('/');
  let url = path ? `${baseUrl}/${path}` : baseUrl;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.append(key, String(value));
    }
    const search = params.toString();
    if (search) url += `?${search}`;
  }
  return url;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function describeIssue(issue: z.core.$ZodIssue): string {
  const detail = issue as { expected?: unknown; values?: unknown[]; input?: unknown };
  if (issue.code === 'invalid_type') return `expected ${String(detail.expected)}`;
  if (issue.code === 'invalid_value' && detail.values) {
    return `expected one of ${detail.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return issue.message && issue.message !== 'Invalid input' ? issue.message : issue.code;
}

/** Validates `data` against `schema`, or throws a `ValidationError` naming the URL. */
export function validate<T>(schema: z.ZodMiniType<T>, data: unknown, url: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => ({
    path: issue.path,
    code: issue.code,
    message: describeIssue(issue),
  }));
  throw new ValidationError({ url, issues }, { cause: result.error });
}

/**
 * Reads a final (non-redirect) answer: an error for a failed status, otherwise the JSON body
 * validated against `schema`. Pure: no I/O, the same for both halves.
 */
export function parseResponse<T>(
  request: TransportRequest,
  response: TransportResponse,
  schema: z.ZodMiniType<T>,
): T {
  if (response.status < 200 || response.status >= 300) throw httpErrorFor(request, response);
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch (error) {
    throw new ResponseError(
      {
        method: request.method,
        url: request.url,
        status: response.status,
        code: 'INVALID_JSON',
        detail: `Response body is not valid JSON (${response.body.length} characters; truncated?)`,
      },
      { cause: error },
    );
  }
  return validate(schema, json, request.url);
}

/** A redirect that cannot be followed: a permanent `ResponseError`, `BAD_REDIRECT`. */
function badRedirect(
  request: TransportRequest,
  status: number,
  detail: string,
  cause?: unknown,
): ResponseError {
  return new ResponseError(
    { method: request.method, url: request.url, status, code: 'BAD_REDIRECT', detail },
    cause === undefined ? undefined : { cause },
  );
}

/** `url` without its user name and password, for messages: credentials are never shown. */
function withoutCredentials(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

/**
 * Where a 3xx answer leads, or a `BAD_REDIRECT`: a 3xx that is not a redirect (`300`, and `304`,
 * which answers a conditional request the client never sends), a redirect without a `Location`,
 * to a URL that does not parse, is not http(s), or carries credentials. None of these gets
 * better by asking again, so none is retried.
 */
function redirectTarget(request: TransportRequest, response: TransportResponse): URL {
  const { status } = response;
  if (status === 304) {
    return fail('Unexpected 304 Not Modified to a request that was not conditional');
  }
  if (!REDIRECT_STATUSES.has(status)) {
    return fail(`Status ${status} is not a redirect the client can follow`);
  }
  const location = response.headers.location;
  if (location === undefined || location.trim() === '') {
    return fail(`Redirect ${status} without a Location header`);
  }
  let next: URL;
  try {
    next = new URL(location, request.url);
  } catch (error) {
    return fail(`Redirect to an invalid URL ${JSON.stringify(location.slice(0, 200))}`, error);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    return fail(`Redirect to a URL that is not http(s) (${next.protocol})`);
  }
  if (next.username || next.password) {
    return fail(
      `Redirect to a URL with credentials (${withoutCredentials(next)}, credentials not shown)`,
    );
  }
  return next;

  function fail(detail: string, cause?: unknown): never {
    throw badRedirect(request, status, detail, cause);
  }
}

/** The first request to `url` of an attempt, before the `beforeRequest` hooks. */
function firstRequest(context: RequestContext, url: string): TransportRequest {
  return {
    method: 'GET',
    url,
    headers: context.headers,
    // Only what the call or the client set: where neither did, the transport's own setting applies.
    ...(context.timeout === undefined ? {} : { timeout: context.timeout }),
    ...(context.maxResponseBytes === undefined
      ? {}
      : { maxResponseBytes: context.maxResponseBytes }),
    ...(context.signal ? { signal: context.signal } : {}),
  };
}

/** What the hooks of one attempt are told beside the request. */
function hookOptions(context: RequestContext, attempt: number): HookOptions {
  return { attempt, timeout: context.timeout, signal: context.signal };
}

/**
 * Sends one request and follows redirects, at most `maxRedirects` of them. Headers are dropped when
 * a redirect leaves the origin, so nothing given for one host reaches another. The `beforeRequest`
 * hooks run once, on the first request (a hop to another origin must not get what they added);
 * the `afterResponse` hooks on the final answer. Each request is traced (`tracing.ts`).
 */
export function* sendFollowingRedirects(
  context: RequestContext,
  url: string,
  attempt = 1,
  sent?: { request: TransportRequest },
): Handler<{ request: TransportRequest; response: TransportResponse }> {
  const { hooks } = context;
  let request = firstRequest(context, url);
  if (hooks.beforeRequest.length > 0) {
    request = yield* runBeforeRequest(hooks, request, hookOptions(context, attempt));
  }
  // What the `beforeRetry` hooks are shown if this attempt fails, however it fails.
  if (sent) sent.request = request;
  for (let redirects = 0; ; redirects++) {
    throwIfAborted(context.signal);
    context.logger?.debug?.(`fetching ${request.url}`);
    const response = yield* traced(context.send, request, attempt);
    context.logger?.debug?.(`fetched ${request.url} (${response.status})`);
    if (response.status < 300 || response.status >= 400) {
      if (hooks.afterResponse.length === 0) return { request, response };
      const options = hookOptions(context, attempt);
      return { request, response: yield* runAfterResponse(hooks, request, response, options) };
    }
    const next = redirectTarget(request, response);
    if (redirects >= context.maxRedirects) {
      throw new ResponseError({
        method: request.method,
        url: request.url,
        status: response.status,
        code: 'TOO_MANY_REDIRECTS',
        detail: `More than ${context.maxRedirects} redirects`,
      });
    }
    const sameOrigin = next.origin === new URL(request.url).origin;
    request = { ...request, url: next.href, headers: sameOrigin ? (request.headers ?? {}) : {} };
  }
}

/**
 * GETs a URL and returns its body validated against `schema` and `check` (what was asked: the
 * id of a record, the ids of a batch), retrying what the retry policy says is worth retrying, and
 * keeping the answer in the cache when there is one. Every operation of the client reads the API
 * through this one function.
 */
export function* getJson<T>(
  context: RequestContext,
  url: string,
  schema: z.ZodMiniType<T>,
  check?: (value: T, url: string) => void,
): Handler<T> {
  const cached = yield* readCache<T>(context, url);
  if (cached !== undefined) return cached;
  const { hooks } = context;
  // Only a client with `beforeRetry` hooks needs to remember each attempt's request.
  const sent = hooks.beforeRetry.length > 0 ? { request: firstRequest(context, url) } : undefined;
  const value = yield* retrying(
    context.retry,
    context.signal,
    function* (attempt) {
      const { request, response } = yield* sendFollowingRedirects(context, url, attempt, sent);
      const parsed = parseResponse(request, response, schema);
      // Checked against what was asked before anything is cached: a wrong answer is never kept.
      check?.(parsed, request.url);
      return parsed;
    },
    sent &&
      ((error, retryCount) => {
        const options = hookOptions(context, retryCount);
        return runBeforeRetry(hooks, sent.request, options, error, retryCount);
      }),
  );
  yield* writeCache(context, url, value);
  return value;
}

/**
 * A copy of what the cache holds under `url`, or undefined. A store that fails is logged and
 * treated as empty: a cache must never be the reason a request fails.
 */
export function* readCache<T>(context: RequestContext, url: string): Handler<T | undefined> {
  if (!context.cache) return undefined;
  let hit: unknown;
  try {
    hit = yield* cacheGet(context.cache, url);
  } catch (error) {
    if (isBlockingUnavailableError(error)) throw error;
    context.logger?.warn?.(`Cache read failed for ${url}; reading the API instead`, error);
    return undefined;
  }
  // Callers may change what they get; the cached original must stay as the API sent it.
  return hit === undefined ? undefined : (structuredClone(hit) as T);
}

/** Keeps `value` under `url` in the cache, if there is one; failures are logged, not thrown. */
export function* writeCache(context: RequestContext, url: string, value: unknown): Handler<void> {
  if (!context.cache) return;
  try {
    // Callers may change what they were given; the cache keeps its own copy.
    yield* cacheSet(context.cache, url, structuredClone(value));
  } catch (error) {
    if (isBlockingUnavailableError(error)) throw error;
    context.logger?.warn?.(`Cache write failed for ${url}`, error);
  }
}
