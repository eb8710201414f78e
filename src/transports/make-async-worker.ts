/**
 * The code each `makeAsync` pool thread runs: build the transport a recipe names, or import the
 * module a call names (once per thread), then make the call. A transport's request is made right
 * here, with the same transport the async half uses: the thread starts no thread of its own.
 * Answers and errors travel back as plain data, so that errors arrive as the same classes.
 *
 * Each call brings a port of its own: the thread says on it that it began the call, and what ended
 * the thread if the call did (an uncaught exception, `process.exit`): the pool library would not
 * notice an exit, and would report a crash without saying which call it ended.
 */
import type { MessagePort } from 'node:worker_threads';
import { InvalidArgumentError } from '../errors/classes.js';
import { serializeError } from '../errors/wire.js';
import { buildTransport, type RebuildRecipe } from './recipe.js';
import type { AsyncTransport, BlockingTransport, TransportRequest } from './types.js';

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

const transports = new Map<string, Promise<AsyncTransport | BlockingTransport>>();

function transportFor(recipe: RebuildRecipe): Promise<AsyncTransport | BlockingTransport> {
  const key = JSON.stringify(recipe);
  let transport = transports.get(key);
  if (!transport) {
    transport = buildTransport(recipe);
    // A factory that failed is asked again by the next call, not remembered as failed.
    transport.catch(() => transports.delete(key));
    transports.set(key, transport);
  }
  return transport;
}

async function perform(task: PoolTask): Promise<unknown> {
  if (task.kind === 'request') {
    const transport = await transportFor(task.recipe);
    return 'request' in transport
      ? transport.request(task.request)
      : transport.requestSync(task.request);
  }
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

export default async function run(task: PoolTask & { alive: MessagePort }): Promise<PoolResult> {
  const { alive } = task;
  const onExit = (code: number) => alive.postMessage({ exited: code });
  const onCrash = (error: unknown) => {
    alive.postMessage({ crashed: serializeError(error) });
    // What Node does with an uncaught exception in a worker: end the thread.
    process.exit(1);
  };
  process.once('exit', onExit);
  process.once('uncaughtException', onCrash);
  alive.postMessage({ started: true });
  try {
    const value = await perform(task);
    assertCloneable(task, value);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  } finally {
    process.off('exit', onExit);
    process.off('uncaughtException', onCrash);
  }
}
