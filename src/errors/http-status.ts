/**
 * What an HTTP answer that is not a success means: the error class for its status, the wait its
 * `Retry-After` asks for, and the message in the API's error body.
 *
 * @module
 */
import * as z from 'zod/mini';
import {
  HttpError,
  NotFoundError,
  RateLimitError,
  type RequestDetails,
  ServerError,
} from './classes.js';

/** The body of every error answer of the API: `{"error": "Character not found"}`. */
const errorBodySchema = z.object({ error: z.string() });

/** The parts of an answer that decide its error: a transport's response has them all. */
export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The milliseconds a `Retry-After` header asks to wait (seconds, or an HTTP date), if it parses: a
 * negative number of seconds does not, and a date in the past asks for 0. A server's wait is a
 * floor on the client's backoff, never a way around it: see `retrying`.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  const seconds = Number(text);
  if (!Number.isNaN(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The longest server message an error keeps: the API's are a few words. */
const MAX_SERVER_MESSAGE = 300;

/**
 * A server's text as an error may show it: control characters (a forged log line, a terminal
 * escape) become spaces, and a text longer than `MAX_SERVER_MESSAGE` is cut, so that a hostile
 * body can neither flood a log nor rewrite a terminal through an error message.
 */
export function serverText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return clean.length > MAX_SERVER_MESSAGE ? `${clean.slice(0, MAX_SERVER_MESSAGE)}…` : clean;
}

/**
 * The `error` text of the API's error body, made safe to show (see `serverText`), or undefined when
 * the body is not one. Bodies larger than a real error body are not parsed at all.
 */
export function serverMessageOf(body: string): string | undefined {
  if (body.length > 64 * 1024) return undefined;
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(body));
    return parsed.success ? serverText(parsed.data.error) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns a non-success answer into the error class for its status.
 * @internal
 */
export function httpErrorFor(request: RequestDetails, response: HttpAnswer): HttpError {
  const details = {
    method: request.method,
    url: request.url,
    status: response.status,
    statusText: response.statusText,
    serverMessage: serverMessageOf(response.body),
    headers: response.headers,
  };
  if (response.status === 404) return new NotFoundError(details);
  if (response.status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    return new RateLimitError(retryAfterMs === undefined ? details : { ...details, retryAfterMs });
  }
  if (response.status >= 500) return new ServerError(details);
  return new HttpError(details);
}
