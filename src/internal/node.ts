/**
 * The one way this package reaches Node's built-in modules outside the Node-only entries (the CLI,
 * the worker files): `process.getBuiltinModule`, at run time. A static (or even a dynamic)
 * `import 'node:…'` would make every browser bundle of the client fail or carry stubs; this way a
 * bundler sees nothing, and in a browser the lookup answers `undefined`.
 *
 * @module
 */

/** The built-ins the package uses, by id. */
interface NodeBuiltins {
  'node:async_hooks': typeof import('node:async_hooks');
  'node:diagnostics_channel': typeof import('node:diagnostics_channel');
  'node:events': typeof import('node:events');
  'node:fs': typeof import('node:fs');
  'node:module': typeof import('node:module');
  'node:os': typeof import('node:os');
  'node:path': typeof import('node:path');
  'node:url': typeof import('node:url');
  'node:worker_threads': typeof import('node:worker_threads');
}

/** Answers already looked up: some lookups sit on hot paths (an abort listener per call). */
const found = new Map<string, unknown>();

/**
 * The Node built-in `id`, or `undefined` where there is none: a browser, a runtime without
 * `process.getBuiltinModule` (Node before 20.16), or a lookup that throws.
 */
export function nodeBuiltin<K extends keyof NodeBuiltins>(id: K): NodeBuiltins[K] | undefined {
  if (found.has(id)) return found.get(id) as NodeBuiltins[K] | undefined;
  let module: unknown;
  try {
    const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process;
    module = process?.getBuiltinModule?.(id);
  } catch {
    module = undefined;
  }
  found.set(id, module);
  return module as NodeBuiltins[K] | undefined;
}
