/**
 * Whether a request goes to a server running on this very thread: a blocking call parks the
 * thread in `Atomics.wait`, so such a server could never answer it, and the call would only end
 * with its timeout (times the retries). Asked before a blocking request is sent.
 *
 * @module
 */

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
