/**
 * Transports named so that another thread can build them: functions and sockets do not cross
 * threads, but a module's URL, an export's name and plain arguments do. The blocking transport's
 * worker and the makeAsync pool's threads build their transport from a recipe, so that a custom
 * `fetch`, an undici dispatcher or a configured ky instance serves both halves alike.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors/classes.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT } from '../internal/constants.js';
import { nodeBuiltin } from '../internal/node.js';
import { httpTransport, isNode, viaFetch } from './http-core.js';
import {
  type AsyncTransport,
  type BlockingTransport,
  isAsyncTransport,
  isBlockingTransport,
} from './types.js';

/**
 * A transport factory named by module and export, so that every thread can build the same
 * transport: the module is imported (once per thread) and its export called with `args`.
 *
 * @example
 * ```ts
 * // transport.js
 * import { createHttpTransport } from 'rickmorty-client';
 * export function createTransport(tag) {
 *   return createHttpTransport({
 *     fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, 'x-tag': tag } }),
 *   });
 * }
 * // app.js
 * const target = { module: new URL('./transport.js', import.meta.url), export: 'createTransport', args: ['app'] };
 * ```
 */
export interface TransportModule {
  /** The module's `file:` URL or absolute path, e.g. `new URL('./transport.js', import.meta.url)`. */
  readonly module: string | URL;
  /** The export to call. Default: `'default'`. */
  readonly export?: string;
  /**
   * Arguments for the factory, copied to each thread with the structured clone algorithm (plain
   * data: no functions). Default: none.
   */
  readonly args?: readonly unknown[];
}

/** A `TransportModule` as it travels to a thread: a `file:` URL, an export's name, copied args. */
export interface ModuleRecipe {
  readonly module: string;
  readonly export: string;
  readonly args?: readonly unknown[];
}

/**
 * How a worker thread builds a transport: the built-in HTTP transport (over `fetch`, with these
 * defaults), or a factory named by module and export.
 */
export type RebuildRecipe =
  | {
      readonly builtin: 'http';
      readonly options: { readonly timeout?: number; readonly maxResponseBytes?: number };
    }
  | ModuleRecipe;

const MODULE_HINT = 'a file: URL or an absolute path';

/**
 * The `file:` URL a worker thread imports. A relative path is refused: it would be resolved
 * against the working directory, not against the module that named it.
 */
export function moduleUrl(module: unknown, label: string): string {
  if (typeof module !== 'string' && !(module instanceof URL)) {
    throw new InvalidArgumentError(`Expected \`${label}\` to be ${MODULE_HINT}`);
  }
  const text = String(module);
  if (/^[a-z][a-z\d+.-]+:/i.test(text) && !/^[a-z]:[\\/]/i.test(text)) {
    if (!text.startsWith('file:')) {
      throw new InvalidArgumentError(
        `Expected \`${label}\` to be ${MODULE_HINT}, got ${JSON.stringify(text)}`,
      );
    }
    return text;
  }
  const path = nodeBuiltin('node:path');
  const url = nodeBuiltin('node:url');
  if (!path || !url) {
    throw new InvalidArgumentError(`Expected \`${label}\` to be a file: URL here, not a path`);
  }
  if (!path.isAbsolute(text)) {
    throw new InvalidArgumentError(
      `Expected \`${label}\` to be ${MODULE_HINT}, got the relative path ${JSON.stringify(text)}; use new URL(${JSON.stringify(text)}, import.meta.url)`,
    );
  }
  return url.pathToFileURL(text).href;
}

/** The name of the export a target names (`'default'` when it names none), checked. */
export function exportName(name: unknown, label: string): string {
  if (name === undefined) return 'default';
  if (typeof name !== 'string' || name === '') {
    throw new InvalidArgumentError(`Expected \`${label}\` to be the name of an export`);
  }
  return name;
}

/** Refuses arguments that cannot be copied to another thread now, not on first use there. */
export function cloneableArgs(args: unknown, label: string): readonly unknown[] {
  if (args === undefined) return [];
  if (!Array.isArray(args)) throw new InvalidArgumentError(`Expected \`${label}\` to be an array`);
  try {
    return structuredClone(args);
  } catch (error) {
    throw new InvalidArgumentError(
      `Expected \`${label}\` to be plain data that can be copied to another thread (${error instanceof Error ? error.message : String(error)}); build functions inside the factory instead`,
      { cause: error },
    );
  }
}

/** A `TransportModule` checked and turned into the recipe a thread builds from. */
export function moduleRecipe(target: unknown, label: string): ModuleRecipe {
  if (typeof target !== 'object' || target === null) {
    throw new InvalidArgumentError(`Expected \`${label}\` to be { module, export?, args? }`);
  }
  const { module, export: name, args } = target as Partial<TransportModule>;
  return {
    module: moduleUrl(module, `${label}.module`),
    export: exportName(name, `${label}.export`),
    args: cloneableArgs(args, `${label}.args`),
  };
}

/**
 * Builds, in this thread, the transport a recipe names. The factory may return the transport or a
 * promise of it. A module that does not load, an export that is not a function, a factory that
 * throws or returns no transport: each is an `InvalidArgumentError` that names the factory, the
 * same in every half, and not retried (the next call tries again).
 */
export async function buildTransport(
  recipe: RebuildRecipe,
): Promise<AsyncTransport | BlockingTransport> {
  // `createHttpTransport({ engine: 'fetch' })`, without ky: ky adds nothing here (the client
  // retries, times out and maps errors itself) but its own start-up, which every worker thread
  // would pay; and the worker's file does not carry it.
  if ('builtin' in recipe) {
    const { timeout = DEFAULT_TIMEOUT, maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES } =
      recipe.options;
    return httpTransport(
      viaFetch(undefined, isNode() ? 'manual' : 'follow'),
      timeout,
      maxResponseBytes,
    );
  }
  const refuse = (reason: string, cause?: unknown) =>
    new InvalidArgumentError(
      `Could not build the transport that \`${recipe.export}\` of ${recipe.module} makes: ${reason}`,
      cause === undefined ? undefined : { cause },
    );
  let transport: unknown;
  try {
    const factory = ((await import(recipe.module)) as Record<string, unknown>)[recipe.export];
    if (typeof factory !== 'function')
      throw refuse('the module has no function export by that name');
    transport = await factory(...(recipe.args ?? []));
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    throw refuse(error instanceof Error ? error.message : String(error), error);
  }
  if (!isAsyncTransport(transport) && !isBlockingTransport(transport)) {
    throw refuse('it returned no transport (an object with request or requestSync)');
  }
  return transport;
}
