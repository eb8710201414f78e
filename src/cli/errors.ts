import { inspect } from 'node:util';
import {
  isArgumentRangeError,
  isInvalidArgumentError,
  isRickMortyError,
} from '../errors/guards.js';

/** A mistake in the command line: exit code 2, with a hint to read the help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the CLI expects and explains in its message: exit code 1, no stack trace hint. */
export class CliError extends Error {
  override name = 'CliError';
}

/** Exit codes of the `rickmorty` command. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/**
 * Whether an error is the user's to fix on the command line (exit 2) rather than a failure (1):
 * ours, a bad argument the library refused (its guards also know errors that crossed a thread), or
 * one of `parseArgs`.
 */
export function isUsageError(error: unknown): boolean {
  if (error instanceof UsageError || isInvalidArgumentError(error) || isArgumentRangeError(error)) {
    return true;
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/**
 * Writes an error to stderr and returns the exit code for it. Expected errors get their message
 * only; `debug` adds the stack and the cause chain.
 */
export function reportError(
  error: unknown,
  stderr: NodeJS.WritableStream,
  options: { debug: boolean; helpCommand: string },
): number {
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`rickmorty: ${message}\n`);
  if (options.debug) stderr.write(`${inspect(error, { depth: 6 })}\n`);
  if (isUsageError(error)) {
    stderr.write(`Run '${options.helpCommand}' for usage.\n`);
    return EXIT.usage;
  }
  // The library's own errors (HTTP, network, timeouts) say all there is to say; anything else may
  // be a bug, whose stack is worth asking for.
  if (!options.debug && !isRickMortyError(error) && !(error instanceof CliError)) {
    stderr.write('Run with --debug to see the stack trace.\n');
  }
  return EXIT.failure;
}
