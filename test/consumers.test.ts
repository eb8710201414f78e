/**
 * The package as its users get it: built, packed with `npm pack`, installed from the tarball into
 * an app of its own, type-checked there with strict settings, and run against the replica server.
 * Three apps share one install: an ES module app (NodeNext), a CommonJS app (NodeNext, `require`),
 * and an app type-checked with `moduleResolution: bundler`.
 *
 * The package is the run's one build (test/global-setup.ts), copied into a staging copy of the
 * package; the repo's dist/ is never touched.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtPackage } from './helpers/package-build.js';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  files: string[];
  devDependencies: Record<string, string>;
};

const SLOW = 180_000;
const EXPECTED_NAMES = ['Rick Sanchez', 'Alan Rails', 'Bubonic Plague'];

/** Runs a command; on failure the error names the command and carries its whole output. */
async function sh(command: string, args: string[], cwd: string, timeout = SLOW): Promise<string> {
  try {
    const { stdout } = await run(command, args, {
      cwd,
      timeout,
      maxBuffer: 32 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    );
  }
}

const npm = (args: string[], cwd: string) => sh('npm', args, cwd);

/** What each app prints on its last line. */
interface AppResult {
  names: string[];
  requests: number;
  blocking: string;
  resolved: string;
  /** The User-Agent of a blocking and an async request, as a mock transport saw them. */
  userAgents: string[];
  /** Whether `require('rickmorty-client/migrate')` gave the assistant (the CommonJS app only). */
  migrateLoads?: boolean;
}

function lastJsonLine(output: string): AppResult {
  const line = output.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as AppResult;
}

const STRICT = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  // Our declaration files are checked too, as an app without skipLibCheck would.
  skipLibCheck: false,
  forceConsistentCasingInFileNames: true,
  target: 'ES2022',
  lib: ['ES2023'],
  types: ['node'],
};

const ESM_APP = `import { type Character, NotFoundError, RickMortyClient } from 'rickmorty-client';
import { createMockTransport, startReplicaServer } from 'rickmorty-client/testing';

const userAgents: string[] = [];
const mock = createMockTransport({
  respond: (request, next) => {
    userAgents.push(request.headers?.['user-agent'] ?? '(none)');
    return next(request);
  },
});
const viaMock = new RickMortyClient({ transport: mock });
viaMock.getCharacter(1);
await viaMock.getCharacterAsync(2);

const replica = await startReplicaServer();
try {
  const client = new RickMortyClient({ baseUrl: replica.url });
  const trio: Character[] = await client.getCharactersAsync([1, 10, 100]);
  const requests = (await replica.stats()).requests;
  const rick: Character = client.getCharacter(1);
  // The types are real, not \`any\`: a name is not a number.
  // @ts-expect-error
  const wrong: number = rick.name;
  void wrong;
  await client.getCharacterAsync(999_999).catch((error: unknown) => {
    if (!(error instanceof NotFoundError)) throw error;
  });
  await client.close();
  console.log(
    JSON.stringify({
      names: trio.map((c) => c.name),
      requests,
      blocking: rick.name,
      resolved: import.meta.resolve('rickmorty-client'),
      userAgents,
    }),
  );
} finally {
  await replica.close();
}
`;

const CJS_APP = `import rickmorty = require('rickmorty-client');
import migrateEntry = require('rickmorty-client/migrate');
import testing = require('rickmorty-client/testing');

async function main(): Promise<void> {
  const userAgents: string[] = [];
  const mock = testing.createMockTransport({
    respond: (request, next) => {
      userAgents.push(request.headers?.['user-agent'] ?? '(none)');
      return next(request);
    },
  });
  const viaMock = new rickmorty.RickMortyClient({ transport: mock });
  viaMock.getCharacter(1);
  await viaMock.getCharacterAsync(2);
  const replica = await testing.startReplicaServer();
  try {
    const client = new rickmorty.RickMortyClient({ baseUrl: replica.url });
    const trio: rickmorty.Character[] = await client.getCharactersAsync([1, 10, 100]);
    const requests = (await replica.stats()).requests;
    const rick = client.getCharacter(1);
    // @ts-expect-error
    const wrong: number = rick.name;
    void wrong;
    await client.close();
    console.log(
      JSON.stringify({
        names: trio.map((c) => c.name),
        requests,
        blocking: rick.name,
        resolved: require.resolve('rickmorty-client'),
        userAgents,
        // The CommonJS entry of the migration assistant is its ES module, through require(esm).
        migrateLoads: typeof migrateEntry.migrate === 'function',
      }),
    );
  } finally {
    await replica.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;

const BUNDLER_APP = `import { type Character, type Page, RickMortyClient, isNotFoundError } from 'rickmorty-client';
import { type ReplicaServer, startReplicaServer } from 'rickmorty-client/testing';

export async function main(): Promise<string[]> {
  const replica: ReplicaServer = await startReplicaServer();
  const client = new RickMortyClient({ baseUrl: replica.url, batch: { size: 50 } });
  const page: Page<Character> = await client.listCharactersAsync({ status: 'Alive' });
  // @ts-expect-error: not a status the API knows
  await client.listCharactersAsync({ status: 'Sleeping' });
  // @ts-expect-error: exactOptionalPropertyTypes forbids an explicit undefined
  new RickMortyClient({ baseUrl: undefined });
  try {
    await client.getCharacterAsync(0);
  } catch (error) {
    if (!isNotFoundError(error)) throw error;
  }
  await replica.close();
  return page.results.map((c) => c.name);
}
`;

let work: string;
let app: string;
let tarball: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'rickmorty-consumers-'));

  // The run's build in a staging copy of the package, packed as `npm publish` would pack the repo.
  const staging = join(work, 'package');
  mkdirSync(staging);
  cpSync(await builtPackage(), join(staging, 'dist'), { recursive: true });
  for (const entry of ['package.json', ...manifest.files.filter((f) => f !== 'dist')]) {
    if (existsSync(join(ROOT, entry))) {
      cpSync(join(ROOT, entry), join(staging, entry), { recursive: true });
    }
  }
  const packed = JSON.parse(
    await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], staging),
  ) as { filename: string }[];
  tarball = join(work, packed[0]!.filename);

  // One app directory, the package installed from the tarball (its dependencies come from the
  // npm cache that `npm ci` filled, or the registry).
  app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer-app', private: true, type: 'module' }, null, 2),
  );
  await npm(
    [
      'install',
      tarball,
      `@types/node@${manifest.devDependencies['@types/node']}`,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
    ],
    app,
  );
  writeFileSync(join(app, 'src', 'esm.mts'), ESM_APP);
  writeFileSync(join(app, 'src', 'cjs.cts'), CJS_APP);
  writeFileSync(join(app, 'src', 'bundler.ts'), BUNDLER_APP);
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        ...STRICT,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        rootDir: 'src',
        outDir: 'out',
      },
      files: ['src/esm.mts', 'src/cjs.cts'],
    }),
  );
  writeFileSync(
    join(app, 'tsconfig.bundler.json'),
    JSON.stringify({
      compilerOptions: {
        ...STRICT,
        module: 'ESNext',
        moduleResolution: 'bundler',
        noEmit: true,
      },
      files: ['src/bundler.ts'],
    }),
  );
  // The type-checks and the app runs start here, side by side on the two cores; the tests below
  // wait for what each asserts on. `settled` keeps a failure for its test rather than this hook.
  const compile = sh(process.execPath, [TSC, '-p', app], app);
  compiled = settled(compile);
  bundlerChecked = settled(
    sh(process.execPath, [TSC, '-p', join(app, 'tsconfig.bundler.json')], app),
  );
  for (const file of ['esm.mjs', 'cjs.cjs']) {
    ran.set(
      file,
      settled(compile.then(() => sh(process.execPath, [join(app, 'out', file)], app, 60_000))),
    );
  }
}, SLOW);

/** A promise that never rejects: it resolves with the value, or with the error to throw later. */
function settled<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

async function outcome<T>(promise: Promise<{ value: T } | { error: unknown }>): Promise<T> {
  const result = await promise;
  if ('error' in result) throw result.error;
  return result.value;
}

let compiled: Promise<{ value: string } | { error: unknown }>;
let bundlerChecked: Promise<{ value: string } | { error: unknown }>;
const ran = new Map<string, Promise<{ value: string } | { error: unknown }>>();

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package in a consumer app', () => {
  it('is installed from the tarball, not linked to the repo', () => {
    const installed = join(app, 'node_modules', 'rickmorty-client');
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(pkg.version).toBe(manifest.version);
    expect(existsSync(join(installed, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);
  });

  it(
    'type-checks the ES module and CommonJS apps (NodeNext, strict) and compiles them',
    async () => {
      await outcome(compiled);
      expect(existsSync(join(app, 'out', 'esm.mjs'))).toBe(true);
      expect(existsSync(join(app, 'out', 'cjs.cjs'))).toBe(true);
    },
    SLOW,
  );

  it(
    'type-checks the app with moduleResolution bundler',
    async () => {
      await outcome(bundlerChecked);
    },
    SLOW,
  );

  it.each([
    ['ES module (import)', 'esm.mjs'],
    ['CommonJS (require)', 'cjs.cjs'],
  ])(
    'runs the %s app against the replica: three characters in one request, the blocking twin, and the User-Agent of both',
    async (_kind, file) => {
      const result = lastJsonLine(await outcome(ran.get(file)!));
      expect(result.names).toEqual(EXPECTED_NAMES);
      expect(result.requests).toBe(1);
      expect(result.blocking).toBe('Rick Sanchez');
      // The version the build wrote in is package.json's.
      const agent = `rickmorty-client/${manifest.version}`;
      expect(result.userAgents).toEqual([agent, agent]);
      if (file === 'cjs.cjs') expect(result.migrateLoads).toBe(true);
      const resolved = result.resolved.startsWith('file:')
        ? fileURLToPath(result.resolved)
        : result.resolved;
      expect(resolved.startsWith(join(app, 'node_modules', 'rickmorty-client') + sep)).toBe(true);
    },
    SLOW,
  );
});
