/**
 * The client's hooks, with ky's names and, where they fit, ky's shapes: `beforeRequest`,
 * `afterResponse` and `beforeRetry`. They run on the one operation path (`sendFollowingRedirects`
 * and `retrying`), so both halves run them. Each call of a hook is a `gensync` leaf: the async half
 * awaits what a hook returns; the blocking half refuses a promise with a `BlockingUnavailableError`,
 * which the twin runner completes with the name of the async twin.
 *
 * @module
 */
import gensync from 'gensync';
import { BlockingUnavailableError, InvalidArgumentError } from '../errors/classes.js';
import { isThenable } from '../internal/async.js';
import { assertOptionsObject, describeValue } from '../internal/checks.js';
import type { TransportRequest, TransportResponse } from '../transports/types.js';
import type { Handler } from './effects.js';
import { neverRetry } from './retry.js';

/** A request as the hooks see it, one per attempt. Change it in place, or return another. */
export interface HookRequest {
  readonly method: 'GET';
  /**
   * The absolute URL, a string as on a fetch `Request`. A hook may change its query (assign a new
   * URL); changing its origin or its path is an `InvalidArgumentError`.
   */
  url: string;
  /** The headers to send: `request.headers.set('x-request-id', id)`. */
  readonly headers: Headers;
}

/** An answer as `afterResponse` sees it, before it is checked and validated. */
export interface HookResponse {
  status: number;
  statusText: string;
  /** The answer's headers: `response.headers.get('x-ratelimit-remaining')`. */
  readonly headers: Headers;
  /** The whole body, as text. */
  body: string;
}

/**
 * Headers as a hook may give them: a `Headers` object or a plain object of strings. (Not the DOM's
 * `HeadersInit`, which a program type-checked without the DOM library does not have.)
 */
export type HookHeaders = Headers | Readonly<Record<string, string>>;

/** What a `beforeRequest` hook may return instead of changing the request it was given. */
export interface HookRequestInit {
  /** The URL to send: the same origin and path, any query. */
  readonly url: string | URL;
  /** The headers to send instead; the current ones when left out. */
  readonly headers?: HookHeaders;
  /** `GET` if given: the API is read-only. */
  readonly method?: string;
}

/** What an `afterResponse` hook may return instead of the answer it was given. */
export interface HookResponseInit {
  readonly status: number;
  readonly statusText?: string;
  /** The headers of the answer instead; the current ones when left out. */
  readonly headers?: HookHeaders;
  /** The body as text. Note: a fetch `Response` is not accepted, since a blocking twin cannot read it. */
  readonly body: string;
}

/** What every hook of one attempt is told beside the request (ky's `options` argument). */
export interface HookOptions {
  /** The attempt this request belongs to, from 1; each retry runs the hooks again. */
  readonly attempt: number;
  /**
   * The request's timeout in milliseconds, when the call or the client set one; otherwise
   * undefined, and the transport's own applies.
   */
  readonly timeout: number | undefined;
  /** The call's signal. */
  readonly signal: AbortSignal | undefined;
}

/** What a `beforeRetry` hook is told, after the wait and before the next attempt. */
export interface BeforeRetryState {
  /** The request of the attempt that failed, as the hooks saw it. */
  readonly request: HookRequest;
  readonly options: HookOptions;
  /** What the failed attempt threw. */
  readonly error: unknown;
  /** The number of the retry about to be made, from 1. */
  readonly retryCount: number;
}

/**
 * Runs before each attempt's request is sent (after the cache is asked, so a cached answer runs
 * no hook). It may change the request's headers and query, in place or by returning a
 * `HookRequestInit` (a fetch `Request` is one).
 */
export type BeforeRequestHook = (
  request: HookRequest,
  options: HookOptions,
) => HookRequestInit | undefined | void | PromiseLike<HookRequestInit | undefined | void>;

/**
 * Runs on each attempt's final answer (after redirects), whatever its status, before the status is
 * checked and the body parsed and validated. It may change the answer in place or return another.
 */
export type AfterResponseHook = (
  request: HookRequest,
  options: HookOptions,
  response: HookResponse,
) => HookResponseInit | undefined | void | PromiseLike<HookResponseInit | undefined | void>;

/**
 * Runs before each retry, after the wait. Throwing ends the retries: the call fails with what
 * the hook threw.
 */
export type BeforeRetryHook = (state: BeforeRetryState) => void | PromiseLike<void>;

/** The client's `hooks` option: lists of functions, run in order. */
export interface Hooks {
  beforeRequest?: readonly BeforeRequestHook[];
  afterResponse?: readonly AfterResponseHook[];
  beforeRetry?: readonly BeforeRetryHook[];
}

/** @internal The hooks checked: every list present, copied when the client was made. */
export interface HookSettings {
  readonly beforeRequest: readonly BeforeRequestHook[];
  readonly afterResponse: readonly AfterResponseHook[];
  readonly beforeRetry: readonly BeforeRetryHook[];
}

const HOOK_NAMES = ['beforeRequest', 'afterResponse', 'beforeRetry'] as const;

/** @internal A client without hooks. */
export const NO_HOOKS: HookSettings = { beforeRequest: [], afterResponse: [], beforeRetry: [] };

/** @internal Checks the client's `hooks` option and copies its lists. */
export function resolveHooks(value: unknown): HookSettings {
  if (value === undefined) return NO_HOOKS;
  const o = assertOptionsObject(value, 'hooks', HOOK_NAMES);
  const lists = HOOK_NAMES.map((name) => {
    const list = o[name];
    if (list === undefined) return [];
    if (!Array.isArray(list)) {
      throw new InvalidArgumentError(
        `Expected \`hooks.${name}\` to be an array of functions, got ${describeValue(list)}`,
      );
    }
    for (const [index, hook] of list.entries()) {
      if (typeof hook !== 'function') {
        throw new InvalidArgumentError(
          `Expected \`hooks.${name}[${index}]\` to be a function, got ${describeValue(hook)}`,
        );
      }
    }
    return [...list];
  });
  const [beforeRequest = [], afterResponse = [], beforeRetry = []] = lists;
  return { beforeRequest, afterResponse, beforeRetry } as HookSettings;
}

/**
 * Calls one hook. What it throws ends the call: it is not retried. The blocking half refuses a
 * promise, which it cannot wait for; the async half awaits it.
 */
const callHook = gensync<[hook: Function, args: unknown[], name: string], unknown>({
  sync(hook, args, name) {
    let result: unknown;
    try {
      result = hook(...args);
    } catch (error) {
      throw neverRetry(error);
    }
    if (isThenable(result)) {
      // Not ours to await; silenced so that its rejection cannot crash the program.
      Promise.resolve(result).catch(() => {});
      throw new BlockingUnavailableError(
        `the client's ${name} hook returned a promise, which a blocking twin cannot wait for; make the hook synchronous`,
      );
    }
    return result;
  },
  async async(hook, args) {
    try {
      return await hook(...args);
    } catch (error) {
      throw neverRetry(error);
    }
  },
});

/** A hook's view of a request: a fresh copy per attempt. */
export function hookRequest(request: TransportRequest): HookRequest {
  return { method: 'GET', url: request.url, headers: new Headers(request.headers) };
}

/** Headers as the transports take them: a record, names in lower case. */
function headersRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

function misuse(message: string): never {
  throw neverRetry(new InvalidArgumentError(message));
}

/** Reads what a `beforeRequest` hook returned into the view, checking it. */
function takeRequest(view: HookRequest, result: unknown, name: string): HookRequest {
  const init = result as Partial<HookRequestInit> | null;
  if (typeof init !== 'object' || init === null || !('url' in init)) {
    misuse(
      `Expected the ${name} hook to return nothing or a request with a \`url\`, got ${describeValue(result)}`,
    );
  }
  if (init.method !== undefined && String(init.method).toUpperCase() !== 'GET') {
    misuse(
      `The ${name} hook returned a ${String(init.method)} request; the API is read with GET only`,
    );
  }
  return {
    method: 'GET',
    url: String(init.url),
    headers: init.headers === undefined ? view.headers : new Headers(init.headers),
  };
}

/** The URL a hook left, checked against the one it was given: the same origin and path. */
function checkedUrl(before: string, after: unknown, name: string): string {
  let url: URL;
  try {
    url = new URL(String(after));
  } catch {
    return misuse(`The ${name} hook set the URL to ${describeValue(after)}, which is not a URL`);
  }
  const was = new URL(before);
  if (url.origin !== was.origin || url.pathname !== was.pathname) {
    misuse(
      `The ${name} hook changed the request from ${was.origin}${was.pathname} to ${url.origin}${url.pathname}; hooks may change the query and the headers only (set \`baseUrl\` to call another server)`,
    );
  }
  url.hash = '';
  return url.href;
}

/** Runs the `beforeRequest` hooks on a request about to be sent; the request they leave. */
export function* runBeforeRequest(
  hooks: HookSettings,
  request: TransportRequest,
  options: HookOptions,
): Handler<TransportRequest> {
  let view = hookRequest(request);
  for (const [index, hook] of hooks.beforeRequest.entries()) {
    const name = `beforeRequest[${index}]`;
    const result = yield* callHook(hook, [view, options], name);
    if (result !== undefined) view = takeRequest(view, result, name);
    view.url = checkedUrl(request.url, view.url, name);
  }
  return { ...request, url: view.url, headers: headersRecord(view.headers) };
}

/** Reads what an `afterResponse` hook left (or returned) back into a transport answer. */
function takeResponse(view: HookResponse, name: string): TransportResponse {
  const { status, statusText, body } = view;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    misuse(`The ${name} hook set the status to ${describeValue(status)}; expected 100 to 599`);
  }
  if (typeof body !== 'string') {
    misuse(`The ${name} hook set the body to ${describeValue(body)}; expected a string`);
  }
  return {
    status,
    statusText: String(statusText ?? ''),
    headers: headersRecord(view.headers),
    body,
  };
}

/** Runs the `afterResponse` hooks on an attempt's final answer; the answer they leave. */
export function* runAfterResponse(
  hooks: HookSettings,
  request: TransportRequest,
  response: TransportResponse,
  options: HookOptions,
): Handler<TransportResponse> {
  const view = hookRequest(request);
  let answer: HookResponse = { ...response, headers: new Headers(response.headers) };
  for (const [index, hook] of hooks.afterResponse.entries()) {
    const name = `afterResponse[${index}]`;
    const result = (yield* callHook(hook, [view, options, answer], name)) as
      | HookResponseInit
      | undefined;
    if (result !== undefined) {
      if (typeof result !== 'object' || result === null || typeof result.body !== 'string') {
        misuse(
          `Expected the ${name} hook to return nothing or { status, headers, body } with a string body, got ${describeValue(result)}`,
        );
      }
      answer = {
        status: result.status,
        statusText: result.statusText ?? '',
        headers: result.headers === undefined ? answer.headers : new Headers(result.headers),
        body: result.body,
      };
    }
    takeResponse(answer, name);
  }
  return takeResponse(answer, 'afterResponse');
}

/** Runs the `beforeRetry` hooks before retry number `retryCount`. */
export function* runBeforeRetry(
  hooks: HookSettings,
  request: TransportRequest,
  options: HookOptions,
  error: unknown,
  retryCount: number,
): Handler<void> {
  for (const [index, hook] of hooks.beforeRetry.entries()) {
    const state: BeforeRetryState = { request: hookRequest(request), options, error, retryCount };
    yield* callHook(hook, [state], `beforeRetry[${index}]`);
  }
}
