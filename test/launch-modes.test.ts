/**
 * Every way users run code, with the built package: each launch mode runs the same probe (a
 * blocking twin, an async twin, and three calls at once through `makeAsync(createBlockingTransport())`)
 * against the test server, and must print its answers and exit by itself. A mode where a worker
 * could not start would fail here at once: the probe gives its blocking transport a startup
 * timeout far beyond the test's own.
 *
 * The Node versions are this file run by each Node of the matrix (scripts/node-matrix.sh); Bun and
 * Deno run the probe where they install from the npm registry (`npx -y bun@1`, `npx -y deno@2`),
 * and are skipped, saying so, where they do not.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from './helpers/http-server.js';
import { type NodeRun, runNode } from './helpers/run-node.js';
import { type StagedApp, stageApp } from './helpers/staged-package.js';

let server: TestServer;
let app: StagedApp;

/** What the probe prints: the names each half got. */
const EXPECTED = {
  blocking: 'Rick Sanchez',
  async: 'Character 2',
  pooled: ['Character 3', 'Character 4', 'Character 5'],
};

/** The probe's body, for an async context where `m` is the package's module. */
function probeBody(api: string): string {
  return `
const client = new m.RickMortyClient({ baseUrl: ${JSON.stringify(api)}, retries: 0 });
const blocking = client.getCharacter(1).name;
const async = (await client.getCharacterAsync(2)).name;
const transport = m.makeAsync(m.createBlockingTransport({ startupTimeout: 120000 }));
const onPool = new m.RickMortyClient({ baseUrl: ${JSON.stringify(api)}, transport, retries: 0 });
const pooled = (await Promise.all([3, 4, 5].map((id) => onPool.getCharacterAsync(id)))).map((c) => c.name);
await client.close();
await onPool.close();
await transport.close();
console.log(JSON.stringify({ blocking, async, pooled }));`;
}

const esm = (api: string) =>
  `const m = await import('rickmorty-client');${probeBody(api)}`.replace(/\n/g, ' ');
const cjs = (api: string) =>
  `const m = require('rickmorty-client'); (async () => {${probeBody(api)}})().catch((error) => { console.error(error); process.exitCode = 1; });`.replace(
    /\n/g,
    ' ',
  );

/** The answers a run printed, wherever the runner put them (after a prompt, in a TAP comment). */
function answers(run: NodeRun): unknown {
  const line = [...run.stdout.matchAll(/\{"blocking".*\}/g)].at(-1)?.[0];
  if (!line) {
    throw new Error(
      `No answers (exit ${run.code}${run.hung ? ', hung' : ''})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`,
    );
  }
  return JSON.parse(line);
}

function expectAnswers(run: NodeRun): void {
  expect(run.hung, `did not exit by itself; stderr: ${run.stderr}`).toBe(false);
  expect(answers(run)).toEqual(EXPECTED);
  expect(run.code, run.stderr).toBe(0);
}

beforeAll(async () => {
  [server, app] = await Promise.all([startTestServer(), stageApp()]);
}, 120_000);

afterAll(async () => {
  await server?.close();
  app?.remove();
});

const api = () => `${server.url}/api`;
const inApp = {
  get cwd() {
    return app.dir;
  },
};

describe('Node launch modes', () => {
  test('an ES module file', async () => {
    const file = app.write('probe.mjs', esm(api()));
    expectAnswers(await runNode([file], { cwd: inApp.cwd }));
  });

  test('a CommonJS file (require)', async () => {
    const file = app.write('probe.cjs', cjs(api()));
    expectAnswers(await runNode([file], { cwd: inApp.cwd }));
  });

  test('node -e (CommonJS)', async () => {
    expectAnswers(await runNode(['-e', cjs(api())], { cwd: inApp.cwd }));
  });

  test('node --input-type=module -e', async () => {
    expectAnswers(await runNode(['--input-type=module', '-e', esm(api())], { cwd: inApp.cwd }));
  });

  test('a module on stdin (node --input-type=module < probe)', async () => {
    expectAnswers(await runNode(['--input-type=module'], { cwd: inApp.cwd, stdin: esm(api()) }));
  });

  test('the REPL', async () => {
    // One line: the REPL reads the next line while an `await` of the previous one is pending.
    expectAnswers(await runNode(['--interactive'], { cwd: inApp.cwd, stdin: `${esm(api())}\n` }));
  });

  test('node --import tsx (a TypeScript file)', async () => {
    const file = app.write(
      'probe.ts',
      `import * as m from 'rickmorty-client';\nconst id: number = 1;\nvoid id;\n${probeBody(api())}\n`,
    );
    expectAnswers(await runNode(['--import', 'tsx', file], { cwd: inApp.cwd }));
  });

  test('node --test', async () => {
    const file = app.write(
      'probe.test.mjs',
      `import { test } from 'node:test';\ntest('probe', async () => {\n${esm(api())}\n});\n`,
    );
    const run = await runNode(['--test', '--test-reporter=tap', file], { cwd: inApp.cwd });
    expect(run.hung, run.stderr).toBe(false);
    expect(run.stdout).toContain('# pass 1');
    expect(run.code, run.stdout).toBe(0);
    expect(answers(run)).toEqual(EXPECTED);
  });

  test.each(['threads', 'forks'])(
    "vitest's %s pool",
    async (pool) => {
      const file = app.write(
        `probe-${pool}.test.mjs`,
        `import { test } from 'vitest';\ntest('probe', async () => {\n${esm(api())}\n});\n`,
      );
      const vitest = `${app.dir}/node_modules/vitest/vitest.mjs`;
      // Cleared, so that this vitest does not take itself for a worker of the one running this file.
      const env = { VITEST: '', VITEST_POOL_ID: '', VITEST_WORKER_ID: '', NODE_ENV: '' };
      const run = await runNode(
        [vitest, 'run', `--pool=${pool}`, '--reporter=verbose', '--root', app.dir, file],
        { cwd: inApp.cwd, env, hangGuardMs: 90_000 },
      );
      expect(run.hung, run.stderr).toBe(false);
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(answers(run)).toEqual(EXPECTED);
    },
    120_000,
  );
});

/** A runtime's binary from the npm registry, or why there is none. */
async function registryBinary(spec: string, probe: string[]): Promise<string | Error> {
  try {
    const { stdout } = await promisify(execFile)('npx', ['-y', spec, ...probe], {
      timeout: 120_000,
      env: { ...process.env, NO_UPDATE_NOTIFIER: '1' },
    });
    return stdout.trim();
  } catch (error) {
    return error as Error;
  }
}

describe.each([
  ['Bun', 'bun@1', ['-e', 'console.log(process.execPath)'], (file: string) => [file]],
  [
    'Deno',
    'deno@2',
    ['eval', 'console.log(Deno.execPath())'],
    (file: string) => ['run', '--allow-all', file],
  ],
] as const)('%s', (name, spec, probe, args) => {
  let binary: string | Error;

  beforeAll(async () => {
    binary = await registryBinary(spec, [...probe]);
    if (binary instanceof Error) {
      console.warn(
        `[launch-modes] ${name} did not install from the npm registry (${spec}): its test is skipped. ${binary.message.split('\n')[0]}`,
      );
    }
  }, 150_000);

  test('an ES module file', async (context) => {
    if (binary instanceof Error) return context.skip();
    const file = app.write(`probe-${name.toLowerCase()}.mjs`, esm(api()));
    expectAnswers(await runNode(args(file), { bin: binary, cwd: inApp.cwd, hangGuardMs: 60_000 }));
  }, 90_000);
});
