import type { Writable } from 'node:stream';

/**
 * Where a CLI run reads and writes: the process's streams and environment in the `rickmorty`
 * command, stand-ins in tests.
 */
export interface CliIo {
  readonly stdout: Writable;
  /** `isTTY` decides whether `--all` draws a progress bar. */
  readonly stderr: Writable & { isTTY?: boolean | undefined };
  readonly env: Record<string, string | undefined>;
  /** The directory `migrate` works in. Default: `process.cwd()`. */
  readonly cwd?: string | undefined;
  /**
   * Stops a long-running command (`serve`) as SIGINT or SIGTERM would. Optional: the process's
   * signals always stop it.
   */
  readonly signal?: AbortSignal | undefined;
}
