import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  formatPythonList,
  formatTimestamp,
  type MainJobResult,
  runMainJob,
} from '../src/cli/main-job.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NAMES = ['Rick Sanchez', 'Alan Rails', 'Bubonic Plague'];
const LIST = "['Rick Sanchez', 'Alan Rails', 'Bubonic Plague']";
const STAMP = /^\d{2}:\d{2}:\d{6} /;

function collector() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/** The log lines of one way's section (timestamps removed), from its heading to the blank line. */
function section(output: string, heading: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.startsWith(heading));
  expect(start, `section ${heading}`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('', start);
  const body = lines.slice(start + 1, end);
  for (const line of body) expect(line).toMatch(STAMP);
  return body.map((line) => line.replace(STAMP, '').replace(/http:\/\/[^/]+\/api/, 'API'));
}

describe('formatting', () => {
  it('writes times as the article did: minutes, seconds, six digits of microseconds', () => {
    const micros = new Date(2022, 3, 2, 10, 24, 58).getTime() * 1000 + 472_159;
    expect(formatTimestamp(micros)).toBe('24:58:472159');
    expect(formatTimestamp(new Date(2022, 3, 2, 10, 5, 7).getTime() * 1000 + 42)).toBe(
      '05:07:000042',
    );
  });

  it('prints a list of names as Python prints one', () => {
    expect(formatPythonList(NAMES)).toBe(LIST);
    expect(formatPythonList(["Rick's", 'a\\b'])).toBe("['Rick\\'s', 'a\\\\b']");
  });
});

describe('runMainJob against the replica', () => {
  let result: MainJobResult;
  let output: string;

  beforeAll(async () => {
    const out = collector();
    result = await runMainJob({ latencyMs: 20, out: out.stream });
    output = out.text();
  }, 60_000);

  it('reads the three names four ways', () => {
    expect(result.names).toEqual(NAMES);
    expect(result.live).toBe(false);
    expect(result.ways.map((way) => way.key)).toEqual(['blocking', 'async', 'makeAsync', 'batch']);
    for (const way of result.ways) expect(way.names).toEqual(NAMES);
  });

  it('counts the requests of each way at the replica', () => {
    expect(result.ways.map((way) => way.requests)).toEqual([3, 3, 3, 1]);
  });

  it('logs the blocking way in the article order, one character after another', () => {
    expect(section(output, '(a)')).toEqual([
      'getting character with id 1',
      'fetching API/character/1',
      'fetched API/character/1',
      'got Rick Sanchez',
      'getting character with id 10',
      'fetching API/character/10',
      'fetched API/character/10',
      'got Alan Rails',
      'getting character with id 100',
      'fetching API/character/100',
      'fetched API/character/100',
      'got Bubonic Plague',
      LIST,
    ]);
  });

  it.each(['(b)', '(c)'])('sends every request of %s before any answer is in', (heading) => {
    const lines = section(output, heading);
    expect(lines.slice(0, 6)).toEqual([
      'getting character with id 1',
      'fetching API/character/1',
      'getting character with id 10',
      'fetching API/character/10',
      'getting character with id 100',
      'fetching API/character/100',
    ]);
    // The answers may come back in any order; each is logged once, and the list comes last.
    expect(lines.slice(6, -1).sort()).toEqual(
      [
        'fetched API/character/1',
        'fetched API/character/10',
        'fetched API/character/100',
        'got Alan Rails',
        'got Bubonic Plague',
        'got Rick Sanchez',
      ].sort(),
    );
    for (const id of [1, 10, 100]) {
      const name = NAMES[[1, 10, 100].indexOf(id)];
      expect(lines.indexOf(`fetched API/character/${id}`)).toBeLessThan(
        lines.indexOf(`got ${name}`),
      );
    }
    expect(lines.at(-1)).toBe(LIST);
  });

  it('reads the batch way in one request', () => {
    expect(section(output, '(d)')).toEqual([
      'getting characters with ids 1, 10, 100',
      'fetching API/character/1,10,100',
      'fetched API/character/1,10,100',
      'got Rick Sanchez',
      'got Alan Rails',
      'got Bubonic Plague',
      LIST,
    ]);
  });

  it('ends with the summary table', () => {
    const table = output.slice(output.indexOf('way '));
    const rows = table.split('\n');
    expect(rows[0]).toMatch(/^way +\| wall time \(ms\) \| requests \| x of one round trip$/);
    expect(rows[1]).toMatch(/^[-|]+$/);
    const counts = rows.slice(2, 6).map((row) => row.split('|').map((cell) => cell.trim()));
    expect(counts.map((cells) => cells[0]?.slice(0, 3))).toEqual(['(a)', '(b)', '(c)', '(d)']);
    expect(counts.map((cells) => cells[2])).toEqual(['3', '3', '3', '1']);
    for (const cells of counts) {
      expect(Number(cells[1])).toBeGreaterThan(0);
      expect(Number(cells[3])).toBeGreaterThan(0);
    }
  });
});

describe('npm start', () => {
  it('runs the main job offline and exits by itself', { timeout: 90_000 }, async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      scripts: { start: string };
    };
    // The script as written, run without npm (whose own start-up and notices add nothing here).
    const [program, ...args] = pkg.scripts.start.split(/\s+/);
    expect(program).toBe('node');
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    // A hang guard, not a performance check: the job normally ends in a few seconds.
    const guard = setTimeout(() => child.kill('SIGKILL'), 80_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
      child.on('close', (exitCode, exitSignal) => done([exitCode, exitSignal])),
    );
    clearTimeout(guard);
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(stdout).toContain('Reading a replica of the API at http://127.0.0.1:');
    for (const name of NAMES) expect(stdout).toContain(`got ${name}`);
    expect(stdout.split('\n').filter((line) => line.endsWith(` ${LIST}`))).toHaveLength(4);
    expect(stdout).toMatch(/^way +\| wall time \(ms\) \| requests \| x of one round trip$/m);
    expect(stdout).toMatch(/^\(a\) .+\| +3 \| +[\d.]+$/m);
    expect(stdout).toMatch(/^\(d\) .+\| +1 \| +[\d.]+$/m);
  });
});
