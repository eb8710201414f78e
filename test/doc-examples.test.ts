/**
 * Every ```ts block in README.md and docs/*.md runs here, as its own ES module, with the package's
 * imports pointed at the sources, and all of them type-check together under the project's strict
 * settings; every ```js block runs as a CommonJS script. A ```ts excerpt block quotes a test
 * fixture: each of its lines must still be in the fixture. A doc example that stops working fails
 * the build.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
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

describe('documentation examples', () => {
  it('has examples to run', () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  it('type-check under the strict settings', async () => {
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
    const located = output.replace(
      /\.tmp\/doc-examples\/example-(\d+)\.mts/g,
      (_, index: string) => {
        return written[Number(index)]?.name ?? `example ${index}`;
      },
    );
    expect(located).toBe('');
  });

  it.each(excerpts)('$name quotes the legacy-app fixture as it is', (excerpt) => {
    const lines = excerpt.code
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('//') && line !== '...');
    for (const line of lines) expect(fixtureText, line).toContain(line);
  });

  describe.each(written)('$name', (example) => {
    it('runs to completion', async () => {
      const { stderr } = await run(process.execPath, ['--import', 'tsx', example.file], {
        cwd: root,
        timeout: 60_000,
      });
      expect(stderr).not.toMatch(/Error|Unhandled/);
    });
  });
});
