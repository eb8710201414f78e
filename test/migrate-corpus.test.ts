// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected texts are TypeScript source with template literals in it.
/**
 * The migration assistant against a corpus of legacy programs of many shapes
 * (test/fixtures/migrate-corpus): each runs before and after `rickmorty migrate --all --write`
 * and must print the same, in the same order, and exit the same; a second run must change
 * nothing. Single steps (`--function`, `--up-to`, `--in-place`) run on a second copy.
 *
 * Cost: the project is parsed once (one ts-morph project for every step, both `--all` runs
 * included), and the programs run in two processes (fixtures/migrate-corpus/run-programs.mjs runs
 * them one after another with tsx and the library loaded once): about 10 s on a quiet machine.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAllIn } from '../src/migrate/all.js';
import { formatMigrationAll } from '../src/migrate/cli.js';
import { type OpenProject, openProject } from '../src/migrate/load.js';
import { migrateIn } from '../src/migrate/migrate.js';
import type { MigrateAllResult, MigrationResult } from '../src/migrate/types.js';

const execute = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const CORPUS = 'test/fixtures/migrate-corpus';
const SLOW = 120_000;

/** Every program of the corpus, by folder; each runs as `<folder>/main.ts`. */
const PROGRAMS = [
  'article',
  'async-mixed',
  'callbacks',
  'cjs-entry',
  'cjs-modules',
  'classes',
  'closure',
  'commonjs',
  'cross-file',
  'ctor-init',
  'default-params',
  'errors-caught',
  'errors-exit',
  'event-handlers',
  'exported-object',
  'getter-caller',
  'getters-fields',
  'handle-ref',
  'iife-top',
  'interfaces',
  'iterators',
  'library-exports',
  'module-order',
  'multi-file',
  'object-literal',
  'recursion',
  'replica',
  'retry-helper',
  'shared-state',
  'then-chain',
  'with-timing',
] as const;
const ENTRIES = [
  ...PROGRAMS.map((name) => `${name}/main.ts`),
  'library-exports/outside/consumer.ts',
];

interface Run {
  readonly entry: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly error: string | undefined;
}

const temporary: string[] = [];

/**
 * A copy of the corpus at the same depth as in the repo, beside links to the repo's src and
 * node_modules and a package.json like the repo's, so that `../../../../src/index.js` and tsx
 * resolve as at home.
 */
async function copyCorpus(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'rickmorty-corpus-'));
  temporary.push(root);
  const corpus = join(root, CORPUS);
  await mkdir(join(root, 'test/fixtures'), { recursive: true });
  await cp(join(repo, CORPUS), corpus, { recursive: true });
  await symlink(join(repo, 'src'), join(root, 'src'), 'dir');
  await symlink(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  await writeFile(
    join(root, 'package.json'),
    JSON.stringify({ name: 'rickmorty-client', private: true, type: 'module' }),
  );
  return corpus;
}

/** Runs programs (absolute paths) in one process; see run-programs.mjs. */
async function runPrograms(entries: readonly string[]): Promise<Run[]> {
  const { stdout } = await execute(
    process.execPath,
    [
      join(repo, 'test/helpers/tsx-launcher.mjs'),
      join(repo, CORPUS, 'run-programs.mjs'),
      ...entries,
    ],
    { cwd: repo, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Run[];
}

function outcome(run: Run | undefined): Pick<Run, 'code' | 'stdout' | 'error'> | undefined {
  return run && { code: run.code, stdout: run.stdout, error: run.error };
}

afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.sequential('the corpus, migrated whole with --all', () => {
  let corpus = '';
  let steps = '';
  let open: OpenProject;
  let all: MigrateAllResult;
  let second: MigrateAllResult;
  const before = new Map<string, Run>();
  const after = new Map<string, Run>();
  const single = new Map<string, MigrationResult>();
  const text = (file: string): Promise<string> => readFile(join(corpus, file), 'utf8');

  beforeAll(async () => {
    [corpus, steps] = await Promise.all([copyCorpus(), copyCorpus()]);
    const [runs, opened] = await Promise.all([
      runPrograms(ENTRIES.map((entry) => join(corpus, entry))),
      openProject({ cwd: corpus, tsconfig: undefined, files: undefined }),
    ]);
    open = opened;
    for (const run of runs) before.set(run.entry.slice(corpus.length + 1), run);
    // Single steps first, as dry runs on the same project: their files go to the second copy.
    const step = (name: string, options: Parameters<typeof migrateIn>[1]): MigrationResult => {
      const result = migrateIn(open, { cwd: corpus, ...options, write: false });
      single.set(name, result);
      return result;
    };
    const written: Promise<void>[] = [];
    const keep = (result: MigrationResult): void => {
      for (const file of result.files) written.push(writeFile(join(steps, file.file), file.after));
    };
    keep(step('Lookup.name up to label', { scope: { function: 'Lookup.name', upTo: 'label' } }));
    step('lib in place', {
      scope: { function: 'library-exports/lib.ts:7' },
      keepBlockingTwins: false,
    });
    step('nameOf in place', {
      scope: { function: 'errors-exit/main.ts:7', upTo: 'errors-exit/main.ts:7' },
      keepBlockingTwins: false,
    });
    await Promise.all(written);
    all = migrateAllIn(open, { write: true });
    const later = await runPrograms([
      ...ENTRIES.map((entry) => join(corpus, entry)),
      join(steps, 'cross-file/main.ts'),
    ]);
    for (const run of later) {
      const key = run.entry.startsWith(steps)
        ? `steps:${run.entry.slice(steps.length + 1)}`
        : run.entry.slice(corpus.length + 1);
      after.set(key, run);
    }
    second = migrateAllIn(open, { write: true });
  }, SLOW);

  it('ran every program before', () => {
    expect([...before.keys()].sort()).toEqual([...ENTRIES].sort());
    expect(before.get('article/main.ts')?.stdout).toContain(
      'Rick Sanchez, Alan Rails, Bubonic Plague',
    );
    expect(before.get('commonjs/main.ts')?.code).toBe(4);
    expect(before.get('cjs-entry/main.ts')).toMatchObject({
      code: 1,
      error: expect.stringContaining('NotFoundError'),
    });
  });

  it.each(ENTRIES)('%s prints the same, in the same order, and exits the same', (entry) => {
    expect(outcome(after.get(entry))).toEqual(outcome(before.get(entry)));
  });

  it('changed every program it could, and says what stays blocking and why', () => {
    const changed = new Set(all.changedFiles.map((file) => file.file.split('/')[0]));
    const unchanged = ['getters-fields', 'module-order', 'cjs-modules', 'closure', 'then-chain'];
    for (const name of PROGRAMS) expect(changed.has(name), name).toBe(!unchanged.includes(name));
    // then-chain leaves a promise chain running while it blocks: refused, and says why.
    expect(all.ok).toBe(false);
    expect(
      all.steps
        .filter((step) => step.status === 'refused')
        .map((step) => [step.file, step.refusal]),
    ).toEqual([
      [
        'then-chain/main.ts',
        [
          expect.stringMatching(
            /^The program already leaves work running while it goes on \(Promise\.resolve\(1\).* at then-chain\/main\.ts:\d+\): an await added by this step would let it run in between/,
          ),
        ],
      ],
    ]);
    const getters = all.files.find((file) => file.file === 'getters-fields/main.ts');
    expect(getters?.status).toBe('unchanged');
    expect(getters?.attention.join('\n')).toMatch(/class field initializer cannot await/);
    expect(getters?.attention.join('\n')).toMatch(/getter or setter cannot be async/);
    const attention = all.attention.map((item) => `${item.file}:${item.line} ${item.message}`);
    expect(attention).toEqual(
      expect.arrayContaining([
        // Top-level await would let banner.ts run before config.ts is done.
        expect.stringMatching(
          /^module-order\/config\.ts:8 getCharacter\(\) stays blocking: the top level of module-order\/config\.ts is imported by module-order\/main\.ts: top-level await there would let the modules imported beside it run before it finishes$/,
        ),
        // A CommonJS module wrapped in an async function would finish after require() returned.
        expect.stringMatching(
          /^cjs-modules\/lib\.ts:8 getCharacter\(\) stays blocking: .*imported by cjs-modules\/main\.ts: its top level, wrapped in an async function, would run after the importer goes on\)$/,
        ),
        // `maybe?.map(...)` gives undefined for no array: not a plain Array#map.
        expect.stringMatching(
          /^errors-caught\/main\.ts:24 getCharacter\(\) stays blocking: .*passed to maybe\?\.map\(\)/,
        ),
      ]),
    );
    const summary = formatMigrationAll(all);
    expect(summary).toMatch(
      /^getters-fields\/main\.ts: unchanged\n {2}stays blocking: 8:\d+ getCharacter\(\) stays blocking/m,
    );
    expect(summary).toMatch(
      /^Results: steps \d+ migrated, 1 refused, \d+ left blocking; files \d+ changed, 1 refused, \d+ unchanged\.$/m,
    );
  });

  it('a second run changes nothing, and refuses again only what it refused', async () => {
    expect(second.changedFiles).toEqual([]);
    expect(second.steps.every((step) => step.status !== 'migrated')).toBe(true);
    expect(
      second.steps.filter((step) => step.status === 'refused').map((step) => step.file),
    ).toEqual(['then-chain/main.ts']);
    expect(await text('article/main.ts')).toBe(
      all.changedFiles.find((f) => f.file === 'article/main.ts')?.after,
    );
  });

  it('runs a .map concurrently only when nothing its callback does could tell (class 3)', async () => {
    const forms = all.forms.map(
      (form) =>
        `${form.file}:${form.line} ${form.concurrent ? 'concurrent' : 'in order'}: ${form.reason}`,
    );
    expect(forms).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^article\/main\.ts:19 in order: the callback calls console\.log \(through getCharacterName -> log\)/,
        ),
        expect.stringMatching(
          /^shared-state\/main\.ts:19 in order: the callback writes fetched \(through countedName\)/,
        ),
        expect.stringMatching(
          /^shared-state\/main\.ts:21 in order: the callback changes seen \(push\)/,
        ),
        expect.stringMatching(/^shared-state\/main\.ts:27 concurrent/),
        expect.stringMatching(/^shared-state\/main\.ts:32 in order: it runs inside the try block/),
        expect.stringMatching(
          /^shared-state\/main\.ts:36 in order: the callback calls console\.log/,
        ),
        expect.stringMatching(/^classes\/main\.ts:23 in order: the callback writes this\.#loaded/),
        expect.stringMatching(/^replica\/main\.ts:15 concurrent/),
        // The try that catches is two callers up.
        expect.stringMatching(
          /^errors-caught\/main\.ts:10 in order: it runs inside the try block at errors-caught\/main\.ts:18/,
        ),
      ]),
    );
    // The independent ones really run together: at the replica server and the mock transport.
    expect(before.get('replica/main.ts')?.stderr).toContain('max in flight: 1');
    expect(after.get('replica/main.ts')?.stderr).toContain('max in flight: 3');
    expect(after.get('shared-state/main.ts')?.stderr).toContain('max in flight: 3');
    const shared = await text('shared-state/main.ts');
    expect(shared).toContain('await Promise.all([6, 7, 8].map((id) => plainName(id)))');
    expect(shared).toContain('await mapInOrder([1, 2, 3], (id) => countedName(id))');
  });

  it('never makes a callback async where its promise would not be awaited (class 2)', async () => {
    const callbacks = await text('callbacks/main.ts');
    for (const helper of [
      'filterInOrder',
      'someInOrder',
      'everyInOrder',
      'findInOrder',
      'findIndexInOrder',
      'reduceInOrder',
      'forEachInOrder',
    ]) {
      expect(callbacks, helper).toContain(`await ${helper}(`);
    }
    expect(callbacks).not.toMatch(
      /\.(filter|some|every|find|findIndex|reduce|forEach|sort)\(async/,
    );
    // The comparator cannot be awaited: it keeps the blocking status, which stays beside statusAsync.
    expect(callbacks).toContain(
      '[...ids].sort((a, b) => status(a).localeCompare(status(b)) || a - b)',
    );
    expect(callbacks).toMatch(
      /\nfunction status\(id: number\): string \{\n {2}return client\.getCharacter\(id\)\.status;/,
    );
    const events = await text('event-handlers/main.ts');
    expect(events).toContain(
      "events.on('character', (id: number) => {\n  console.log(`event: ${nameOf(id)}`);",
    );
    const twins = all.files.find((file) => file.file === 'callbacks/main.ts')?.twins ?? [];
    expect(twins).toEqual([
      expect.stringMatching(
        /^status: statusAsync added \(.*passed to \[\.\.\.ids\]\.sort\(\), which would not await its promise\)$/,
      ),
    ]);
  });

  it('keeps exported functions beside their async twins, for callers it cannot see (class 4)', async () => {
    const lib = await text('library-exports/lib.ts');
    expect(lib).toContain(
      'export function getCharacterName(id: number): string {\n  return client.getCharacter(id).name;',
    );
    expect(lib).toContain(
      'export async function getCharacterNameAsync(id: number): Promise<string> {',
    );
    expect(lib).toContain(
      'export const getEpisodeName = (id: number): string => client.getEpisode(id).name;',
    );
    expect(lib).toContain(
      'export const getEpisodeNameAsync = async (id: number): Promise<string> =>',
    );
    const inPlace = single.get('lib in place');
    expect(inPlace?.ok).toBe(true);
    expect(inPlace?.exportsChanged.map((c) => `${c.name}: ${c.before} -> ${c.after}`)).toEqual([
      'getCharacterName: string -> Promise<string>',
    ]);
    expect(inPlace?.diff).toContain(
      '+export async function getCharacterName(id: number): Promise<string> {',
    );
  });

  it('keeps the order and the exit code of a CommonJS top level (class 5)', async () => {
    const commonjs = await text('commonjs/main.ts');
    expect(commonjs).toContain("(async () => {\n  await main();\n  console.log('after main');");
    expect(commonjs).toContain('  process.exitCode = 4;\n})().catch((error: unknown) => {');
    expect(commonjs).not.toMatch(/\bvoid /);
    expect(await text('cjs-entry/main.ts')).toContain(
      'main().catch((error: unknown) => {\n  process.nextTick(() => {\n    throw error;',
    );
    expect(await text('article/main.ts')).toContain('\nawait main();\n');
  });

  it('gives callback-taking helpers an async sibling and leaves their other callers alone (class 7)', async () => {
    const retry = await text('retry-helper/main.ts');
    expect(retry).toContain(
      'async function handleErrorsAsync<T>(fn: () => T | PromiseLike<T>, retries = 2): Promise<T> {',
    );
    expect(retry).toContain('    return await fn();');
    expect(retry).toContain(
      '    if (retries > 0) return await handleErrorsAsync(fn, retries - 1);',
    );
    expect(retry).toContain('  const name = await handleErrorsAsync(() => fetchName(id));');
    expect(retry).toContain('  log(`the answer is ${handleErrors(() => 6 * 7)}`);');
    const timing = await text('with-timing/main.ts');
    expect(timing).toContain(
      'async function withTimingAsync<T>(label: string, fn: () => T | PromiseLike<T>): Promise<T> {',
    );
    expect(timing).toContain(
      'const tracedAsync = async <T>(label: string, fn: () => T | PromiseLike<T>): Promise<T> => {',
    );
    expect(timing).toContain("  console.log(withTiming('sum', () => 1 + 2));");
  });

  it('changes an interface with every implementation (class 8)', async () => {
    const sources = await text('interfaces/sources.ts');
    expect(sources).toContain(
      '  nameOf(id: number): string;\n  nameOfAsync(id: number): Promise<string>;',
    );
    expect(sources).toContain('  abstract nameOfAsync(id: number): Promise<string>;');
    expect(sources).toContain(
      '  override async nameOfAsync(id: number): Promise<string> {\n    return (await this.#client.getCharacterAsync(id)).name;',
    );
    expect(sources).toContain(
      '  override async nameOfAsync(id: number): Promise<string> {\n    return `fixed ${id}`;',
    );
    expect(await text('interfaces/main.ts')).toContain('console.log(await source.nameOfAsync(id))');
  });

  it('moves a blocking default parameter into the body (class 9)', async () => {
    const defaults = await text('default-params/main.ts');
    expect(defaults).toContain(
      'async function greet(\n  id: number,\n  name?: string,\n  greeting?: string,\n): Promise<string> {\n  if (name === undefined) name = (await client.getCharacterAsync(id)).name;\n  if (greeting === undefined) greeting = `Hello ${name}`;',
    );
    expect(defaults).toContain(
      'const episodeLine = async (id: number, title?: string): Promise<string> => {\n  if (title === undefined) title = (await client.getEpisodeAsync(id)).name;\n  return `${id}: ${title}`;\n};',
    );
  });

  it('keeps a blocking twin for a caller outside the step, across files (class 1)', () => {
    const step = single.get('Lookup.name up to label');
    expect(step?.ok).toBe(true);
    // label.ts spans the offsets of Lookup.name in lookup.ts: only the file tells they are apart.
    expect(step?.converted.map((unit) => [unit.name, unit.mode, unit.reason])).toEqual([
      ['Lookup.name', 'twin', 'called by the blocking label'],
      ['label', 'twin', 'called by main, outside the step'],
      ['arrow function in main', 'in-place', undefined],
      ['main', 'in-place', undefined],
    ]);
    expect(outcome(after.get('steps:cross-file/main.ts'))).toEqual(
      outcome(before.get('cross-file/main.ts')),
    );
    // And a callback of main.ts spans the offsets of log in log.ts: log still counts as the
    // console output it is, and the map keeps its order.
    expect(all.forms).toContainEqual(
      expect.objectContaining({ file: 'cross-file/main.ts', concurrent: false }),
    );
  });

  it('refuses an in-place step that would leave a caller behind, and writes nothing', () => {
    const step = single.get('nameOf in place');
    expect(step?.ok).toBe(false);
    expect(step?.written).toBe(false);
    expect(step?.refusal.join('\n')).toContain('nameOf has callers outside the step');
    expect(step?.strands.map((strand) => strand.caller)).toEqual(['main', 'main']);
  });
});
