#!/usr/bin/env node
// `npm run build`: the package into dist/ (or the directory given), from an empty directory.
//
// tsup builds the code and the ES module declarations (.d.ts). The CommonJS declarations (.d.cts)
// are derived from those rather than built by a second declaration pass: the CommonJS entries are
// the ES modules themselves (through require(esm)), so their types are the same file for file, with
// `.cjs` for `.js` in the relative imports. A second pass cost as much CPU as the rest of the build.
//
// Usage: node scripts/build.mjs [OUT_DIR]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = resolve(root, process.argv[2] ?? 'dist');
const tsup = join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js');

// The builds of tsup.config.ts run at once; one's clean-up would remove what another writes.
rmSync(outDir, { recursive: true, force: true });
const built = spawnSync(process.execPath, [tsup, '--out-dir', outDir], {
  cwd: root,
  stdio: 'inherit',
});
if (built.status !== 0) process.exit(built.status ?? 1);

/** A relative import or export of a declaration file, on a line of its own (not in a comment). */
const RELATIVE = /^((?:import|export)\b[^'\n]*? from '\.\/[^'\n]+)\.js(';)$/gm;

for (const name of readdirSync(outDir)) {
  if (!name.endsWith('.d.ts')) continue;
  const text = readFileSync(join(outDir, name), 'utf8');
  writeFileSync(
    join(outDir, name.replace(/\.d\.ts$/, '.d.cts')),
    text.replace(RELATIVE, '$1.cjs$2'),
  );
}
