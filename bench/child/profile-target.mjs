// A workload to profile, run by bench/profile.ts under `node --cpu-prof` in a fresh process.
// Plain JavaScript, against the built client (dist/), so that the profile shows only the
// client, its dependencies and Node itself. Run from the consumer app of the package snapshot
// (bench/lib/dist.ts), where `import('rickmorty-client')` resolves as in a user's app:
//
//   node --cpu-prof profile-target.mjs <scenario> <apiUrl> [count]
//
// scenarios: throughput (client getCharacterAsync, 10 in flight, batch and dedupe off),
// fetch-throughput (raw fetch + JSON.parse, 10 in flight), blocking (getCharacter one after
// another), async-serial (await getCharacterAsync one after another), import (import only).
const [scenario, api, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 3000);
const deadline = setTimeout(() => {
  console.error(`profile target (${scenario}) took too long`);
  process.exit(3);
}, 120_000);
const idAt = (i) => (i % 826) + 1;

async function lanes(n, concurrency, task) {
  let next = 0;
  const lane = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

const started = performance.now();
if (scenario === 'import') {
  await import('rickmorty-client');
} else if (scenario === 'fetch-throughput') {
  await lanes(count, 10, async (i) =>
    JSON.parse(await (await fetch(`${api}/character/${idAt(i)}`)).text()),
  );
} else {
  const { RickMortyClient } = await import('rickmorty-client');
  const client = new RickMortyClient({ baseUrl: api, batch: false, dedupe: false });
  if (scenario === 'throughput') {
    await lanes(count, 10, (i) => client.getCharacterAsync(idAt(i)));
  } else if (scenario === 'blocking') {
    for (let i = 0; i < count; i++) client.getCharacter(idAt(i));
  } else if (scenario === 'async-serial') {
    for (let i = 0; i < count; i++) await client.getCharacterAsync(idAt(i));
  } else {
    throw new Error(`unknown scenario ${scenario}`);
  }
  await client.close();
}
clearTimeout(deadline);
process.stdout.write(`${JSON.stringify({ scenario, count, ms: performance.now() - started })}\n`);
