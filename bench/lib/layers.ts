/**
 * Where the client's per-request cost goes: the same zero-latency requests (10 in flight) made
 * through ever more of the client's layers, from raw `fetch` up to `getCharacterAsync`, each
 * measured by this process's CPU time per request. The difference between two neighbouring layers
 * is what the added layer costs.
 */
import ky from 'ky';
import { runPool } from './measure.js';
import type { RecordSchema } from './record-schema.js';
import type { Lib } from './scenario.js';
import { runWays, type Way, type WayResult } from './suite.js';

export interface Layer {
  readonly id: string;
  readonly label: string;
  /** What this layer adds to the one before. */
  readonly adds: string;
}

export const LAYERS: readonly Layer[] = [
  { id: 'fetch-text', label: '`fetch` + `text()` + `JSON.parse`', adds: '(baseline)' },
  {
    id: 'fetch-reader',
    label: '`fetch` + body reader loop + `TextDecoder` + `JSON.parse`',
    adds: 'reading the body chunk by chunk (what `readCapped` in transports/http.ts does)',
  },
  {
    id: 'fetch-signal',
    label: '… + an `AbortController` signal and a `setTimeout` timer per request',
    adds: "the transport's own timeout (controller, signal listener, timer)",
  },
  {
    id: 'ky',
    label:
      "`ky.create({ retry: 0, throwHttpErrors: false, timeout: false, redirect: 'manual' }).get()` + reader",
    adds: 'ky: a `Request` built, `AbortSignal.any`, `Request.clone()`, hooks machinery',
  },
  {
    id: 'transport',
    label: '`createHttpTransport().request()` + `JSON.parse`',
    adds: 'the rest of the HTTP transport (headers copied to an object, error mapping)',
  },
  {
    id: 'transport-zod',
    label: '… + `characterSchema.safeParse` (zod/mini)',
    adds: 'validating the record with zod',
  },
  {
    id: 'client',
    label: '`client.getCharacterAsync(id)` (`batch: false`, `dedupe: false`)',
    adds: 'the client: gensync operation, options checks, p-limit slot, retry policy, `AbortController` + `abort()` per call, status/redirect handling',
  },
];

/** Plain data: the layer and what it measured. */
export interface LayerResult {
  readonly layer: Layer;
  readonly result: WayResult;
  /** CPU microseconds a request (median over repetitions). */
  readonly cpuUs: number;
  readonly rps: number;
}

async function readAll(response: Response): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

export async function measureLayers(
  lib: Lib,
  schema: RecordSchema,
  baseUrl: string,
  options: {
    requests: number;
    concurrency: number;
    reps: number;
    total: number;
    log?: (line: string) => void;
  },
): Promise<LayerResult[]> {
  const { requests, concurrency, total } = options;
  const urlAt = (i: number) => `${baseUrl}/character/${(i % total) + 1}`;
  const api = ky.create({ retry: 0, throwHttpErrors: false, timeout: false, redirect: 'manual' });
  const transport = lib.createHttpTransport();
  const client = new lib.RickMortyClient({ baseUrl, batch: false, dedupe: false });
  const one: Record<string, (i: number) => Promise<unknown>> = {
    'fetch-text': async (i) => JSON.parse(await (await fetch(urlAt(i))).text()),
    'fetch-reader': async (i) =>
      JSON.parse(await readAll(await fetch(urlAt(i), { redirect: 'manual' }))),
    'fetch-signal': async (i) => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 10_000);
      try {
        return JSON.parse(
          await readAll(await fetch(urlAt(i), { redirect: 'manual', signal: controller.signal })),
        );
      } finally {
        clearTimeout(timer);
      }
    },
    ky: async (i) => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 10_000);
      try {
        return JSON.parse(await readAll(await api.get(urlAt(i), { signal: controller.signal })));
      } finally {
        clearTimeout(timer);
      }
    },
    transport: async (i) =>
      JSON.parse((await transport.request({ method: 'GET', url: urlAt(i) })).body),
    'transport-zod': async (i) => {
      const parsed = schema.safeParse(
        JSON.parse((await transport.request({ method: 'GET', url: urlAt(i) })).body),
      );
      if (!parsed.success) throw new Error('invalid record');
      return parsed.data;
    },
    client: (i) => client.getCharacterAsync((i % total) + 1),
  };
  const ways: Way[] = LAYERS.map((layer) => ({
    id: layer.id,
    label: layer.label,
    run: () => runPool(requests, concurrency, one[layer.id]!),
    warmup: () => runPool(300, concurrency, one[layer.id]!),
  }));
  try {
    const results = await runWays(ways, {
      reps: options.reps,
      ...(options.log ? { log: options.log } : {}),
    });
    return results.map((result, index) => ({
      layer: LAYERS[index]!,
      result,
      cpuUs: (result.cpuMs.median / requests) * 1000,
      rps: (requests / result.ms.median) * 1000,
    }));
  } finally {
    await client.close();
  }
}
