import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { generateDataset } from '../src/testing/dataset.js';
import { type ReplicaServer, startReplicaServer } from '../src/testing/replica-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NAMES = ['Rick Sanchez', 'Alan Rails', 'Bubonic Plague'];

function collector(isTTY = false) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let server: ReplicaServer;

/** Runs the CLI in-process against the test's replica. */
async function cli(
  args: string[],
  options: { tty?: boolean; env?: Record<string, string>; baseUrl?: boolean } = {},
): Promise<Run> {
  const stdout = collector();
  const stderr = collector(options.tty ?? false);
  const argv = options.baseUrl === false ? args : ['--base-url', server.url, ...args];
  const code = await runCli(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: options.env ?? {},
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

beforeAll(async () => {
  server = await startReplicaServer();
});

afterAll(async () => {
  await server?.close();
});

describe('rickmorty character', () => {
  it('prints one name a line, in the order asked', async () => {
    const run = await cli(['character', '1', '10', '100']);
    expect(run).toEqual({ code: 0, stdout: `${NAMES.join('\n')}\n`, stderr: '' });
  });

  it('prints the records with --json', async () => {
    const run = await cli(['character', '1', '10', '100', '--json']);
    expect(run.code).toBe(0);
    const records = JSON.parse(run.stdout) as { id: number; name: string }[];
    expect(records.map(({ id, name }) => [id, name])).toEqual([
      [1, 'Rick Sanchez'],
      [10, 'Alan Rails'],
      [100, 'Bubonic Plague'],
    ]);
  });

  it('gives the same output with the blocking twins', async () => {
    const asyncRun = await cli(['character', '1', '10', '100', '--json']);
    const blockingRun = await cli(['--blocking', 'character', '1', '10', '100', '--json']);
    expect(blockingRun).toEqual(asyncRun);
  });

  it('reads the base URL from RICKMORTY_BASE_URL', async () => {
    const run = await cli(['character', '1'], {
      baseUrl: false,
      env: { RICKMORTY_BASE_URL: server.url },
    });
    expect(run).toEqual({ code: 0, stdout: 'Rick Sanchez\n', stderr: '' });
  });

  it('prints episodes and locations too', async () => {
    expect((await cli(['episode', '1'])).stdout).toBe('S01E01 Pilot\n');
    expect((await cli(['location', '1'])).stdout).toBe('Earth (C-137)\n');
  });
});

describe('rickmorty characters', () => {
  const data = generateDataset();
  const dead = data.characters.filter((character) => character.status === 'Dead');

  it('reads every page that matches with --all', async () => {
    const run = await cli(['characters', '--all', '--status', 'dead', '--json']);
    expect(run.code).toBe(0);
    const records = JSON.parse(run.stdout) as { id: number; status: string }[];
    expect(records).toHaveLength(dead.length);
    expect(new Set(records.map((record) => record.id))).toEqual(
      new Set(dead.map((record) => record.id)),
    );
  });

  it('gives the same records with the blocking twins', async () => {
    const asyncRun = await cli(['characters', '--all', '--status', 'dead']);
    const blockingRun = await cli(['characters', '--all', '--status', 'dead', '--blocking']);
    expect(asyncRun.code).toBe(0);
    expect(asyncRun.stdout.trimEnd().split('\n')).toHaveLength(dead.length);
    expect(blockingRun).toEqual(asyncRun);
  });

  it('reads one page with --page, and the first by default', async () => {
    const second = await cli(['characters', '--page', '2', '--json']);
    const ids = (JSON.parse(second.stdout) as { id: number }[]).map((record) => record.id);
    expect(ids).toEqual(data.characters.slice(20, 40).map((record) => record.id));
    const first = await cli(['characters']);
    expect(first.stdout.trimEnd().split('\n')).toEqual(
      data.characters.slice(0, 20).map((record) => record.name),
    );
    expect(first.stderr).toContain('page 1 of');
  });

  it('draws a progress bar on a terminal, and clears it', async () => {
    const run = await cli(['characters', '--all'], { tty: true });
    expect(run.code).toBe(0);
    const total = data.characters.length;
    expect(run.stderr).toMatch(new RegExp(`\\r\\[[#.]{20}\\] \\d+/${total}`));
    expect(run.stderr).toContain(`[${'#'.repeat(20)}] ${total}/${total}`);
    // Cleared: the last thing written blanks the line and returns to its start.
    expect(run.stderr).toMatch(/\r +\r$/);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(total);
  });

  it('draws no bar when stderr is not a terminal', async () => {
    const run = await cli(['characters', '--all']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('lists episodes with a filter', async () => {
    const run = await cli(['episodes', '--all', '--episode', 'S01E01', '--json']);
    expect((JSON.parse(run.stdout) as { name: string }[]).map((record) => record.name)).toEqual([
      'Pilot',
    ]);
  });
});

describe('errors and exit codes', () => {
  it('exits 1 with the message when the API answers 404', async () => {
    const run = await cli(['character', '9999']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `rickmorty: Request failed with status 404 Not Found: GET ${server.url}/character/9999 (Character not found)\n`,
    );
  });

  it('exits 1 the same way from the blocking twins', async () => {
    const run = await cli(['--blocking', 'character', '9999']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('404 Not Found');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('exits 2 with the library message for a bad id', async () => {
    const run = await cli(['character', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Expected `id` to be a positive integer, got 0');
    expect(run.stderr).toContain("Run 'rickmorty character --help' for usage.");
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect((await cli(['character', '1', 'abc'])).code).toBe(2);
  });

  it('exits 2 for an unknown command, option or filter value', async () => {
    const unknown = await cli(['charactr', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command 'charactr'");
    expect(unknown.stderr).toContain('--help');
    expect((await cli(['characters', '--colour', 'red'])).code).toBe(2);
    expect((await cli(['characters', '--status', 'sleeping'])).code).toBe(2);
    expect((await cli(['characters', '--all', '--page', '2'])).code).toBe(2);
    expect((await cli(['character'])).code).toBe(2);
    expect((await cli([], { baseUrl: false })).code).toBe(2);
  });

  it('shows the stack with --debug', async () => {
    const run = await cli(['--debug', 'character', '9999']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^\s+at /m);
  });

  it('hands `migrate` and its arguments to the migration tool', async () => {
    const run = await cli(['migrate', '--help'], { baseUrl: false });
    expect(run.stderr).not.toContain('Unknown command');
    expect(run.stderr).not.toContain('Unknown option');
  });

  it('prints help and the version', async () => {
    const help = await cli(['--help'], { baseUrl: false });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: rickmorty <command> [options]');
    const commandHelp = await cli(['characters', '--help'], { baseUrl: false });
    expect(commandHelp.stdout).toContain('Usage: rickmorty characters');
    const version = await cli(['--version'], { baseUrl: false });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('rickmorty serve', () => {
  it('stops in-process when its signal aborts', async () => {
    const stdout = collector();
    const stderr = collector();
    const controller = new AbortController();
    const done = runCli(['serve', '--port', '0'], {
      stdout: stdout.stream,
      stderr: stderr.stream,
      env: {},
      signal: controller.signal,
    });
    // Poll for the URL: the server starts on a worker thread.
    while (!stdout.text().includes('\n')) await new Promise((wake) => setTimeout(wake, 10));
    const url = stdout.text().trim();
    const response = await fetch(`${url}/character/10`);
    expect(((await response.json()) as { name: string }).name).toBe('Alan Rails');
    controller.abort();
    expect(await done).toBe(0);
  });

  it('serves as a child process until SIGTERM, then exits cleanly', {
    timeout: 60_000,
  }, async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--port', '0'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // A hang guard, not a timing check.
    const guard = setTimeout(() => child.kill('SIGKILL'), 50_000);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((done) =>
      child.on('close', (code, signal) => done([code, signal])),
    );
    try {
      const lines = createInterface({ input: child.stdout });
      const [url] = (await lines[Symbol.asyncIterator]().next()).value.split(/\s/) as [string];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
      const response = await fetch(`${url}/character/1`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { name: string }).name).toBe('Rick Sanchez');
      child.kill('SIGTERM');
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(stderr).toContain('SIGTERM, stopping');
    } finally {
      clearTimeout(guard);
      child.kill('SIGKILL');
    }
  });
});

describe("a new user's first hour", () => {
  /** A stdout whose reader goes away after `lines` lines, as `| head -n lines` does. */
  function closingAfter(lines: number) {
    let written = 0;
    let text = '';
    const stream = new Writable({
      write(chunk, _encoding, done) {
        if (written++ >= lines) {
          done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
          return;
        }
        text += String(chunk);
        done();
      },
    });
    return { stream, text: () => text };
  }

  it.each([false, true])(
    'exits 0, quietly, when its output is closed early (blocking: %s)',
    async (blocking) => {
      const stdout = closingAfter(3);
      const stderr = collector();
      const code = await runCli(
        ['--base-url', server.url, 'characters', '--all', ...(blocking ? ['--blocking'] : [])],
        { stdout: stdout.stream, stderr: stderr.stream, env: {} },
      );
      expect(code).toBe(0);
      expect(stdout.text().split('\n')).toHaveLength(4);
      expect(stderr.text()).toBe('');
    },
  );

  it('exits 0 as a process when `| head` closes its output', { timeout: 60_000 }, async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/index.ts',
        '--base-url',
        server.url,
        'characters',
        '--all',
        '--json',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const guard = setTimeout(() => child.kill('SIGKILL'), 50_000);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((done) =>
      child.on('close', (code, signal) => done([code, signal])),
    );
    try {
      // The first chunk of a long answer, then the reader goes away, as `head` does.
      await new Promise((resolve) => child.stdout.once('data', resolve));
      child.stdout.destroy();
      const [code, signal] = await exited;
      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    } finally {
      clearTimeout(guard);
      child.kill('SIGKILL');
    }
  });

  it('wipes its progress bar and exits 130 when interrupted', { timeout: 60_000 }, async () => {
    const slow = await startReplicaServer({ latencyMs: 200 });
    try {
      const stdout = collector();
      const stderr = collector(true);
      const controller = new AbortController();
      const done = runCli(['--base-url', slow.url, 'characters', '--all', '--status', 'alive'], {
        stdout: stdout.stream,
        stderr: stderr.stream,
        env: {},
        signal: controller.signal,
      });
      // Interrupted once the bar is on the screen, with pages still to come.
      while (!stderr.text().includes('[')) await new Promise((wake) => setTimeout(wake, 10));
      controller.abort();
      expect(await done).toBe(130);
      expect(stderr.text()).toMatch(/\r +\rrickmorty: interrupted\n$/);
      expect(stdout.text()).toBe('');
    } finally {
      await slow.close();
    }
  });

  it('exits 130 as a process on Ctrl+C (SIGINT)', { timeout: 60_000 }, async () => {
    const slow = await startReplicaServer({ latencyMs: 5_000 });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', '--base-url', slow.url, 'characters', '--all'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const guard = setTimeout(() => child.kill('SIGKILL'), 50_000);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((done) =>
      child.on('close', (code, signal) => done([code, signal])),
    );
    try {
      // Interrupted while its first request is in flight.
      while ((await slow.stats()).inFlight === 0) await new Promise((wake) => setTimeout(wake, 20));
      child.kill('SIGINT');
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 130, signal: null });
      expect(stderr).toBe('rickmorty: interrupted\n');
    } finally {
      clearTimeout(guard);
      child.kill('SIGKILL');
      await slow.close();
    }
  });

  it('takes words such as `constructor` for unknown commands and topics', async () => {
    for (const word of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      for (const args of [[word], [word, '1'], ['help', word], ['--help', word]]) {
        const run = await cli(args);
        expect(run.code, args.join(' ')).toBe(2);
        expect(run.stderr, args.join(' ')).toContain(`Unknown command '${word}'`);
      }
    }
  });

  it('says so when a result is empty', async () => {
    for (const args of [
      ['characters', '--name', 'nobody-has-this-name'],
      ['characters', '--all', '--name', 'nobody-has-this-name'],
    ]) {
      const run = await cli(args);
      expect(run, args.join(' ')).toEqual({
        code: 0,
        stdout: '',
        stderr: 'rickmorty: no characters match\n',
      });
    }
    const json = await cli(['episodes', '--all', '--name', 'nothing-at-all', '--json']);
    expect(json).toEqual({ code: 0, stdout: '[]\n', stderr: 'rickmorty: no episodes match\n' });
  });

  it.each([false, true])(
    'hints at /api when the base URL answers 404 at its root (blocking: %s)',
    async (blocking) => {
      const origin = server.url.replace(/\/api$/, '');
      const run = await cli(
        [...(blocking ? ['--blocking'] : []), 'character', '1', '--base-url', origin],
        {
          baseUrl: false,
        },
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`rickmorty: ${origin} answers 404 at its root`);
      expect(run.stderr).toContain(`try --base-url ${origin}/api`);
      // A record that does not exist on the right base URL gets no such hint.
      expect((await cli(['character', '9999'])).stderr).not.toContain('at its root');
    },
  );
});
