// tinypool against piscina, for makeAsync's pool (issue 16: no native binary in a production
// install). Installs both from the npm registry into a temporary directory, then measures, side by
// side in one run: what each installs (packages, size, native binaries), importing it in a fresh
// process, a fresh pool running three blocking calls that must overlap (to all three answers, and
// the peak memory), and what each does with a call whose thread calls process.exit().
//
//   node bench/pool-libraries.mjs [rounds=9]
//
// Not part of `npm run bench`: it needs the registry, and it measures the libraries, not the client.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LIBRARIES = { tinypool: 'tinypool@2.2.0', piscina: 'piscina@5.3.2' };
const rounds = Number(process.argv[2] ?? 9);
const base = mkdtempSync(join(tmpdir(), 'pool-libraries-'));

/** Every file under `dir`, recursively. */
function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

const TASK = `import { threadId } from 'node:worker_threads';
export default function task({ shared, parties, exit }) {
  if (exit) process.exit(3);
  const cell = new Int32Array(shared);
  Atomics.add(cell, 0, 1);
  Atomics.notify(cell, 0);
  const deadline = Date.now() + 10000;
  for (;;) {
    const arrived = Atomics.load(cell, 0);
    if (arrived >= parties) return { arrived, threadId };
    if (Date.now() > deadline) return { arrived, threadId, gaveUp: true };
    Atomics.wait(cell, 0, arrived, 100);
  }
}
`;

/** One fresh process: import the library, run three calls that meet, report. */
const PROBE = `const [lib, mode] = process.argv.slice(2);
const t0 = performance.now();
const file = new URL('./task.mjs', import.meta.url).href;
const options = { filename: file, minThreads: 0, maxThreads: 10, idleTimeout: 1000 };
const pool = lib === 'tinypool'
  ? new (await import('tinypool')).Tinypool(options)
  : new (await import('piscina')).Piscina(options);
const importMs = performance.now() - t0;
if (mode === 'exit') {
  const outcome = await Promise.race([
    pool.run({ exit: true }).then(() => 'resolved', (error) => 'rejected: ' + error.message),
    new Promise((resolve) => setTimeout(() => resolve('still pending after 5 s'), 5000)),
  ]);
  console.log(JSON.stringify({ outcome }));
  process.exit(0);
}
const shared = new SharedArrayBuffer(4);
const results = await Promise.all([1, 2, 3].map(() => pool.run({ shared, parties: 3 })));
const allMs = performance.now() - t0;
const { readFileSync } = await import('node:fs');
const peakKiB = Number(readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\\s+(\\d+) kB/m)[1]);
console.log(JSON.stringify({ importMs, allMs, peakKiB, overlapped: results.every((r) => r.arrived === 3 && !r.gaveUp) }));
await pool.destroy();
`;

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

try {
  const report = {};
  for (const [name, spec] of Object.entries(LIBRARIES)) {
    const dir = join(base, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}');
    execFileSync('npm', ['install', spec, '--no-audit', '--no-fund', '--silent'], { cwd: dir });
    writeFileSync(join(dir, 'task.mjs'), TASK);
    writeFileSync(join(dir, 'probe.mjs'), PROBE);
    const installed = files(join(dir, 'node_modules')).filter((f) => !f.includes('/.package-lock'));
    report[name] = {
      packages: installed.filter((f) => /node_modules\/(@[^/]+\/)?[^/]+\/package\.json$/.test(f))
        .length,
      kib: Math.round(installed.reduce((sum, f) => sum + statSync(f).size, 0) / 1024),
      native: installed.filter((f) => f.endsWith('.node')).map((f) => f.split('/').pop()),
      runs: [],
    };
  }
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(LIBRARIES)) {
      const dir = join(base, name);
      const run = spawnSync(process.execPath, ['probe.mjs', name], { cwd: dir, encoding: 'utf8' });
      report[name].runs.push(JSON.parse(run.stdout.trim().split('\n').pop()));
    }
  }
  for (const name of Object.keys(LIBRARIES)) {
    const dir = join(base, name);
    const run = spawnSync(process.execPath, ['probe.mjs', name, 'exit'], {
      cwd: dir,
      encoding: 'utf8',
    });
    report[name].exit = JSON.parse(run.stdout.trim()).outcome;
  }
  console.log(`| | ${Object.keys(LIBRARIES).join(' | ')} |`);
  console.log(
    `| --- | ${Object.keys(LIBRARIES)
      .map(() => '---')
      .join(' | ')} |`,
  );
  const row = (label, f) =>
    console.log(`| ${label} | ${Object.values(report).map(f).join(' | ')} |`);
  row('installed packages', (r) => r.packages);
  row('installed size', (r) => `${r.kib} KiB`);
  row('native binaries', (r) => (r.native.length ? r.native.join(', ') : 'none'));
  row(
    `import (median of ${rounds})`,
    (r) => `${median(r.runs.map((x) => x.importMs)).toFixed(1)} ms`,
  );
  row(
    'fresh pool, three blocking calls that meet',
    (r) => `${median(r.runs.map((x) => x.allMs)).toFixed(1)} ms`,
  );
  row('all three overlapped, every round', (r) => r.runs.every((x) => x.overlapped));
  row(
    'peak memory (VmHWM)',
    (r) => `${(median(r.runs.map((x) => x.peakKiB)) / 1024).toFixed(1)} MiB`,
  );
  row('a call whose thread calls process.exit()', (r) => r.exit);
} finally {
  rmSync(base, { recursive: true, force: true });
}
