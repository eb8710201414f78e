import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type BlockingDetector,
  type BlockingReport,
  createBlockingDetector,
} from '../src/client/blocking-detector.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const detectorUrl = pathToFileURL(join(repo, 'src/client/blocking-detector.ts')).href;

/** The line this function is called from, read the same way the detector reads stacks. */
function lineHere(): number {
  const frame = new Error().stack?.split('\n')[2] ?? '';
  return Number(/:(\d+):\d+\)?$/.exec(frame)?.[1]);
}

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Holds the thread, as a blocking request does.
  }
}

/** A client in miniature: each blocking twin runs its body through the detector, as the real one will. */
class FakeClient {
  constructor(
    private readonly detector: BlockingDetector,
    private readonly blockFor = 0,
  ) {}

  getCharacter(id: number): { id: number; name: string } {
    return this.detector.run('getCharacter', 'getCharacterAsync', () => {
      busyWait(this.blockFor);
      return { id, name: 'Rick Sanchez' };
    });
  }

  getCharacters(ids: number[]): { id: number; name: string }[] {
    return this.detector.run('getCharacters', 'getCharactersAsync', () =>
      ids.map((id) => this.getCharacter(id)),
    );
  }

  failing(): never {
    return this.detector.run('failing', 'failingAsync', () => {
      busyWait(this.blockFor);
      throw new Error('request failed');
    });
  }
}

function collecting(options: { thresholdMs?: number } = {}): {
  reports: BlockingReport[];
  detector: BlockingDetector;
} {
  const reports: BlockingReport[] = [];
  const detector = createBlockingDetector({
    ...options,
    onReport: (report) => reports.push(report),
  });
  return { reports, detector };
}

describe('createBlockingDetector', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('names the call site of a blocking call made inside an async function', async () => {
    const { reports, detector } = collecting();
    const client = new FakeClient(detector);
    async function app(): Promise<[string, number]> {
      await Promise.resolve();
      return [client.getCharacter(1).name, lineHere()];
    }
    const [name, line] = await app();
    expect(name).toBe('Rick Sanchez');
    const found = reports.filter((report) => report.kind === 'async-context');
    expect(found).toHaveLength(1);
    const [report] = found;
    expect(report?.method).toBe('getCharacter');
    expect(report?.asyncTwin).toBe('getCharacterAsync');
    expect(report?.context).toBe('promise');
    expect(report?.callSite?.file).toBe('test/blocking-detector.test.ts');
    expect(report?.callSite?.line).toBe(line);
    expect(report?.location).toMatch(
      new RegExp(`^test/blocking-detector\\.test\\.ts:${line}:\\d+$`),
    );
    expect(report?.message).toBe(
      `Blocking call getCharacter() inside an async context at ${report?.location}; use await getCharacterAsync() instead`,
    );
  });

  it('warns on the console by default', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const client = new FakeClient(createBlockingDetector());
    await new Promise((resolve) => setTimeout(resolve, 0));
    client.getCharacter(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /^Blocking call getCharacter\(\) inside an async context at test\/blocking-detector\.test\.ts:\d+:\d+; use await getCharacterAsync\(\) instead$/,
    );
  });

  it('reports a blocking call in a timer callback', async () => {
    const { reports, detector } = collecting();
    const client = new FakeClient(detector);
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        client.getCharacter(1);
        resolve();
      }, 0),
    );
    expect(reports.map((report) => [report.kind, report.context])).toEqual([
      ['async-context', 'timer'],
    ]);
  });

  it('points a generator twin to for await', async () => {
    const { reports, detector } = collecting();
    await Promise.resolve();
    detector.run('iterateCharacters', 'iterateCharactersAsync', () => []);
    expect(reports[0]?.message).toMatch(
      /; use for await \(\.\.\. of iterateCharactersAsync\(\)\) instead$/,
    );
  });

  it('reports a call that blocks longer than the threshold', () => {
    const { reports, detector } = collecting({ thresholdMs: 20 });
    new FakeClient(detector, 60).getCharacter(1);
    const slow = reports.filter((report) => report.kind === 'slow-call');
    expect(slow).toHaveLength(1);
    expect(slow[0]?.method).toBe('getCharacter');
    expect(slow[0]?.thresholdMs).toBe(20);
    expect(slow[0]?.message).toMatch(
      /^Blocking call getCharacter\(\) blocked the thread for \d+ ms \(threshold 20 ms\) at test\/blocking-detector\.test\.ts:\d+:\d+; use await getCharacterAsync\(\) instead$/,
    );
  });

  it('reports a slow call that throws, and rethrows its error', () => {
    const { reports, detector } = collecting({ thresholdMs: 20 });
    expect(() => new FakeClient(detector, 60).failing()).toThrow('request failed');
    expect(reports.filter((report) => report.kind === 'slow-call')).toHaveLength(1);
  });

  it('does not report a fast call as slow', () => {
    const { reports, detector } = collecting({ thresholdMs: 60_000 });
    new FakeClient(detector).getCharacter(1);
    expect(reports.filter((report) => report.kind === 'slow-call')).toEqual([]);
  });

  it('reports a twin that runs other twins once, for the outer call', async () => {
    const { reports, detector } = collecting();
    const client = new FakeClient(detector);
    await Promise.resolve();
    client.getCharacters([1, 10, 100]);
    expect(reports.map((report) => report.method)).toEqual(['getCharacters']);
  });

  it('returns what the call returns and lets an error through', () => {
    const { detector } = collecting();
    expect(detector.run('x', 'xAsync', () => 42)).toBe(42);
    expect(() =>
      detector.run('x', 'xAsync', () => {
        throw new RangeError('boom');
      }),
    ).toThrow(RangeError);
  });

  it('checks its options', () => {
    expect(() => createBlockingDetector({ thresholdMs: -1 })).toThrow(/thresholdMs/);
    expect(() => createBlockingDetector({ onReport: 'no' as never })).toThrow(/onReport/);
  });

  it('does not import node:async_hooks statically, so that browser bundles can load it', async () => {
    const source = await readFile(join(repo, 'src/client/blocking-detector.ts'), 'utf8');
    const imports = source.match(/^import .*$/gm) ?? [];
    expect(
      imports.filter((line) => line.includes('node:') && !line.startsWith('import type')),
    ).toEqual([]);
  });

  describe('in a program of its own', () => {
    let directory: string | undefined;
    afterEach(async () => {
      if (directory) await rm(directory, { recursive: true, force: true });
      directory = undefined;
    });

    it('is quiet at the top level and speaks after an await (Node top-level run vs promise job)', async () => {
      // Vitest runs every test body inside a promise job, so the top level needs a real program.
      directory = await mkdtemp(join(tmpdir(), 'rickmorty-detector-'));
      const script = join(directory, 'program.mts');
      await writeFile(
        script,
        [
          `import { createBlockingDetector } from ${JSON.stringify(detectorUrl)};`,
          'const reports = [];',
          'const detector = createBlockingDetector({ thresholdMs: 60_000, onReport: (r) => reports.push(r) });',
          "const getCharacter = (id) => detector.run('getCharacter', 'getCharacterAsync', () => ({ id }));",
          'getCharacter(1);',
          'function helper() { return getCharacter(10); }',
          'helper();',
          "console.log(JSON.stringify({ phase: 'top level', kinds: reports.map((r) => r.kind) }));",
          'async function later() {',
          '  await null;',
          '  getCharacter(100);',
          '}',
          'await later();',
          "console.log(JSON.stringify({ phase: 'after await', kinds: reports.map((r) => r.kind), location: reports[0]?.location }));",
        ].join('\n'),
      );
      const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
        cwd: repo,
        timeout: 30_000,
      });
      const [top, after] = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { phase: string; kinds: string[]; location?: string });
      expect(top).toEqual({ phase: 'top level', kinds: [] });
      expect(after?.kinds).toEqual(['async-context']);
      expect(after?.location).toMatch(/program\.mts:11:\d+$/);
    });
  });
});
