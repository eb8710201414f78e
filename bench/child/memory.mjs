// Fetches every character in a fresh process and reports the peak resident set size.
// Plain JavaScript on purpose: a TypeScript loader (tsx) would add its own memory to the figure.
// Run from the consumer app of the package snapshot (bench/lib/dist.ts), where
// `import('rickmorty-client')` resolves as in a user's app:
//
//   node memory.mjs <mode> <apiUrl> <peerUrl>
//
// modes: import (only import the client), client (getAllCharactersAsync), client-blocking
// (getAllCharacters), peer-import, peer (getCharacter([1..count]) through a rewritten fetch),
// fetch (page 1, then every other page with Promise.all and JSON.parse).
const [mode, api, peerUrl] = process.argv.slice(2);
const PEER_BASE = 'https://rickandmortyapi.com/api';
const deadline = setTimeout(() => {
  console.error(`memory child (${mode}) took too long`);
  process.exit(3);
}, 60_000);

let records = [];
if (mode === 'import') {
  await import('rickmorty-client');
} else if (mode === 'client' || mode === 'client-blocking') {
  const { RickMortyClient } = await import('rickmorty-client');
  const client = new RickMortyClient({ baseUrl: api });
  records = mode === 'client' ? await client.getAllCharactersAsync() : client.getAllCharacters();
  await client.close();
} else if (mode === 'peer-import') {
  await import(peerUrl);
} else if (mode === 'peer') {
  const original = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = String(input);
    if (!url.startsWith(PEER_BASE)) throw new Error(`refusing ${url}`);
    const rest = url.slice(PEER_BASE.length);
    const q = rest.indexOf('?');
    const path = q === -1 ? rest : rest.slice(0, q);
    return original(api + path.replace(/\/{2,}/g, '/') + (q === -1 ? '' : rest.slice(q)), init);
  };
  const mod = await import(peerUrl);
  const peer = mod.getCharacter ? mod : mod.default;
  const first = await peer.getCharacters();
  const ids = Array.from({ length: first.data.info.count }, (_, i) => i + 1);
  records = (await peer.getCharacter(ids)).data;
} else if (mode === 'fetch') {
  const get = async (url) => JSON.parse(await (await fetch(url)).text());
  const first = await get(`${api}/character`);
  const rest = await Promise.all(
    Array.from({ length: first.info.pages - 1 }, (_, i) => get(`${api}/character?page=${i + 2}`)),
  );
  records = [...first.results, ...rest.flatMap((page) => page.results)];
} else {
  throw new Error(`unknown mode ${mode}`);
}
clearTimeout(deadline);
// Peak RSS of this process. On Linux `process.resourceUsage().maxRSS` (getrusage) keeps the
// high-water mark of the forked parent across exec, so a child of a big process reports the
// parent's peak; VmHWM in /proc/self/status belongs to this process's own address space only.
let peakKiB = process.resourceUsage().maxRSS;
let source = 'resourceUsage().maxRSS';
try {
  const { readFileSync } = await import('node:fs');
  const hwm = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
  if (hwm) {
    peakKiB = Number(hwm[1]);
    source = 'VmHWM';
  }
} catch {
  // Not Linux: keep maxRSS.
}
process.stdout.write(
  `${JSON.stringify({ mode, count: records.length, maxRssKiB: peakKiB, source, heapUsed: process.memoryUsage().heapUsed })}\n`,
);
