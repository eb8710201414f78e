/**
 * Every ```ts block in README.md and docs/*.md runs here, as its own ES module, with the package's
 * imports pointed at the sources, and all of them type-check together under the project's strict
 * settings; every ```js block runs as a CommonJS script. The examples run one after another in two
 * processes (test/helpers/doc-example-runner.mts): each must end without an error, write no error
 * to stderr and let go of everything it started before the next begins. A ```ts excerpt block quotes a test
 * fixture: each of its lines must still be in the fixture. A doc example that stops working fails
 * the build.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_ENTRIES } from '../tsup.config.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.tmp', 'doc-examples');

interface Example {
  readonly name: string;
  readonly code: string;
  readonly language: 'ts' | 'js';
}

function examplesOf(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const examples: Example[] = [];
  const fence = /^```(ts|js)\n([\s\S]*?)^```$/gm;
  for (let match = fence.exec(text); match; match = fence.exec(text)) {
    const line = text.slice(0, match.index).split('\n').length;
    const language = match[1] === 'js' ? 'js' : 'ts';
    examples.push({ name: `${relative(root, file)}:${line}`, code: match[2] ?? '', language });
  }
  return examples;
}

const files = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, 'docs', name)),
].filter((file) => existsSync(file));
const examples = files.flatMap(examplesOf);
const excerpts = files.flatMap((file) => {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^```ts excerpt\n([\s\S]*?)^```$/gm)].map((match) => ({
    name: `${relative(root, file)}:${text.slice(0, match.index).split('\n').length}`,
    code: match[1] ?? '',
  }));
});
const fixtureDir = join(root, 'test', 'fixtures', 'legacy-app');
const fixtureText = readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => readFileSync(join(fixtureDir, name), 'utf8'))
  .join('\n');

/** Each entry point of the package (`rickmorty-client/testing`), and the source it is built from. */
const ENTRIES = Object.entries(PUBLIC_ENTRIES).map(
  ([name, path]) =>
    [name === 'index' ? 'rickmorty-client' : `rickmorty-client/${name}`, path] as const,
);

function toModule(example: Example): string {
  const source = (path: string) => JSON.stringify(join(root, path));
  let code = example.code;
  for (const [entry, path] of ENTRIES) {
    code = code
      .replaceAll(`from '${entry}'`, `from ${source(path)}`)
      .replaceAll(`require('${entry}')`, `require(${source(path)})`);
  }
  return code;
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const written = examples.map((example, index) => {
  const number = String(index).padStart(2, '0');
  const file = join(outDir, `example-${number}.${example.language === 'ts' ? 'mts' : 'cjs'}`);
  const footer = example.language === 'ts' ? '\nexport {};\n' : '\n';
  writeFileSync(file, `// ${example.name}\n${toModule(example)}${footer}`);
  return { ...example, file };
});

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

/** Type-checks every ts example under the project's strict settings; tsc's output, located. */
async function typeCheckExamples(): Promise<string> {
  writeFileSync(
    join(outDir, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.json',
      compilerOptions: { allowImportingTsExtensions: true, noEmit: true, rootDir: '../..' },
      include: ['./*.mts'],
    }),
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = await run(process.execPath, [tsc, '-p', join(outDir, 'tsconfig.json')], {
    cwd: root,
  }).catch((error: { stdout?: string }) => error);
  const output = 'stdout' in result ? String(result.stdout) : '';
  const located = output.replace(/\.tmp\/doc-examples\/example-(\d+)\.mts/g, (_, index: string) => {
    return written[Number(index)]?.name ?? `example ${index}`;
  });
  return located;
}

interface ExampleResult {
  readonly file: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly stderr: string;
  readonly leftovers: readonly string[];
}

interface Batch {
  readonly output: string;
  readonly stderr: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const launcher = join(root, 'test', 'helpers', 'tsx-launcher.mjs');
const runner = join(root, 'test', 'helpers', 'doc-example-runner.mts');
/** Two processes, one per core, each running its share of the examples one after another. */
const PROCESSES = 2;
const batches: Batch[] = [];

function runBatch(files: readonly string[]): Promise<Batch> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [launcher, runner, ...files], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    // A hang guard, not a timing check: the batch's process must exit by itself.
    const guard = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ output, stderr, code, signal });
    });
  });
}

function results(): Map<string, ExampleResult> {
  const byFile = new Map<string, ExampleResult>();
  for (const batch of batches) {
    for (const line of batch.output.split('\n')) {
      if (!line.startsWith('@@result ')) continue;
      const result = JSON.parse(line.slice('@@result '.length)) as ExampleResult;
      byFile.set(result.file, result);
    }
  }
  return byFile;
}

let typeCheck: Promise<string>;

beforeAll(async () => {
  // The type-check runs beside the examples: three processes on two cores, no one waiting.
  typeCheck = typeCheckExamples();
  const shares = Array.from({ length: PROCESSES }, (_, index) =>
    written.filter((_, position) => position % PROCESSES === index).map(({ file }) => file),
  );
  batches.push(...(await Promise.all(shares.map(runBatch))));
}, 180_000);

describe('documentation examples', () => {
  it('has examples to run', () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  it('type-check under the strict settings', async () => {
    expect(await typeCheck).toBe('');
  });

  it.each(excerpts)('$name quotes the legacy-app fixture as it is', (excerpt) => {
    const lines = excerpt.code
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('//') && line !== '...');
    for (const line of lines) expect(fixtureText, line).toContain(line);
  });

  describe.each(written)('$name', (example) => {
    it('runs to completion, letting go of everything it started', () => {
      const result = results().get(example.file);
      expect(result, 'the runner never reached this example').toBeDefined();
      expect(result?.error).toBeUndefined();
      expect(result?.ok).toBe(true);
      expect(result?.stderr).not.toMatch(/Error|Unhandled/);
      expect(result?.leftovers).toEqual([]);
    });
  });

  it('leave a process that exits by itself once they are done', () => {
    for (const batch of batches) {
      expect(batch.output, batch.stderr).toContain('@@done');
      expect({ code: batch.code, signal: batch.signal }).toEqual({ code: 0, signal: null });
    }
  });
});
