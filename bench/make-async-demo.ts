/**
 * makeAsync in figures (the issue-3 note): three blocking requests at 100 ms of server latency take
 * about one latency through `makeAsync(createBlockingTransport())`, not three.
 *
 *   node --import tsx bench/make-async-demo.ts
 *
 * starts the replica (100 ms) in a child process and prints the figures; `npm run bench` runs the
 * same measurement as part of the suite. Uses the built package (`npm run build` first).
 */
import { fileURLToPath } from 'node:url';
import { entryUrl } from './lib/dist.js';
import { fmtMs, type Summary, summarize, time, timeSync } from './lib/measure.js';
import { startReplicaProcess } from './lib/replica.js';

import type { Lib } from './lib/scenario.js';

export interface MakeAsyncDemoResult {
  readonly latency: number;
  /** The blocking transport, three requests one after another. */
  readonly blockingSerial: Summary;
  /** makeAsync over it, three requests together, a fresh pool each time (threads start). */
  readonly pooledCold: Summary;
  /** The same on a warm pool. */
  readonly pooledWarm: Summary;
}

const IDS = [1, 10, 100];

export async function makeAsyncDemo(
  lib: Lib,
  apiUrl: string,
  latency: number,
  reps = 5,
): Promise<MakeAsyncDemoResult> {
  const request = (id: number) => ({ method: 'GET' as const, url: `${apiUrl}/character/${id}` });
  const check = (response: { status: number }) => {
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  };
  const blocking = lib.createBlockingTransport();
  // idleTimeout: the warm pool must stay warm between repetitions (the default is 1 s).
  const warm = lib.makeAsync(lib.createBlockingTransport(), { idleTimeout: 60_000 });
  const serial: number[] = [];
  const cold: number[] = [];
  const hot: number[] = [];
  try {
    check(blocking.requestSync(request(1)));
    // Warm every pool thread that three requests at once use (each also starts its own worker).
    for (let i = 0; i < 2; i++)
      (await Promise.all(IDS.map((id) => warm.request(request(id))))).forEach(check);
    for (let rep = 0; rep < reps; rep++) {
      serial.push(
        timeSync(() => {
          for (const id of IDS) check(blocking.requestSync(request(id)));
        }),
      );
      hot.push(
        await time(async () =>
          (await Promise.all(IDS.map((id) => warm.request(request(id))))).forEach(check),
        ),
      );
      const fresh = lib.makeAsync(lib.createBlockingTransport());
      try {
        cold.push(
          await time(async () =>
            (await Promise.all(IDS.map((id) => fresh.request(request(id))))).forEach(check),
          ),
        );
      } finally {
        await fresh.close();
      }
    }
  } finally {
    await Promise.all([blocking.close(), warm.close()]);
  }
  return {
    latency,
    blockingSerial: summarize(serial),
    pooledCold: summarize(cold),
    pooledWarm: summarize(hot),
  };
}

export function describeDemo(result: MakeAsyncDemoResult): string {
  const L = result.latency;
  const line = (label: string, s: Summary) =>
    `- ${label}: ${fmtMs(s.median)} median (${(s.median / L).toFixed(2)} x L; min ${fmtMs(s.min)}, max ${fmtMs(s.max)}, n=${s.n})`;
  return [
    `Three requests for characters ${IDS.join(', ')}, server latency L = ${L} ms:`,
    line('blocking transport, one after another', result.blockingSerial),
    line('makeAsync(createBlockingTransport()), together, warm pool', result.pooledWarm),
    line(
      'makeAsync(createBlockingTransport()), together, fresh pool (threads start)',
      result.pooledCold,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const latency = 100;
  const replica = await startReplicaProcess([latency]);
  try {
    const lib = (await import(entryUrl('.'))) as Lib;
    const result = await makeAsyncDemo(lib, replica.urls[latency]!, latency);
    console.log(describeDemo(result));
  } finally {
    await replica.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
