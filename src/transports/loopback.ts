/**
 * Whether a request goes to a server running on this very thread: a blocking call parks the
 * thread in `Atomics.wait`, so such a server could never answer it, and the call would only end
 * with its timeout (times the retries). Asked before a blocking request is sent.
 *
 * @module
 */
import { isTimeoutError } from '../errors/guards.js';

interface ListeningHandle {
  readonly listening?: boolean;
  address?(): unknown;
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Whether `url` goes to this machine's loopback interface (`localhost`, 127.0.0.0/8, `::1`). */
export function isLoopbackUrl(url: string): boolean {
  const parsed = parse(url);
  return parsed !== undefined && isLoopbackHost(parsed.hostname);
}

/**
 * The address (`127.0.0.1:8080`) of a server listening on this thread that `url` would reach, or
 * `undefined`. Only loopback URLs are looked at, and only this thread's handles: a server on
 * another thread or in another process answers a blocking call normally.
 *
 * Note: this reads `process._getActiveHandles()`, which Node has long had but does not document;
 * where it is missing the answer is `undefined` and only the timeout's message explains.
 */
export function serverOnThisThread(url: string): string | undefined {
  const parsed = parse(url);
  if (!parsed || !isLoopbackHost(parsed.hostname)) return undefined;
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const process = (globalThis as { process?: { _getActiveHandles?: () => unknown[] } }).process;
  const handles = process?._getActiveHandles?.();
  for (const handle of handles ?? []) {
    const server = handle as ListeningHandle;
    if (!server?.listening || typeof server.address !== 'function') continue;
    const address = server.address() as { port?: unknown; address?: unknown } | null;
    if (address?.port === port) return `${String(address.address)}:${port}`;
  }
  return undefined;
}

/**
 * What the timeout of a blocking call to a loopback address says besides: the likeliest cause,
 * and what to call instead (`asyncTwin`, or "the async twin" when the caller is not a client's twin).
 */
export function loopbackTimeoutNote(asyncTwin?: string): string {
  return (
    'A blocking call parks the calling thread in Atomics.wait, so a server running on that thread ' +
    'can never answer it: run the server in another thread or process, or call ' +
    (asyncTwin ? `${asyncTwin}() instead` : 'the async twin instead')
  );
}

/**
 * Gives `error` another message, and its stack the same first line (which repeats the message), so
 * that what is printed and what is read agree.
 */
function reword(error: Error, message: string): void {
  const head = `${error.name}: ${error.message}`;
  const stack = error.stack;
  error.message = message;
  if (typeof stack === 'string' && stack.startsWith(head)) {
    error.stack = `${error.name}: ${message}${stack.slice(head.length)}`;
  }
}

/**
 * `error` from a blocking request to `url`, with the loopback note added to its message when it
 * is a timeout of a call to a loopback address.
 */
export function explainLoopbackTimeout(error: unknown, request: { readonly url: string }): unknown {
  if (isTimeoutError(error) && isLoopbackUrl(request.url)) {
    reword(error, `${error.message}. ${loopbackTimeoutNote()}`);
  }
  return error;
}

/** A loopback timeout's note names "the async twin"; a client's runner knows which one it is. */
export function nameAsyncTwin(error: unknown, asyncTwin: string): unknown {
  const generic = loopbackTimeoutNote();
  if (isTimeoutError(error) && error.message.includes(generic)) {
    reword(error, error.message.replace(generic, loopbackTimeoutNote(asyncTwin)));
  }
  return error;
}
