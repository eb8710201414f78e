/**
 * The peer client, `rickmortyapi` (the API author's own client), pointed at the replica.
 *
 * It has no base-URL option: it calls the global `fetch` with the hard-coded prefix
 * `https://rickandmortyapi.com/api/` (read at call time, see node_modules/rickmortyapi/dist/index.js).
 * So during its runs the global `fetch` is swapped for one that rewrites that prefix to the replica's
 * URL and refuses anything else, so that a benchmark can never reach the real API. The peer also
 * builds `/character//1` (a doubled slash before the id, and `/character//?page=2` for pages); the
 * replica's router does not accept the empty path segment, so the doubled slashes are collapsed too.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as peer from 'rickmortyapi';

export { peer };

export const PEER_BASE = 'https://rickandmortyapi.com/api';

function rewrite(url: string, target: string): string {
  if (!url.startsWith(PEER_BASE)) {
    throw new Error(`The benchmark refuses to fetch ${url}: only the replica may be contacted`);
  }
  const rest = url.slice(PEER_BASE.length);
  const query = rest.indexOf('?');
  const path = query === -1 ? rest : rest.slice(0, query);
  const search = query === -1 ? '' : rest.slice(query);
  return `${target}${path.replace(/\/{2,}/g, '/')}${search}`;
}

/** Runs `fn` with the global `fetch` redirected from the real API to `target` (the replica). */
export async function withPeerFetch<T>(target: string, fn: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return original(rewrite(url, target), init);
  };
  try {
    return await fn();
  } finally {
    globalThis.fetch = original;
  }
}

/** Reads a peer answer's records, failing loudly on an error status (the peer does not throw). */
export function peerData<T>(response: { status: number; data: T }): T {
  if (response.status !== 200) throw new Error(`The peer client got HTTP ${response.status}`);
  return response.data;
}

/** The report's notes on how the peer is measured (scenarios 1 to 3 use it). */
export const PEER_NOTES: readonly string[] = [
  `The peer \`rickmortyapi\` has its base URL hard-coded (\`${PEER_BASE}\`) and calls the global ` +
    '`fetch`; during its runs `globalThis.fetch` is replaced by one that rewrites that prefix to the ' +
    "replica (and refuses any other URL). The peer also asks for `/character//1`; the replica's " +
    'router refuses the empty segment, so the doubled slash is collapsed. The wrapper costs the peer ' +
    'a string rewrite per request.',
  "The peer's batched answers come in the server's storage order (it does not re-order); the " +
    'client returns records in the order asked.',
];

/** The peer's module as a file URL, for child processes that import it by path. */
export const PEER_URL = pathToFileURL(createRequire(import.meta.url).resolve('rickmortyapi')).href;
