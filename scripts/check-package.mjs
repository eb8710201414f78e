#!/usr/bin/env node
// `npm run check:package`: builds the package, packs it the way `npm publish` would, and checks
// the tarball (not the work tree) with publint and Are the Types Wrong. Any message from either
// tool fails the run; a message we accept must be listed in ACCEPTED_PUBLINT below with the reason.
// Then it weighs what users get against the targets of issue 16 (SIZE_TARGETS): the tarball, the
// async path's browser bundle built from the installed tarball, and the production install with
// its native binaries.
//
// Options: --skip-build  check what is in dist/ now (the caller has just built it).
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
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

/**
 * Paths that must not be published: sources, tests, source maps (nothing loads them from a
 * package), and a second copy of the bin or a worker: each is one file in one format (the blocking
 * transport's worker CommonJS, the others ES modules; tsup.config.ts).
 */
const FORBIDDEN = [
  /^src\//,
  /^test\//,
  /^\.tmp\//,
  /^scripts\//,
  /^node_modules\//,
  /\.tgz$/,
  /\.map$/,
  /^dist\/(cli|make-async-worker|replica-worker)\.cjs$/,
  /^dist\/blocking-worker\.js$/,
];

/**
 * The size targets of issue 16, in bytes (kB = 1000 bytes, as npm counts). Each is asserted; a
 * target the package does not meet yet has a `budget` (what is asserted until then, so that it
 * cannot grow unnoticed) and the reason.
 */
const SIZE_TARGETS = {
  tarball: { target: 250_000, what: 'the tarball, packed' },
  browser: {
    target: 18_000,
    budget: 29_000,
    what: "the async path's browser bundle, minified + gzip, with ky and zod/mini in it",
    why: 'ky, zod/mini (with the schemas), gensync and p-limit alone weigh about 13.7 kB of it; the client itself is the rest',
  },
};

/** What the browser bundle is measured on: the async path of the README's first example. */
const BROWSER_APP = `import { RickMortyClient } from 'rickmorty-client';
new RickMortyClient().getCharactersAsync([1, 10, 100]).then(console.log);
`;

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
    cwd: options.cwd ?? root,
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

  step('sizes (issue 16)');
  checkSize('tarball', packed.size);
  const app = installProduction(tarball);
  checkSize('browser', await browserBundle(app));
  reportInstall(app);
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

/** Checks `bytes` against a size target (or, while the target is not met, its budget). */
function checkSize(name, bytes) {
  const { target, budget, what, why } = SIZE_TARGETS[name];
  const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
  const limit = budget ?? target;
  const met = bytes <= target;
  console.log(
    `${what}: ${kB(bytes)} (${bytes} B); target ${kB(target)}: ${met ? 'met' : `NOT MET (${why}); asserted budget ${kB(budget)}`}`,
  );
  if (bytes > limit) failures.push(`size: ${what} is ${kB(bytes)}, over ${kB(limit)}`);
}

/**
 * Installs the tarball into an empty app the way a user's `npm install` would, without dev
 * dependencies (from npm's cache when it has them). Returns the app's directory.
 */
function installProduction(tarballPath) {
  const app = join(workDir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'size-app', private: true }));
  npm(
    [
      'install',
      tarballPath,
      '--omit=dev',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
    ],
    { cwd: app, capture: true },
  );
  return app;
}

/**
 * The async path's browser bundle: `BROWSER_APP` bundled by esbuild for browsers from the
 * installed package, resolved through its `exports` (the `browser` condition), minified, gzipped.
 * No Node built-in may be reached: a browser bundler would fail on one, and so does this build.
 */
async function browserBundle(app) {
  writeFileSync(join(app, 'entry.js'), BROWSER_APP);
  const result = await build({
    entryPoints: [join(app, 'entry.js')],
    absWorkingDir: app,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = new Map();
  for (const [input, info] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
    const name = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? input;
    inputs.set(name, (inputs.get(name) ?? 0) + info.bytesInOutput);
  }
  const bytes = result.outputFiles[0].contents;
  const parts = [...inputs].sort((a, b) => b[1] - a[1]).map(([name, size]) => `${name} ${size}`);
  console.log(`browser bundle: ${bytes.length} B minified, by package: ${parts.join(', ')}`);
  return gzipSync(bytes, { level: 9 }).length;
}

/** Every package directory under `node_modules` (scoped ones and nested ones included). */
function packagesIn(nodeModules) {
  const found = [];
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(nodeModules, entry.name);
    const dirs = entry.name.startsWith('@')
      ? readdirSync(path).map((name) => join(path, name))
      : [path];
    for (const dir of dirs) {
      found.push(dir);
      try {
        found.push(...packagesIn(join(dir, 'node_modules')));
      } catch {
        // no nested node_modules
      }
    }
  }
  return found;
}

/** Bytes of every file under `dir`, and the native binaries (`.node` files) among them. */
function weigh(dir, into = { bytes: 0, native: [] }) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) weigh(path, into);
    else if (entry.isFile()) {
      into.bytes += statSync(path).size;
      if (entry.name.endsWith('.node')) into.native.push(path);
    }
  }
  return into;
}

/**
 * What a production install of the package brings: its packages, their weight, and the native
 * binaries among them (a `.node` file, or a package limited to some `os`/`cpu`). Reported; which
 * pool library the package uses, and so whether it brings a native binary, is issue 13's choice.
 */
function reportInstall(app) {
  const nodeModules = join(app, 'node_modules');
  const packages = packagesIn(nodeModules);
  const { bytes, native } = weigh(nodeModules);
  const platformOnly = packages.filter((dir) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return pkg.os !== undefined || pkg.cpu !== undefined;
  });
  const names = (dirs) => dirs.map((dir) => dir.slice(nodeModules.length + 1)).join(', ');
  console.log(
    `production install: ${packages.length} packages, ${(bytes / 1e6).toFixed(1)} MB (${names(packages)})`,
  );
  console.log(
    `native binaries: ${native.length === 0 ? 'none' : names(native)}; platform-specific packages: ${platformOnly.length === 0 ? 'none' : names(platformOnly)}`,
  );
}

if (failures.length > 0) {
  console.error(`\ncheck:package failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(
  '\ncheck:package: the packed tarball passes publint and attw, and its sizes are within bounds',
);
