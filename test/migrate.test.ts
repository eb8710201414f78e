import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  analyzeProject,
  type BubbleNode,
  type BubbleReport,
  formatBubble,
  migrate,
  runMigrateCommand,
} from '../src/migrate/index.js';

const execute = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const fixture = join(repo, 'test/fixtures/legacy-app');
const NAMES = 'names: Rick Sanchez, Alan Rails, Bubonic Plague';
const EPISODE = 'episode 1 "Pilot" has';
const SLOW = 120_000;

const temporary: string[] = [];

/**
 * Copies the fixture to a temp dir at the same depth as in the repo, beside symlinks to the
 * repo's src and node_modules and a package.json like the repo's: `../../../src/index.js` and
 * `--import tsx` resolve as at home, and the symlinked src is an ES module package as it is there.
 */
async function copyFixture(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'rickmorty-migrate-'));
  temporary.push(root);
  const app = join(root, 'test/fixtures/legacy-app');
  await mkdir(join(root, 'test/fixtures'), { recursive: true });
  await cp(fixture, app, { recursive: true });
  await symlink(join(repo, 'src'), join(root, 'src'), 'dir');
  await symlink(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  await writeFile(
    join(root, 'package.json'),
    JSON.stringify({ name: 'rickmorty-client', private: true, type: 'module' }),
  );
  return app;
}

async function runApp(app: string): Promise<string> {
  const { stdout } = await execute(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: app,
    timeout: 60_000,
  });
  return stdout;
}

/** Type errors as tsc reports them: TypeScript's own API, not the tool under test. */
function typeErrors(app: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(app, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  if (!config) throw new Error(`Cannot read ${app}/tsconfig.json`);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

function chain(node: BubbleNode): string[] {
  const first = node.callers[0];
  return [node.name, ...(first ? chain(first) : [])];
}

function memoryIo(cwd: string): {
  io: { stdout: { write(text: string): void }; stderr: { write(text: string): void }; cwd: string };
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: {
        write: (text: string) => {
          out += text;
        },
      },
      stderr: {
        write: (text: string) => {
          err += text;
        },
      },
      cwd,
    },
    out: () => out,
    err: () => err,
  };
}

afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.sequential('migrating the legacy app in two bounded steps', () => {
  let app = '';
  let before = '';

  beforeAll(async () => {
    app = await copyFixture();
    before = await runApp(app);
  }, SLOW);

  it('runs blocking before the migration', () => {
    expect(before).toContain(NAMES);
    expect(before).toContain(EPISODE);
  });

  it(
    'shows the async bubble: the call sites and the chain up to main',
    async () => {
      const report: BubbleReport = await analyzeProject({ cwd: app });
      const getCharacter = report.calls.find((call) => call.method === 'getCharacter');
      expect(getCharacter).toMatchObject({
        file: 'characters.ts',
        line: 14,
        asyncTwin: 'getCharacterAsync',
        owner: 'client',
      });
      const handleError = report.calls.find((call) => call.method === 'handleError');
      expect(handleError).toMatchObject({
        file: 'characters.ts',
        line: 14,
        asyncTwin: 'handleErrorAsync',
        owner: 'library',
      });
      expect(handleError && chain(handleError.bubble)).toEqual([
        'getCharacterName',
        'arrow function in getNames',
        'getNames',
        'main',
        'top level of main.ts',
      ]);
      const getEpisode = report.calls.find((call) => call.method === 'getEpisode');
      expect(getEpisode && chain(getEpisode.bubble)).toEqual([
        'printEpisodeCount',
        'main',
        'top level of main.ts',
      ]);
      expect(report.entryPoints.map((entry) => entry.name)).toEqual(['top level of main.ts']);

      const text = formatBubble(report);
      expect(text).toMatch(
        /characters\.ts:14:\d+ {2}client\.getCharacter\(\) -> await client\.getCharacterAsync\(\)/,
      );
      expect(text).toContain('getNames (characters.ts:20)');
      expect(text).toMatch(/\n {8}main \(main\.ts:4\) <- called at main\.ts:5:\d+/);
      expect(text).toContain('top level of main.ts (main.ts:10)');
      expect(text).toMatch(
        /episodes\.ts:5:\d+ {2}client\.getEpisode\(\) -> await client\.getEpisodeAsync\(\)/,
      );
    },
    SLOW,
  );

  it(
    'step 1: getCharacterName up to getNames, keeping blocking twins for main',
    async () => {
      const step = await migrate({
        cwd: app,
        scope: { function: 'getCharacterName', upTo: 'getNames' },
        write: true,
      });
      expect(step.refusal).toEqual([]);
      expect(step.ok).toBe(true);
      expect(step.written).toBe(true);
      expect(step.newDiagnostics).toEqual([]);
      expect(step.files.map((file) => file.file)).toEqual(['characters.ts']);
      expect(step.diff).toContain('--- a/characters.ts\n+++ b/characters.ts\n');
      expect(step.diff).toContain(
        "+import { handleError, handleErrorAsync, RickMortyClient } from '../../../src/index.js';",
      );
      expect(step.diff).toContain(
        '+export async function getCharacterNameAsync(id: number): Promise<string> {',
      );
      expect(step.diff).toContain(
        '+  const character = await handleErrorAsync(() => client.getCharacterAsync(id), { logger: null });',
      );
      expect(step.diff).toContain(
        '+export async function getNamesAsync(ids: readonly number[]): Promise<string[]> {',
      );
      expect(step.diff).toContain(
        '+  return await Promise.all(ids.map((id) => getCharacterNameAsync(id)));',
      );
      // The blocking originals are untouched, so main keeps working.
      expect(step.diff).not.toMatch(/^-export function/m);
      expect(step.converted.map((unit) => [unit.name, unit.mode])).toContainEqual([
        'getNames',
        'twin',
      ]);
      expect(step.strands).toMatchObject([
        { caller: 'main', callee: 'getNames', file: 'main.ts', line: 5, kept: true },
      ]);

      expect(typeErrors(app)).toEqual([]);
      const output = await runApp(app);
      expect(output).toBe(before);
      expect(await readFile(join(app, 'episodes.ts'), 'utf8')).toContain('client.getEpisode(1)');
      expect(await readFile(join(app, 'main.ts'), 'utf8')).toBe(
        await readFile(join(fixture, 'main.ts'), 'utf8'),
      );
    },
    SLOW,
  );

  it(
    'step 2: main, which now awaits getNamesAsync at the top level',
    async () => {
      const step = await migrate({ cwd: app, scope: { function: 'main' }, write: true });
      expect(step.refusal).toEqual([]);
      expect(step.ok).toBe(true);
      expect(step.files.map((file) => file.file)).toEqual(['main.ts']);
      expect(step.diff).toContain(
        [
          "-import { getNames } from './characters.js';",
          "+import { getNamesAsync } from './characters.js';",
        ].join('\n'),
      );
      expect(step.diff).toContain(
        [
          '-function main() {',
          '-  const names = getNames([1, 10, 100]);',
          '+async function main(): Promise<void> {',
          '+  const names = await getNamesAsync([1, 10, 100]);',
        ].join('\n'),
      );
      expect(step.diff).toContain('-main();\n+await main();\n');
      expect(step.strands).toEqual([]);
      expect(step.notes.join('\n')).toMatch(/getNames \(the blocking twin\) has no callers left/);

      expect(typeErrors(app)).toEqual([]);
      const output = await runApp(app);
      expect(output).toContain(NAMES);
      expect(output.split('\n').find((line) => line.startsWith(EPISODE))).toBe(
        before.split('\n').find((line) => line.startsWith(EPISODE)),
      );
      // The strand left out of both steps still blocks.
      const episodes = await readFile(join(app, 'episodes.ts'), 'utf8');
      expect(episodes).toContain('client.getEpisode(1)');
      expect(episodes).not.toContain('getEpisodeAsync');
    },
    SLOW,
  );
});

describe('refusing a step that would break the build', () => {
  it(
    'changes nothing and reports the strand and the type errors',
    async () => {
      const app = await copyFixture();
      const original = await readFile(join(app, 'characters.ts'), 'utf8');
      // In place, getCharacterName becomes async while getNames, outside the step, still maps it
      // into a string[].
      const step = await migrate({
        cwd: app,
        scope: { function: 'getCharacterName', upTo: 'getCharacterName' },
        keepBlockingTwins: false,
        write: true,
      });
      expect(step.ok).toBe(false);
      expect(step.written).toBe(false);
      expect(await readFile(join(app, 'characters.ts'), 'utf8')).toBe(original);
      expect(step.strands).toMatchObject([
        { callee: 'getCharacterName', file: 'characters.ts', line: 21, kept: false },
      ]);
      expect(step.newDiagnostics).toMatchObject([{ file: 'characters.ts', line: 21, code: 2322 }]);
      expect(step.newDiagnostics[0]?.text).toMatch(
        /^characters\.ts:21:\d+ - error TS2322: Type 'Promise<string>\[\]' is not assignable to type 'string\[\]'/,
      );
      expect(step.refusal.join('\n')).toContain('getCharacterName has callers outside the step');
      // The diff of the refused change is still there to read.
      expect(step.diff).toContain(
        '+export async function getCharacterName(id: number): Promise<string> {',
      );
    },
    SLOW,
  );
});

describe('rickmorty migrate', () => {
  it(
    'prints the bubble without a scope, and usage errors with exit code 2',
    async () => {
      const app = await copyFixture();
      const bubble = memoryIo(app);
      expect(await runMigrateCommand([], bubble.io)).toBe(0);
      expect(bubble.out()).toContain('client.getCharacter() -> await client.getCharacterAsync()');
      expect(bubble.out()).toContain('top level of main.ts (main.ts:10)');

      const bad = memoryIo(app);
      expect(await runMigrateCommand(['--frobnicate'], bad.io)).toBe(2);
      expect(bad.err()).toContain('Unknown option --frobnicate');
      expect(bad.err()).toContain('Usage: rickmorty migrate');

      const missing = memoryIo(app);
      expect(await runMigrateCommand(['--function', 'nope'], missing.io)).toBe(1);
      expect(missing.err()).toContain('No function named nope');
    },
    SLOW,
  );
});

describe('twins found by the type checker', () => {
  it(
    'rewrites generator twins to for await, and follows subclasses, namespaces, map and then',
    async () => {
      // A stand-in for an installed rickmorty-client whose client has twins the source does not
      // have yet: the tool must find them from the types alone.
      const root = await mkdtemp(join(tmpdir(), 'rickmorty-twins-'));
      temporary.push(root);
      const pkg = join(root, 'node_modules/rickmorty-client');
      await mkdir(pkg, { recursive: true });
      await writeFile(
        join(pkg, 'package.json'),
        JSON.stringify({
          name: 'rickmorty-client',
          type: 'module',
          exports: { '.': { types: './index.d.ts' } },
        }),
      );
      await writeFile(
        join(pkg, 'index.d.ts'),
        [
          'export interface Character { id: number; name: string }',
          'export declare class RickMortyClient {',
          '  getCharacter(id: number): Character;',
          '  getCharacterAsync(id: number): Promise<Character>;',
          '  iterateCharacters(filter?: { name?: string }): Generator<Character, void, undefined>;',
          '  iterateCharactersAsync(filter?: { name?: string }): AsyncGenerator<Character, void, undefined>;',
          '}',
          'export declare function handleError<T>(fn: () => T): T;',
          'export declare function handleErrorAsync<T>(producer: () => PromiseLike<T> | T): Promise<T>;',
        ].join('\n'),
      );
      await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'app', type: 'module' }));
      await writeFile(
        join(root, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            lib: ['ES2022'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            types: [],
            noEmit: true,
          },
          include: ['*.ts'],
        }),
      );
      const source = [
        "import * as rm from 'rickmorty-client';",
        "import { RickMortyClient } from 'rickmorty-client';",
        '',
        'class MyClient extends RickMortyClient {}',
        'const client = new MyClient();',
        '',
        'export function ricks(): string[] {',
        '  const out: string[] = [];',
        "  for (const c of client.iterateCharacters({ name: 'Rick' })) out.push(c.name);",
        '  return out;',
        '}',
        'export class Repo {',
        '  constructor(private readonly c: RickMortyClient) {}',
        '  load(id: number) {',
        '    return rm.handleError(() => this.c.getCharacter(id)).name.toUpperCase();',
        '  }',
        '  loadAll(ids: number[]) {',
        '    return ids.map((id) => this.load(id)).join();',
        '  }',
        '}',
        'export function later(): Promise<string> {',
        '  return Promise.resolve(1).then((id) => client.getCharacter(id).name);',
        '}',
        'export function each(): void {',
        '  [1, 2].forEach((id) => {',
        '    client.getCharacter(id);',
        '  });',
        '}',
        'console.log(ricks(), new Repo(client).loadAll([1]));',
        '',
      ].join('\n');
      await writeFile(join(root, 'app.ts'), source);

      const report = await analyzeProject({ cwd: root });
      expect(report.calls.map((call) => `${call.line}:${call.method}:${call.rewrite}`)).toEqual([
        '9:iterateCharacters:for-await',
        '15:handleError:await',
        '15:getCharacter:await',
        '22:getCharacter:await',
        '26:getCharacter:await',
      ]);
      expect(report.attention.map((item) => item.message)).toEqual([
        'arrow function in each is passed to [1, 2].forEach(), which would not await its promise',
      ]);

      const step = await migrate({ cwd: root, scope: { file: 'app.ts' } });
      expect(step.refusal).toEqual([]);
      expect(step.ok).toBe(true);
      expect(step.written).toBe(false);
      expect(await readFile(join(root, 'app.ts'), 'utf8')).toBe(source);
      const after = step.files[0]?.after ?? '';
      expect(after).toContain(
        "  for await (const c of client.iterateCharactersAsync({ name: 'Rick' })) out.push(c.name);",
      );
      expect(after).toContain('export async function ricks(): Promise<string[]> {');
      expect(after).toContain('  async load(id: number): Promise<string> {');
      expect(after).toContain(
        '    return (await rm.handleErrorAsync(() => this.c.getCharacterAsync(id))).name.toUpperCase();',
      );
      expect(after).toContain(
        '    return (await Promise.all(ids.map((id) => this.load(id)))).join();',
      );
      expect(after).toContain(
        '  return Promise.resolve(1).then(async (id) => (await client.getCharacterAsync(id)).name);',
      );
      // forEach would not await: that call stays blocking and is reported.
      expect(after).toContain('    client.getCharacter(id);');
      expect(step.attention.map((item) => item.line)).toEqual([26]);
      expect(after).toContain('console.log(await ricks(), await new Repo(client).loadAll([1]));');
    },
    SLOW,
  );
});

describe('without ts-morph', () => {
  it('tells the user to install it', async () => {
    vi.resetModules();
    vi.doMock('ts-morph', () => {
      throw new Error("Cannot find package 'ts-morph'");
    });
    try {
      const { analyzeProject: analyze } = await import('../src/migrate/index.js');
      await expect(analyze({ cwd: repo })).rejects.toThrow('npm install -D ts-morph');
    } finally {
      vi.doUnmock('ts-morph');
      vi.resetModules();
    }
  });
});
