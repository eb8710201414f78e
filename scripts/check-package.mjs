#!/usr/bin/env node
// `npm run check:package`: builds the package, packs it the way `npm publish` would, and checks
// the tarball (not the work tree) with publint and Are the Types Wrong. Any message from either
// tool fails the run; a message we accept must be listed in ACCEPTED_PUBLINT below with the reason.
//
// Options: --skip-build  check what is in dist/ now (the caller has just built it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const skipBuild = process.argv.includes('--skip-build');

/**
 * publint messages (by code) accepted on purpose, each with the reason. Empty: publint reports
 * nothing for this package, at every level (errors, warnings and suggestions), in strict mode.
 *
 * @type {Record<string, string>}
 */
const ACCEPTED_PUBLINT = {};

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/**
 * Entry points that must resolve, to types, under every module resolution attw knows: every
 * subpath of the `exports` map but `./package.json`.
 */
const ENTRY_POINTS = Object.keys(manifest.exports).filter((entry) => entry !== './package.json');
const RESOLUTIONS = ['node10', 'node16-cjs', 'node16-esm', 'bundler'];

/**
 * Files the tarball must hold: every entry in both formats with their types (and, for a subpath,
 * the folder whose package.json node10 resolution reads), the bin, and the worker files that the
 * transports and the replica load by name at run time (a bundler cannot see them).
 */
const REQUIRED_FILES = [
  'package.json',
  ...ENTRY_POINTS.flatMap((entry) => {
    const name = entry === '.' ? 'index' : entry.slice(2);
    const files = ['js', 'cjs', 'd.ts', 'd.cts'].map((extension) => `dist/${name}.${extension}`);
    return entry === '.' ? files : [`${name}/package.json`, ...files];
  }),
  'dist/cli.js',
  'dist/blocking-worker.cjs',
  'dist/make-async-worker.js',
  'dist/replica-worker.js',
];

/** Paths that must not be published. */
const FORBIDDEN = [/^src\//, /^test\//, /^\.tmp\//, /^scripts\//, /^node_modules\//, /\.tgz$/];

const failures = [];

function step(title) {
  console.log(`\n== ${title}`);
}

/** Runs npm with the npm that started this script when there is one, else the one on PATH. */
function npm(args, options = {}) {
  const execPath = process.env.npm_execpath;
  const [command, prefix] =
    execPath && /npm-cli\.c?js$/.test(execPath) ? [process.execPath, [execPath]] : ['npm', []];
  const result = spawnSync(command, [...prefix, ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    shell: command === 'npm' && process.platform === 'win32',
  });
  if (result.status !== 0) {
    throw new Error(`npm ${args.join(' ')} failed with exit code ${result.status}`);
  }
  return result.stdout;
}

const workDir = mkdtempSync(join(tmpdir(), 'rickmorty-check-package-'));
try {
  if (!skipBuild) {
    step('build');
    npm(['run', 'build']);
  }

  step('npm pack');
  const packed = JSON.parse(
    npm(['pack', '--json', '--pack-destination', workDir], { capture: true }),
  )[0];
  const tarball = join(workDir, packed.filename);
  const files = packed.files.map((file) => file.path);
  console.log(`${packed.filename}: ${files.length} files, ${packed.size} bytes packed`);

  step('tarball contents');
  for (const file of REQUIRED_FILES) {
    if (!files.includes(file)) failures.push(`tarball: ${file} is missing`);
  }
  for (const file of files) {
    if (FORBIDDEN.some((pattern) => pattern.test(file))) {
      failures.push(`tarball: ${file} should not be published`);
    }
  }
  const bins =
    typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  for (const bin of bins) {
    const path = bin.replace(/^\.\//, '');
    if (!files.includes(path)) failures.push(`tarball: bin ${bin} is missing`);
  }
  // Installing the package must run nothing: no lifecycle script of ours runs on a user's machine.
  const LIFECYCLE = [
    'preinstall',
    'install',
    'postinstall',
    'prepare',
    'preprepare',
    'postprepare',
  ];
  for (const name of LIFECYCLE) {
    if (manifest.scripts?.[name] !== undefined)
      failures.push(`tarball: runs an install script (${name})`);
  }
  if (files.includes('binding.gyp'))
    failures.push('tarball: binding.gyp makes npm run node-gyp on install');
  if (!failures.some((failure) => failure.startsWith('tarball:')))
    console.log('ok (and no install scripts)');

  step('publint (strict, all levels)');
  const data = readFileSync(tarball);
  const { messages, pkg } = await publint({
    pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) },
    level: 'suggestion',
    strict: true,
  });
  for (const message of messages) {
    const text = formatMessage(message, pkg, { color: false }) ?? message.code;
    const reason = ACCEPTED_PUBLINT[message.code];
    if (reason) {
      console.log(`accepted ${message.type} ${message.code}: ${text} (${reason})`);
    } else {
      console.log(`${message.type}: ${text}`);
      failures.push(`publint ${message.type} ${message.code} at ${message.path.join('.')}`);
    }
  }
  if (messages.length === 0) console.log('no messages');

  step('Are the Types Wrong (profile strict)');
  const attwBin = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
  const attw = spawnSync(process.execPath, [attwBin, tarball, '--format', 'json'], {
    cwd: workDir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  let report;
  try {
    report = JSON.parse(attw.stdout);
  } catch {
    process.stderr.write(attw.stderr);
    throw new Error(`attw printed no JSON report (exit code ${attw.status})`);
  }
  const { analysis } = report;
  const problems = Array.isArray(analysis.problems) ? analysis.problems : [];
  const width = Math.max(...ENTRY_POINTS.map((entry) => entry.length)) + 2;
  console.log(`${''.padEnd(width)}${RESOLUTIONS.map((kind) => kind.padEnd(12)).join('')}`);
  for (const entry of ENTRY_POINTS) {
    const resolutions = analysis.entrypoints?.[entry]?.resolutions;
    const cells = RESOLUTIONS.map((kind) => {
      const resolved = resolutions?.[kind]?.resolution;
      const bad = problems.some((p) => p.entrypoint === entry && p.resolutionKind === kind);
      if (!resolved?.fileName || !resolved.isTypeScript) {
        failures.push(`attw: ${entry} does not resolve to types under ${kind}`);
        return 'NO TYPES';
      }
      return bad ? 'PROBLEM' : 'ok';
    });
    console.log(`${entry.padEnd(width)}${cells.map((cell) => cell.padEnd(12)).join('')}`);
  }
  for (const problem of problems) {
    console.log(`problem: ${JSON.stringify(problem)}`);
    failures.push(
      `attw ${problem.kind} for ${problem.entrypoint ?? '(package)'} under ${problem.resolutionKind ?? 'all'}`,
    );
  }
  if (attw.status !== 0 && problems.length === 0) {
    process.stderr.write(attw.stderr);
    failures.push(`attw exited with ${attw.status}`);
  }
  if (problems.length === 0) console.log('no problems');
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\ncheck:package failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
console.log('\ncheck:package: the packed tarball passes publint and attw');
