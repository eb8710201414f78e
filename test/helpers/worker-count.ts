/**
 * Counts the worker threads the code under test starts, by putting a counting subclass in place of
 * `Worker` on the `node:worker_threads` module object (which the transports read at run time) and
 * in its named export (which the pool library imports). `restoreWorker()` in an `afterEach` puts
 * the original back: the test files share a process.
 */
import { syncBuiltinESMExports } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';

const threads = process.getBuiltinModule('node:worker_threads') as typeof WorkerThreads;
const OriginalWorker = threads.Worker;

function setWorker(Worker: typeof OriginalWorker): void {
  threads.Worker = Worker;
  syncBuiltinESMExports();
}

/** Counts the worker threads started from now on, and how many of them are still alive. */
export function countWorkers(): { readonly started: number; readonly alive: number } {
  const counter = { started: 0, alive: 0 };
  setWorker(
    class CountedWorker extends OriginalWorker {
      constructor(...args: ConstructorParameters<typeof OriginalWorker>) {
        super(...args);
        counter.started++;
        counter.alive++;
        this.once('exit', () => {
          counter.alive--;
        });
      }
    },
  );
  return counter;
}

/** Puts the original `Worker` back. */
export function restoreWorker(): void {
  setWorker(OriginalWorker);
}
