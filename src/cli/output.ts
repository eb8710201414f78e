/**
 * What stops a data command early: its output closed by the reader (`rickmorty characters --all |
 * head`), or an interrupt (Ctrl+C, or the `signal` of an in-process run). Either ends the call in
 * flight through its `AbortSignal`, so the command neither crashes on `EPIPE` nor keeps fetching
 * what nobody will read.
 *
 * @module
 */
import type { Writable } from 'node:stream';
import type { CliIo } from './io.js';

/** Whether a stream can no longer be written: closed, ended, or failed (`EPIPE`). */
export function isClosed(stream: Writable): boolean {
  return stream.destroyed || stream.writableEnded || Boolean(stream.errored);
}

/** The output of a run, watched for a reader that went away. */
export interface OutputWatch {
  /** Aborts when stdout fails: its reader is gone. */
  readonly signal: AbortSignal;
  /** A failure of stdout other than a reader that went away, if any: worth reporting. */
  readonly failure: () => Error | undefined;
  /** Stops watching. */
  dispose(): void;
}

/** The codes of a reader that went away: nothing to report, nothing more to write. */
const GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

const ignore = () => {};

/** Watches `stdout` for the errors that say its reader is gone. */
export function watchOutput(stdout: Writable): OutputWatch {
  const controller = new AbortController();
  let failure: Error | undefined;
  const onError = (error: Error) => {
    const code = (error as { code?: unknown }).code;
    if (!(typeof code === 'string' && GONE.has(code))) failure ??= error;
    controller.abort(error);
  };
  stdout.on('error', onError);
  return {
    signal: controller.signal,
    failure: () => failure,
    dispose: () => {
      stdout.off('error', onError);
      // A stream that failed reports it on a later tick, perhaps after the run is over: the run
      // has dealt with it, so nobody must see it as an unhandled 'error' event.
      if (isClosed(stdout)) stdout.on('error', ignore);
    },
  };
}

/** An interrupt of a data command: Ctrl+C (SIGINT), SIGTERM, or the run's own `signal`. */
export interface Interruption {
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * Listens for what interrupts a data command. The process's SIGINT and SIGTERM only when
 * `processSignals` is set: a listener replaces Node's default of ending the process at once, and a
 * blocking call (`--blocking`), whose thread waits in `Atomics.wait`, could not run it until the
 * call was over. Ctrl+C must stop a blocking call at once, so there the default stays.
 */
export function listenForInterrupt(io: CliIo, processSignals: boolean): Interruption {
  const controller = new AbortController();
  const interrupt = () => controller.abort(new Error('interrupted'));
  const given = io.signal;
  if (given?.aborted) interrupt();
  given?.addEventListener('abort', interrupt, { once: true });
  if (processSignals) {
    process.on('SIGINT', interrupt);
    process.on('SIGTERM', interrupt);
  }
  return {
    signal: controller.signal,
    dispose() {
      given?.removeEventListener('abort', interrupt);
      if (processSignals) {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
      }
    },
  };
}
