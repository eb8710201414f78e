/**
 * Runs documentation examples one after another in this one process (started with tsx,
 * test/helpers/tsx-launcher.mjs), so that the suite pays for one Node and one tsx start instead of one per example.
 *
 * For each example it reports, as one JSON line on stdout prefixed with `@@result `: whether the
 * module ran to its end without throwing, what it wrote to stderr (this thread's and its workers'),
 * an unhandled rejection or uncaught exception raised while it ran, and what it left holding the
 * event loop. Each example must let go of everything it started before the next one begins, as it
 * must when it runs alone: a process with leftovers would not exit by itself.
 *
 * Usage: node tsx-launcher.mjs doc-example-runner.mts FILE...
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

interface Result {
  readonly file: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly stderr: string;
  readonly leftovers: readonly string[];
}

/** How long an example may take to let go of what it started (a worker's exit, a socket's close). */
const SETTLE_MS = 10_000;

const require = createRequire(import.meta.url);
let current: { stderr: string; failure: string | undefined } = { stderr: '', failure: undefined };

// stderr of this thread and of worker threads (whose output Node forwards through this stream).
const writeStderr = process.stderr.write.bind(process.stderr);
process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
  current.stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  return writeStderr(chunk, ...rest);
}) as typeof process.stderr.write;

const describe = (error: unknown) =>
  error instanceof Error ? (error.stack ?? String(error)) : String(error);
process.on('unhandledRejection', (reason) => {
  current.failure ??= `Unhandled rejection: ${describe(reason)}`;
});
process.on('uncaughtException', (error) => {
  current.failure ??= `Uncaught exception: ${describe(error)}`;
});

/** What holds the event loop, by kind, as counts (timers that are unref'd are not counted). */
function holding(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo())
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

function excess(now: Map<string, number>, baseline: Map<string, number>): string[] {
  const extra: string[] = [];
  for (const [kind, count] of now) {
    const over = count - (baseline.get(kind) ?? 0);
    if (over > 0) extra.push(`${over} ${kind}`);
  }
  return extra;
}

/** Waits, a turn at a time, until nothing is held beyond the baseline, or the time is up. */
async function leftoversAfter(baseline: Map<string, number>): Promise<string[]> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    // One turn of the loop with a timer of our own, which the comparison discounts.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const extra = excess(holding(), baseline);
    if (extra.length === 0 || Date.now() > deadline) return extra;
  }
}

const baseline = holding();
for (const file of process.argv.slice(2)) {
  current = { stderr: '', failure: undefined };
  let ok = true;
  let error: string | undefined;
  try {
    if (file.endsWith('.cjs')) require(file);
    else await import(pathToFileURL(file).href);
  } catch (thrown) {
    ok = false;
    error = describe(thrown);
  }
  const leftovers = await leftoversAfter(baseline);
  if (current.failure !== undefined) {
    ok = false;
    error ??= current.failure;
  }
  const result: Result = {
    file,
    ok,
    ...(error === undefined ? {} : { error }),
    stderr: current.stderr,
    leftovers,
  };
  process.stdout.write(`@@result ${JSON.stringify(result)}\n`);
}
process.stdout.write('@@done\n');
// If anything still holds the loop, say what and end, rather than hang until the test gives up.
setTimeout(() => {
  process.stdout.write(`@@held ${JSON.stringify(process.getActiveResourcesInfo())}\n`);
  process.exit(3);
}, SETTLE_MS).unref();
