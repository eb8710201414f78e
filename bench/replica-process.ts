/**
 * The API replica in a process of its own, so that the server's CPU never runs on the benchmarked
 * client's event loop. Started by `bench/lib/replica.ts` with `fork` (an IPC channel):
 *
 *   node --import tsx bench/replica-process.ts 100 0
 *
 * starts one replica per latency (in ms), each in its own worker thread (startReplicaServer), and
 * reports `{ type: 'ready', urls: { '100': 'http://127.0.0.1:…/api', '0': … } }` on the IPC channel
 * (or prints it as a JSON line when run by hand). Asked `{ type: 'stats', latency }` it answers with
 * the server's counts; `{ type: 'resetStats' }` zeroes every server's counts. It closes its servers
 * and exits on `{ type: 'close' }`, when the parent goes away, on SIGTERM/SIGINT, or after a safety
 * deadline (15 minutes), whichever comes first.
 *
 * It serves the BUILT package (`rickmorty-client/testing`, through its `exports`), the code users get.
 */
import { entryUrl } from './lib/dist.js';

type Testing = typeof import('../src/testing/index.js');
type Server = Awaited<ReturnType<Testing['startReplicaServer']>>;

const SAFETY_DEADLINE_MS = 15 * 60_000;

const latencies = process.argv
  .slice(2)
  .map(Number)
  .filter((value) => Number.isFinite(value) && value >= 0);
if (latencies.length === 0) latencies.push(0);

const testingUrl = entryUrl('./testing');
const { startReplicaServer } = (await import(testingUrl)) as Testing;

const servers = new Map<number, Server>();
for (const latency of latencies) {
  servers.set(latency, await startReplicaServer({ latencyMs: latency, seed: 1 }));
}

let closing = false;
async function shutdown(code: number): Promise<never> {
  if (!closing) {
    closing = true;
    await Promise.allSettled([...servers.values()].map((server) => server.close()));
  }
  process.exit(code);
}

const safety = setTimeout(() => void shutdown(2), SAFETY_DEADLINE_MS);
safety.unref();
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

const urls = Object.fromEntries([...servers].map(([latency, server]) => [latency, server.url]));
if (process.send) {
  process.on('disconnect', () => void shutdown(0));
  process.on(
    'message',
    async (message: { type: string; id?: number; latency?: number } | undefined) => {
      if (!message) return;
      switch (message.type) {
        case 'stats': {
          const server = servers.get(message.latency ?? -1);
          const stats = server ? await server.stats() : undefined;
          process.send?.({ type: 'reply', id: message.id, stats });
          return;
        }
        case 'resetStats':
          await Promise.all([...servers.values()].map((server) => server.resetStats()));
          process.send?.({ type: 'reply', id: message.id });
          return;
        case 'close':
          await shutdown(0);
          return;
      }
    },
  );
  process.send({ type: 'ready', urls, pid: process.pid });
} else {
  console.log(JSON.stringify({ type: 'ready', urls, pid: process.pid }));
  // By hand: keep serving until Ctrl-C (or the safety deadline).
  setInterval(() => {}, 60_000);
}
