/**
 * Starts `bench/replica-process.ts` in a child process and talks to it over IPC.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ReplicaStats {
  requests: number;
  maxInFlight: number;
  inFlight: number;
  /** Requests whose client went away before the answer (a replica from before it counted: none). */
  aborted?: number;
  byPath: Record<string, number>;
}

export interface ReplicaProcess {
  /** Base URL (`http://127.0.0.1:port/api`) of the replica with each latency. */
  readonly urls: Readonly<Record<number, string>>;
  readonly pid: number;
  stats(latency: number): Promise<ReplicaStats | undefined>;
  resetStats(): Promise<void>;
  close(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;

export async function startReplicaProcess(latencies: readonly number[]): Promise<ReplicaProcess> {
  const script = fileURLToPath(new URL('../replica-process.ts', import.meta.url));
  const child: ChildProcess = fork(script, latencies.map(String), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (message: { stats?: ReplicaStats }) => void>();
  let nextId = 1;

  const ready = await new Promise<{ urls: Record<number, string>; pid: number }>(
    (resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('The replica process did not start in time'));
      }, STARTUP_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`The replica process exited with code ${code} before it was ready`));
      });
      child.on('message', (message: { type: string; id?: number; stats?: ReplicaStats }) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve(message as unknown as { urls: Record<number, string>; pid: number });
        } else if (message.type === 'reply' && message.id !== undefined) {
          pending.get(message.id)?.(message);
          pending.delete(message.id);
        }
      });
    },
  );

  function ask(message: Record<string, unknown>): Promise<{ stats?: ReplicaStats }> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`The replica process did not answer ${String(message.type)}`));
      }, 10_000);
      pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      child.send({ ...message, id });
    });
  }

  let closed: Promise<void> | undefined;
  return {
    urls: ready.urls,
    pid: ready.pid,
    async stats(latency) {
      return (await ask({ type: 'stats', latency })).stats;
    },
    async resetStats() {
      await ask({ type: 'resetStats' });
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        if (child.connected) child.send({ type: 'close' });
        else child.kill('SIGTERM');
      });
      return closed;
    },
  };
}
