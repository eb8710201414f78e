/**
 * Pure-CPU costs of single steps the client takes on every request or call, each timed in a tight
 * synchronous loop (no I/O, so no noise from the server): what the profiles point at, in µs.
 */
import { performance } from 'node:perf_hooks';
import { summarize } from './measure.js';
import type { RecordSchema } from './record-schema.js';
import type { Lib } from './scenario.js';

export interface MicroStep {
  readonly id: string;
  readonly label: string;
  readonly where: string;
  /** µs per operation, median over repetitions. */
  readonly us: number;
  readonly minUs: number;
  readonly maxUs: number;
}

const SHARED_REASON = new Error('done');

export function measureMicro(
  schema: RecordSchema,
  body: string,
  url: string,
  options: { iterations: number; reps: number },
): MicroStep[] {
  const record = JSON.parse(body) as unknown;
  const events = process.getBuiltinModule('node:events') as typeof import('node:events');
  let sink: unknown;
  const steps: { id: string; label: string; where: string; run: () => void }[] = [
    {
      id: 'json',
      label: '`JSON.parse` of one character body',
      where: 'operations/request.ts `parseResponse`',
      run: () => {
        sink = JSON.parse(body);
      },
    },
    {
      id: 'zod',
      label: '`characterSchema.safeParse(record)` (zod/mini)',
      where: 'operations/request.ts `validate`',
      run: () => {
        sink = schema.safeParse(record);
      },
    },
    {
      id: 'abort',
      label: '`new AbortController()` + `abort()` (default reason: a new `DOMException`)',
      where: 'client.ts `#async`: `.finally(() => controller.abort())`, every call',
      run: () => {
        const controller = new AbortController();
        controller.abort();
        sink = controller;
      },
    },
    {
      id: 'abort-shared',
      label: '`new AbortController()` + `abort(sharedReason)`',
      where: 'the same with one reason made once',
      run: () => {
        const controller = new AbortController();
        controller.abort(SHARED_REASON);
        sink = controller;
      },
    },
    {
      id: 'controller',
      label: '`new AbortController().signal` (no abort)',
      where: 'for scale',
      run: () => {
        sink = new AbortController().signal;
      },
    },
    {
      id: 'max-listeners',
      label: "`process.getBuiltinModule('node:events').setMaxListeners(0, signal)`",
      where: 'client.ts `allowManyListeners`, every call',
      run: () => {
        const signal = new AbortController().signal;
        (process.getBuiltinModule('node:events') as typeof events).setMaxListeners(0, signal);
        sink = signal;
      },
    },
    {
      id: 'request',
      label: '`new Request(url, { signal: AbortSignal.any([a, b]) })` + `.clone()`',
      where: "ky's `Ky` constructor and `#fetch`, every request",
      run: () => {
        const own = new AbortController();
        const user = new AbortController();
        const request = new Request(url, {
          signal: AbortSignal.any([user.signal, own.signal]),
          redirect: 'manual',
        });
        sink = request.clone();
      },
    },
  ];
  const results: MicroStep[] = [];
  for (const step of steps) {
    for (let i = 0; i < Math.min(2000, options.iterations); i++) step.run();
    const samples: number[] = [];
    for (let rep = 0; rep < options.reps; rep++) {
      const start = performance.now();
      for (let i = 0; i < options.iterations; i++) step.run();
      samples.push(((performance.now() - start) / options.iterations) * 1000);
    }
    const s = summarize(samples);
    results.push({
      id: step.id,
      label: step.label,
      where: step.where,
      us: s.median,
      minUs: s.min,
      maxUs: s.max,
    });
  }
  void sink;
  return results;
}

/**
 * The client's stack with the network taken out: every layer over an in-memory `fetch` that
 * answers with a ready `Response`, awaited one call after another. What is left is the CPU of the
 * layers themselves (promises, objects, validation), without the server or the socket.
 */
export async function measureInMemoryStack(
  lib: Lib,
  body: string,
  baseUrl: string,
  options: { iterations: number; reps: number },
): Promise<MicroStep[]> {
  const ky = (await import('ky')).default;
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  const memoryFetch = async (_input: unknown, _init?: unknown) =>
    new Response(body, { status: 200, headers });
  const fetchFn = memoryFetch as unknown as typeof fetch;
  const kyApi = ky.create({
    retry: 0,
    throwHttpErrors: false,
    timeout: false,
    redirect: 'manual',
    fetch: fetchFn,
  });
  const transport = lib.createHttpTransport({ fetch: fetchFn });
  const canned = { status: 200, statusText: 'OK', headers, body };
  const overTransport = new lib.RickMortyClient({
    baseUrl,
    transport,
    batch: false,
    dedupe: false,
  });
  const overCanned = new lib.RickMortyClient({
    baseUrl,
    transport: { request: async () => canned, requestSync: () => canned },
    batch: false,
    dedupe: false,
  });
  const url = `${baseUrl}/character/1`;
  const steps: { id: string; label: string; where: string; run: () => Promise<unknown> }[] = [
    {
      id: 'mem-fetch',
      label: 'in-memory `fetch` + `text()` + `JSON.parse` (baseline: a `Response` made and read)',
      where: 'for scale',
      run: async () => JSON.parse(await (await memoryFetch(url)).text()),
    },
    {
      id: 'mem-ky',
      label: '`ky.get()` over it (retry 0, no timeout) + `text()` + `JSON.parse`',
      where: 'ky, as transports/http.ts configures it',
      run: async () => JSON.parse(await (await kyApi.get(url)).text()),
    },
    {
      id: 'mem-transport',
      label: '`createHttpTransport({ fetch }).request()` + `JSON.parse`',
      where: 'transports/http.ts: ky + timer + controller + `readCapped` + headers',
      run: async () => JSON.parse((await transport.request({ method: 'GET', url })).body),
    },
    {
      id: 'mem-client',
      label: '`getCharacterAsync(1)` over that transport',
      where: 'the whole async stack, no network',
      run: () => overTransport.getCharacterAsync(1),
    },
    {
      id: 'mem-client-canned',
      label: '`getCharacterAsync(1)` over a transport that returns a ready answer',
      where: 'the client layer alone (gensync, p-limit, retry, parse + zod, abort)',
      run: () => overCanned.getCharacterAsync(1),
    },
    {
      id: 'mem-client-sync',
      label: '`getCharacter(1)` (blocking twin) over the same ready answer',
      where: 'the same operation driven synchronously by gensync',
      run: async () => overCanned.getCharacter(1),
    },
  ];
  const results: MicroStep[] = [];
  try {
    for (const step of steps) {
      for (let i = 0; i < Math.min(1000, options.iterations); i++) await step.run();
      const samples: number[] = [];
      for (let rep = 0; rep < options.reps; rep++) {
        const start = performance.now();
        for (let i = 0; i < options.iterations; i++) await step.run();
        samples.push(((performance.now() - start) / options.iterations) * 1000);
      }
      const s = summarize(samples);
      results.push({
        id: step.id,
        label: step.label,
        where: step.where,
        us: s.median,
        minUs: s.min,
        maxUs: s.max,
      });
    }
  } finally {
    await Promise.all([overTransport.close(), overCanned.close()]);
  }
  return results;
}
