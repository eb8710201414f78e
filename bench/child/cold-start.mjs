// One cold start, run by bench/scenarios/cold-start.ts from the consumer app of the package
// snapshot (bench/lib/dist.ts), so that `import('rickmorty-client')` resolves as in a user's app.
// Plain JavaScript on purpose: a TypeScript loader would add its own start-up to every figure.
//
//   node cold-start.mjs <mode> <apiUrl>
//
// It writes `first` on stdout as soon as it holds its first validated record (the parent times
// that line's arrival from spawn), then one JSON line with its own figures once its work is done,
// then closes what it opened and exits on its own (the parent times the exit too).
//
// modes: empty (nothing: Node's own start), import (`import('rickmorty-client')` only), fetch (one
// raw `fetch` of character 1 + `JSON.parse` + the same check), async (`getCharacterAsync(1)`),
// blocking (`getCharacter(1)`), make-async (`makeAsync(createBlockingTransport())` as the client's
// transport, characters 1, 10 and 100 at once with `Promise.all` of `getCharacterAsync`).
const [mode, api] = process.argv.slice(2);
const NAMES = new Map([
  [1, 'Rick Sanchez'],
  [10, 'Alan Rails'],
  [100, 'Bubonic Plague'],
]);
setTimeout(() => {
  console.error(`cold-start child (${mode}) took too long`);
  process.exit(3);
}, 60_000).unref();

let firstMs;
/** Checks a record and reports the first one. */
function got(record, id) {
  if (record?.id !== id || record.name !== NAMES.get(id)) {
    throw new Error(`wrong record for ${id}: ${JSON.stringify(record)?.slice(0, 200)}`);
  }
  if (firstMs === undefined) {
    firstMs = performance.now();
    process.stdout.write('first\n');
  }
  return record;
}

function ready() {
  firstMs = performance.now();
  process.stdout.write('first\n');
}

/** This process's peak resident set size (see memory.mjs for why VmHWM and not maxRSS). */
async function peakKiB() {
  try {
    const { readFileSync } = await import('node:fs');
    const hwm = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
    if (hwm) return Number(hwm[1]);
  } catch {
    // Not Linux: fall back to maxRSS.
  }
  return process.resourceUsage().maxRSS;
}

let close = async () => {};
if (mode === 'empty') {
  ready();
} else if (mode === 'import') {
  await import('rickmorty-client');
  ready();
} else if (mode === 'fetch') {
  const response = await fetch(`${api}/character/1`);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  got(JSON.parse(await response.text()), 1);
} else if (mode === 'async' || mode === 'blocking') {
  const { RickMortyClient } = await import('rickmorty-client');
  const client = new RickMortyClient({ baseUrl: api });
  got(mode === 'async' ? await client.getCharacterAsync(1) : client.getCharacter(1), 1);
  close = () => client.close();
} else if (mode === 'make-async') {
  const { RickMortyClient, makeAsync, createBlockingTransport } = await import('rickmorty-client');
  const transport = makeAsync(createBlockingTransport());
  const client = new RickMortyClient({ baseUrl: api, transport });
  await Promise.all(
    [...NAMES.keys()].map(async (id) => got(await client.getCharacterAsync(id), id)),
  );
  close = async () => {
    await client.close();
    await transport.close();
  };
} else {
  throw new Error(`unknown mode ${mode}`);
}
const doneMs = performance.now();
process.stdout.write(`${JSON.stringify({ mode, firstMs, doneMs, peakKiB: await peakKiB() })}\n`);
await close();
