// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected texts are TypeScript source with template literals in it.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrateAllIn } from '../src/migrate/all.js';
import { Analysis } from '../src/migrate/analysis.js';
import { buildBubbleReport } from '../src/migrate/bubble.js';
import {
  analyzeProject,
  type BubbleNode,
  type BubbleReport,
  formatBubble,
  formatMigrationAll,
  type MigrateAllResult,
  type MigrationResult,
  migrate,
  runMigrateCommand,
} from '../src/migrate/index.js';
import { type OpenProject, openProject } from '../src/migrate/load.js';
import { migrateIn } from '../src/migrate/migrate.js';

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

interface Run {
  readonly entry: string;
  readonly code: number;
  readonly stdout: string;
}

/** Runs the apps in one process (the corpus's runner), each as `node --import tsx main.ts` would. */
async function runPrograms(entries: readonly string[]): Promise<Run[]> {
  const { stdout } = await execute(
    process.execPath,
    [
      join(repo, 'test/helpers/tsx-launcher.mjs'),
      join(repo, 'test/fixtures/migrate-corpus/run-programs.mjs'),
      ...entries,
    ],
    { cwd: repo, timeout: 60_000 },
  );
  return JSON.parse(stdout) as Run[];
}

/** Type errors as tsc reports them, for several copies of the app at once: TypeScript's own API. */
function typeErrors(apps: readonly string[]): string[] {
  const parsed = apps.map((app) => {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(app, 'tsconfig.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    );
    if (!config) throw new Error(`Cannot read ${app}/tsconfig.json`);
    return config;
  });
  const options = parsed[0]?.options ?? {};
  const program = ts.createProgram({
    rootNames: parsed.flatMap((config) => config.fileNames),
    options,
  });
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
  let afterStep1 = '';
  let open: OpenProject;
  let runs: Run[] = [];
  let report: BubbleReport;
  let step1: MigrationResult;
  let step2: MigrationResult;
  let refused: MigrationResult;
  let again: { code: number; out: string; err: string };
  let againKept: MigrationResult;
  let allRest: MigrateAllResult;
  let allAgain: MigrateAllResult;

  beforeAll(async () => {
    app = await copyFixture();
    open = await openProject({ cwd: app, tsconfig: undefined, files: undefined });
    report = buildBubbleReport(new Analysis(open), open.tsconfig);
    // In place, getCharacterName would become async while getNames, outside the step, still maps
    // it into a string[]: refused, and (a dry run) nothing changes, in memory either.
    refused = migrateIn(open, {
      cwd: app,
      scope: { function: 'getCharacterName', upTo: 'getCharacterName' },
      keepBlockingTwins: false,
      write: true,
    });
    step1 = migrateIn(open, {
      cwd: app,
      scope: { function: 'getCharacterName', upTo: 'getNames' },
      write: true,
    });
    afterStep1 = await copyFixture();
    await cp(app, afterStep1, { recursive: true });
    step2 = migrateIn(open, { cwd: app, scope: { function: 'main' }, write: true });
    againKept = migrateIn(open, { cwd: app, scope: { function: 'getCharacterName' }, write: true });
    const cli = memoryIo(app);
    const code = await runMigrateCommand(['--function', 'main', '--write'], cli.io);
    again = { code, out: cli.out(), err: cli.err() };
    // The rest of the program with --all, then --all again on its output.
    allRest = migrateAllIn(open, { write: true });
    allAgain = migrateAllIn(open, { write: true });
    runs = await runPrograms([
      join(fixture, 'main.ts'),
      join(afterStep1, 'main.ts'),
      join(app, 'main.ts'),
    ]);
  }, SLOW);

  it('runs blocking before the migration', () => {
    expect(runs[0]?.stdout).toContain(NAMES);
    expect(runs[0]?.stdout).toContain(EPISODE);
  });

  it('shows the async bubble: the call sites and the chain up to main', () => {
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
  });

  it('refuses a step that would break a caller, and reports the strand and the type errors', async () => {
    expect(refused.ok).toBe(false);
    expect(refused.written).toBe(false);
    expect(refused.strands).toMatchObject([
      { callee: 'getCharacterName', file: 'characters.ts', line: 21, kept: false },
    ]);
    expect(refused.newDiagnostics).toMatchObject([{ file: 'characters.ts', line: 21, code: 2322 }]);
    expect(refused.newDiagnostics[0]?.text).toMatch(
      /^characters\.ts:21:\d+ - error TS2322: Type 'Promise<string>\[\]' is not assignable to type 'string\[\]'/,
    );
    expect(refused.refusal.join('\n')).toContain('getCharacterName has callers outside the step');
    // The diff of the refused change is still there to read.
    expect(refused.diff).toContain(
      '+export async function getCharacterName(id: number): Promise<string> {',
    );
  });

  it('step 1: getCharacterName up to getNames, keeping the blocking versions for main', async () => {
    expect(step1.refusal).toEqual([]);
    expect(step1.ok).toBe(true);
    expect(step1.written).toBe(true);
    expect(step1.newDiagnostics).toEqual([]);
    expect(step1.files.map((file) => file.file)).toEqual(['characters.ts']);
    expect(step1.diff).toContain('--- a/characters.ts\n+++ b/characters.ts\n');
    expect(step1.diff).toContain(
      "+import { handleError, handleErrorAsync, RickMortyClient } from '../../../src/index.js';",
    );
    expect(step1.diff).toContain(
      '+export async function getCharacterNameAsync(id: number): Promise<string> {',
    );
    expect(step1.diff).toContain(
      '+  const character = await handleErrorAsync(() => client.getCharacterAsync(id), { logger: null });',
    );
    expect(step1.diff).toContain(
      '+export async function getNamesAsync(ids: readonly number[]): Promise<string[]> {',
    );
    // getCharacterName logs: running the calls together would reorder what it prints.
    expect(step1.diff).toContain(
      '+  return await mapInOrder(ids, (id) => getCharacterNameAsync(id));',
    );
    expect(step1.forms).toMatchObject([
      {
        file: 'characters.ts',
        line: 21,
        concurrent: false,
        reason: expect.stringMatching(/calls console\.log \(through getCharacterName -> log\)/),
      },
    ]);
    // The blocking originals are untouched, so main keeps working.
    expect(step1.diff).not.toMatch(/^-export function/m);
    expect(step1.converted.map((unit) => [unit.name, unit.mode])).toEqual([
      ['getCharacterName', 'twin'],
      ['getNames', 'twin'],
    ]);
    expect(step1.strands).toMatchObject([
      { caller: 'main', callee: 'getNames', file: 'main.ts', line: 5, kept: true },
    ]);
    expect(runs[1]?.stdout).toBe(runs[0]?.stdout);
    expect(await readFile(join(afterStep1, 'episodes.ts'), 'utf8')).toContain(
      'client.getEpisode(1)',
    );
    expect(await readFile(join(afterStep1, 'main.ts'), 'utf8')).toBe(
      await readFile(join(fixture, 'main.ts'), 'utf8'),
    );
  });

  it('step 2: main, which now awaits getNamesAsync at the top level', async () => {
    expect(step2.refusal).toEqual([]);
    expect(step2.ok).toBe(true);
    expect(step2.files.map((file) => file.file)).toEqual(['main.ts']);
    expect(step2.diff).toContain(
      [
        "-import { getNames } from './characters.js';",
        "+import { getNamesAsync } from './characters.js';",
      ].join('\n'),
    );
    expect(step2.diff).toContain(
      [
        '-function main() {',
        '-  const names = getNames([1, 10, 100]);',
        '+async function main(): Promise<void> {',
        '+  const names = await getNamesAsync([1, 10, 100]);',
      ].join('\n'),
    );
    expect(step2.diff).toContain('-main();\n+await main();\n');
    expect(step2.strands).toEqual([]);
    expect(typeErrors([app, afterStep1])).toEqual([]);
    expect(runs[2]?.stdout).toBe(runs[0]?.stdout);
    // The strand left out of both steps still blocks (until --all, below).
    expect(step2.diff).not.toContain('episodes.ts');
    expect(await readFile(join(afterStep1, 'episodes.ts'), 'utf8')).not.toContain(
      'getEpisodeAsync',
    );
  });

  it('--all migrates the rest, and a second --all has nothing to do', () => {
    expect(allRest.ok).toBe(true);
    expect(allRest.changedFiles.map((file) => file.file).sort()).toEqual([
      'episodes.ts',
      'main.ts',
    ]);
    expect(formatMigrationAll(allRest)).toContain(
      'episodes.ts: changed\n  twin kept: printEpisodeCount: printEpisodeCountAsync added (exported: code outside the project may call it)',
    );
    expect(allAgain).toMatchObject({ ok: true, nothingToDo: true, changedFiles: [] });
    expect(formatMigrationAll(allAgain)).toMatch(
      /Nothing to do: no blocking call is left that can be migrated\.\n$/,
    );
    expect(runs[2]?.stdout).toBe(runs[0]?.stdout);
  });

  it('step 2 again: nothing to do, exit code 0, nothing changed; a kept blocking twin stays', async () => {
    expect(again.code).toBe(0);
    expect(again.out).toBe('');
    expect(again.err).toMatch(
      /Nothing to do: main makes no call of a blocking twin that is not migrated already/,
    );
    expect(again.err).toContain('Migrate the functions it calls first (printEpisodeCount)');
    expect(againKept).toMatchObject({ ok: true, nothingToDo: true, files: [], written: false });
    expect(againKept.notes[0]).toBe(
      'Nothing to do: getCharacterName is the blocking twin kept beside getCharacterNameAsync for the callers that still block.',
    );
    expect(await readFile(join(app, 'characters.ts'), 'utf8')).toContain(
      'export function getCharacterName(id: number): string {\n  log(`getting character with id ${id}`);\n  const character = handleError(() => client.getCharacter(id), { logger: null });',
    );
  });
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

      for (const [argv, message] of [
        [['--frobnicate'], 'Unknown option --frobnicate'],
        [
          ['--all', '--function', 'main'],
          '--all migrates the whole bubble: leave out --function and --file',
        ],
        [['--write'], '--write needs a scope: --function, --file or --all'],
      ] as const) {
        const bad = memoryIo(app);
        expect(await runMigrateCommand(argv, bad.io)).toBe(2);
        expect(bad.err()).toContain(message);
        expect(bad.err()).toContain('Usage: rickmorty migrate');
      }

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
        'function ricks(): string[] {',
        '  const out: string[] = [];',
        "  for (const c of client.iterateCharacters({ name: 'Rick' })) out.push(c.name);",
        '  return out;',
        '}',
        'class Repo {',
        '  constructor(private readonly c: RickMortyClient) {}',
        '  load(id: number) {',
        '    return rm.handleError(() => this.c.getCharacter(id)).name.toUpperCase();',
        '  }',
        '  loadAll(ids: number[]) {',
        '    return ids.map((id) => this.load(id)).join();',
        '  }',
        '}',
        'function later(): Promise<string> {',
        '  return Promise.resolve(1).then((id) => client.getCharacter(id).name);',
        '}',
        'function each(): void {',
        '  [1, 2].forEach((id) => {',
        '    client.getCharacter(id);',
        '  });',
        '}',
        'console.log(ricks(), new Repo(client).loadAll([1]), later(), each());',
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
      expect(report.attention).toEqual([]);

      const step = await migrate({ cwd: root, scope: { file: 'app.ts' } });
      expect(step.refusal).toEqual([]);
      expect(step.ok).toBe(true);
      expect(step.written).toBe(false);
      expect(await readFile(join(root, 'app.ts'), 'utf8')).toBe(source);
      const after = step.files[0]?.after ?? '';
      expect(after).toContain(
        "  for await (const c of client.iterateCharactersAsync({ name: 'Rick' })) out.push(c.name);",
      );
      expect(after).toContain('async function ricks(): Promise<string[]> {');
      expect(after).toContain('  async load(id: number): Promise<string> {');
      expect(after).toContain(
        '    return (await rm.handleErrorAsync(() => this.c.getCharacterAsync(id))).name.toUpperCase();',
      );
      // load's handleError would log each retry: the calls keep their order.
      expect(after).toContain('    return (await mapInOrder(ids, (id) => this.load(id))).join();');
      expect(step.forms[0]?.reason).toMatch(/calls handleError, which logs each retry/);
      expect(after).toContain(
        '  return Promise.resolve(1).then(async (id) => (await client.getCharacterAsync(id)).name);',
      );
      // forEach would not await an async callback: the loop awaits each call in turn instead.
      expect(after).toContain(
        '  await forEachInOrder([1, 2], async (id) => {\n    await client.getCharacterAsync(id);',
      );
      expect(after).toContain('async function forEachInOrder<A extends readonly unknown[]>(');
      expect(step.attention).toEqual([]);
      expect(after).toContain(
        'console.log(await ricks(), await new Repo(client).loadAll([1]), later(), await each());',
      );
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

describe("the migration assistant's own code", () => {
  it('has no function over 120 lines (issue 15, item 11)', async () => {
    const { readdir } = await import('node:fs/promises');
    const dir = join(repo, 'src/migrate');
    const long: string[] = [];
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.ts')) continue;
      const file = join(dir, name);
      const source = ts.createSourceFile(
        file,
        await readFile(file, 'utf8'),
        ts.ScriptTarget.Latest,
        true,
      );
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
          const end = source.getLineAndCharacterOfPosition(node.end).line;
          if (end - start + 1 > 120) long.push(`${name}:${start + 1} ${end - start + 1} lines`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(long).toEqual([]);
  });
});
