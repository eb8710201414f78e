/**
 * The code each `makeAsync` pool worker runs: rebuild the blocking transport or import the module
 * named by the recipe (once per worker), then make the blocking call. Answers and errors travel back
 * as plain data, so that errors arrive as the same classes.
 */
import { InvalidArgumentError } from '../errors/classes.js';
import { serializeError } from '../errors/wire.js';
import { createBlockingTransport, type RebuildRecipe } from './blocking.js';
import type { BlockingTransport, TransportRequest } from './types.js';

export type PoolTask =
  | { readonly kind: 'request'; readonly recipe: RebuildRecipe; readonly request: TransportRequest }
  | {
      readonly kind: 'call';
      readonly module: string;
      readonly export: string;
      readonly args: readonly unknown[];
    };

export type PoolResult =
  | { ok: true; value: unknown }
  | { ok: false; error: ReturnType<typeof serializeError> };

const transports = new Map<string, BlockingTransport>();

async function transportFor(recipe: RebuildRecipe): Promise<BlockingTransport> {
  const key = JSON.stringify(recipe);
  let transport = transports.get(key);
  if (!transport) {
    if ('builtin' in recipe) {
      transport = createBlockingTransport(recipe.options);
    } else {
      const factory = (await import(recipe.module))[recipe.export] as (
        ...args: unknown[]
      ) => BlockingTransport;
      transport = factory(...(recipe.args ?? []));
    }
    transports.set(key, transport);
  }
  return transport;
}

async function perform(task: PoolTask): Promise<unknown> {
  if (task.kind === 'request') return (await transportFor(task.recipe)).requestSync(task.request);
  const target = (await import(task.module))[task.export];
  if (typeof target !== 'function') {
    throw new TypeError(
      `makeAsync: ${task.module} has no function export named \`${task.export}\``,
    );
  }
  return target(...task.args);
}

/** Refuses, with a clear error, a result that cannot be copied back to the calling thread. */
function assertCloneable(task: PoolTask, value: unknown): void {
  // A transport's answer is plain data by construction; only a user's function needs the check.
  if (task.kind !== 'call') return;
  try {
    structuredClone(value);
  } catch (error) {
    throw new InvalidArgumentError(
      `makeAsync: the result of \`${task.export}\` cannot be copied back to the calling thread (${error instanceof Error ? error.message : String(error)}); return data the structured clone algorithm can copy`,
      { cause: error },
    );
  }
}

export default async function run(task: PoolTask): Promise<PoolResult> {
  try {
    const value = await perform(task);
    assertCloneable(task, value);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}
