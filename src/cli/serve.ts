/** `rickmorty serve`: the replica server, run until the process is told to stop. */
import type { CliIo } from './io.js';

/** What `serve` was asked for, checked. */
export interface ServeOptions {
  readonly port: number;
  readonly host: string | undefined;
  readonly latencyMs: number;
  readonly directory: string | undefined;
}

/**
 * Resolves on SIGINT, SIGTERM or `signal`, whichever comes first, and leaves no listener behind.
 * It holds a timer meanwhile: the replica's worker thread is unref'd, so without one the process
 * would end as soon as it started serving.
 */
function untilStopped(signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => {}, 1 << 30);
    const stop = (reason: string) => {
      clearInterval(keepAlive);
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
      signal?.removeEventListener('abort', onAbort);
      resolve(reason);
    };
    const onInterrupt = () => stop('SIGINT');
    const onTerminate = () => stop('SIGTERM');
    const onAbort = () => stop('abort');
    process.once('SIGINT', onInterrupt);
    process.once('SIGTERM', onTerminate);
    if (signal?.aborted) return stop('abort');
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Starts the replica, prints its base URL alone on stdout (for scripts to read), and serves until
 * stopped; then closes it, dropping open connections.
 */
export async function serve(io: CliIo, options: ServeOptions): Promise<void> {
  // Loaded on demand: the other commands do not need the dataset generator.
  const { startReplicaServer } = await import('../testing/replica-server.js');
  const server = await startReplicaServer({
    port: options.port,
    latencyMs: options.latencyMs,
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.directory === undefined ? {} : { data: { directory: options.directory } }),
  });
  try {
    io.stdout.write(`${server.url}\n`);
    io.stderr.write(`rickmorty: serving a replica of the API at ${server.url} (Ctrl+C stops it)\n`);
    const reason = await untilStopped(io.signal);
    io.stderr.write(`rickmorty: ${reason === 'abort' ? 'stopping' : `${reason}, stopping`}\n`);
  } finally {
    await server.close();
  }
}
