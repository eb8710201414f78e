/**
 * What the browser test needs besides the browser: the client bundled for browsers with esbuild
 * (ES modules, code splitting, Node built-ins left out as a browser bundler would), and a static
 * HTTP server on 127.0.0.1 that serves it with a small page.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { browserFiles } from '../../tsup.config.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Chromium from the system (Debian's package), or undefined. Never a downloaded browser. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (path && existsSync(path)) return path;
    } catch {
      // not on PATH
    }
  }
  for (const path of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** The flags the browser test launches Chromium with: headless, offline, no first-run noise. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** The bundle's files by URL path (`/assets/app.js`, its chunks and source maps). */
export type Bundle = Map<string, { contents: Uint8Array; type: string }>;

/** Modules that exist only in Node: its built-ins, and tinypool (worker threads). */
const NODE_ONLY = /^(node:.*|tinypool)$/;

/**
 * A browser bundler (Vite, webpack 5 with `fallback: false`) replaces a Node built-in with an empty
 * module, so that code which imports one still loads and fails only if it is called. This stub
 * does the same, and records each use in `globalThis.__nodeOnlyUses`, so that a test can assert
 * that a browser path never touched one.
 */
const stubSource = (path: string) => `const uses = (globalThis.__nodeOnlyUses ??= []);
module.exports = new Proxy({}, {
  get(_target, key) {
    if (typeof key === 'string' && key !== '__esModule') uses.push(${JSON.stringify(path)} + '.' + key);
    return undefined;
  },
});
`;

export interface BrowserBundle {
  readonly bundle: Bundle;
  /** Node-only modules in the code that the page loads before any call (the entry's static graph). */
  readonly eagerNodeOnly: string[];
  /** Node-only modules anywhere in the bundle, chunks loaded on demand included. */
  readonly nodeOnly: string[];
}

/**
 * Bundles the app in browser-app.ts, which imports from `src/index.ts`, for browsers as
 * `dist/browser.js` is built (each `<name>.browser.ts` in place of its module: `browserFiles`): ES
 * modules with code splitting, Node-only modules replaced by recording stubs.
 */
export async function bundleForBrowser(): Promise<BrowserBundle> {
  const result = await build({
    entryPoints: { app: join(ROOT, 'test', 'helpers', 'browser-app.ts') },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    splitting: true,
    target: 'es2022',
    outdir: '/assets',
    write: false,
    sourcemap: true,
    metafile: true,
    logLevel: 'silent',
    plugins: [
      browserFiles,
      {
        name: 'node-only-stubs',
        setup(plugin) {
          plugin.onResolve({ filter: NODE_ONLY }, (args) => ({
            path: args.path,
            namespace: 'node-only',
          }));
          plugin.onLoad({ filter: /.*/, namespace: 'node-only' }, (args) => ({
            contents: stubSource(args.path),
            loader: 'js',
          }));
        },
      },
    ],
  });
  const bundle: Bundle = new Map();
  for (const file of result.outputFiles) {
    const type = file.path.endsWith('.map') ? 'application/json' : 'text/javascript';
    bundle.set(file.path.replace(/\\/g, '/').replace(/^.*?\/assets\//, '/assets/'), {
      contents: file.contents,
      type,
    });
  }
  const outputs = result.metafile.outputs;
  const stubsIn = (path: string) =>
    Object.keys(outputs[path]?.inputs ?? {})
      .filter((input) => input.startsWith('node-only:'))
      .map((input) => input.slice('node-only:'.length));
  // What the entry loads before any call: itself and the chunks it imports statically.
  const entry = Object.keys(outputs).find((path) => outputs[path]?.entryPoint !== undefined);
  const eager = new Set<string>();
  for (const queue = entry ? [entry] : []; queue.length > 0; ) {
    const path = queue.pop()!;
    if (eager.has(path)) continue;
    eager.add(path);
    for (const imported of outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement') queue.push(imported.path);
    }
  }
  const unique = (paths: string[]) => [...new Set(paths)].sort();
  return {
    bundle,
    eagerNodeOnly: unique([...eager].flatMap(stubsIn)),
    nodeOnly: unique(Object.keys(outputs).flatMap(stubsIn)),
  };
}

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>rickmorty-client in a browser</title></head>
<body>
<p id="status">loading</p>
<script type="module">
  import * as rickmorty from '/assets/app.js';
  window.rickmorty = rickmorty;
  document.getElementById('status').textContent = 'ready';
</script>
</body>
</html>
`;

export interface StaticServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** Paths requested so far, in order. */
  readonly requested: string[];
  close(): Promise<void>;
}

/** Serves the page at `/` and the bundle under `/assets/` on 127.0.0.1. */
export async function serveStatic(bundle: Bundle): Promise<StaticServer> {
  const requested: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requested.push(path);
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
      return;
    }
    const file = bundle.get(path);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': `${file.type}; charset=utf-8` });
    res.end(file.contents);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requested,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
