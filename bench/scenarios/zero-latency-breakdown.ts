/**
 * Part of scenario 3: where the client's per-request cost goes. The same requests through ever
 * more of the stack (bench/lib/layers.ts), the stack over an in-memory `fetch`, and single steps
 * (bench/lib/micro.ts); and the finding on the throughput target written from those figures.
 */
import { getJson } from '../lib/checks.js';
import { type LayerResult, measureLayers } from '../lib/layers.js';
import { table } from '../lib/measure.js';
import { type MicroStep, measureInMemoryStack, measureMicro } from '../lib/micro.js';
import type { RecordSchema } from '../lib/record-schema.js';
import type { BenchContext } from '../lib/scenario.js';

/** Plain data: the three breakdowns and their sizes. */
export interface Breakdown {
  readonly layerRequests: number;
  readonly layerReps: number;
  readonly concurrency: number;
  readonly layers: readonly LayerResult[];
  readonly microIterations: number;
  readonly microReps: number;
  readonly stack: readonly MicroStep[];
  readonly steps: readonly MicroStep[];
}

export async function measureBreakdown(
  context: BenchContext,
  schema: RecordSchema,
  total: number,
  concurrency: number,
): Promise<Breakdown> {
  const { lib, zeroUrl: baseUrl, log } = context;
  const layerRequests = context.quick ? 500 : 1500;
  const layerReps = context.quick ? 2 : 5;
  const microIterations = context.quick ? 1000 : 3000;
  const microReps = context.quick ? 3 : 7;
  log('bench: 3b. layers');
  const layers = await measureLayers(lib, schema, baseUrl, {
    requests: layerRequests,
    concurrency,
    reps: layerReps,
    total,
    log,
  });
  log('bench: 3c. in-memory stack and single steps');
  const body = JSON.stringify(await getJson(`${baseUrl}/character/1`));
  const micro = { iterations: microIterations, reps: microReps };
  const stack = await measureInMemoryStack(lib, body, baseUrl, micro);
  const steps = measureMicro(schema, body, `${baseUrl}/character/1`, micro);
  return {
    layerRequests,
    layerReps,
    concurrency,
    layers,
    microIterations,
    microReps,
    stack,
    steps,
  };
}

const us = (value: number) => `${value.toFixed(0)} µs`;

function layerCpu(data: Breakdown, id: string): number {
  return data.layers.find((entry) => entry.layer.id === id)?.cpuUs ?? Number.NaN;
}

function stepUs(data: Breakdown, id: string): number {
  return [...data.stack, ...data.steps].find((step) => step.id === id)?.us ?? Number.NaN;
}

function layerTable(data: Breakdown): string {
  const rows = data.layers.map((layer, index) => {
    const before = index === 0 ? undefined : data.layers[index - 1]!;
    return [
      layer.layer.label + (layer.result.error ? ` (failed: ${layer.result.error})` : ''),
      `${layer.rps.toFixed(0)}/s`,
      us(layer.cpuUs),
      before ? us(layer.cpuUs - before.cpuUs) : '–',
      layer.layer.adds,
    ];
  });
  return (
    `### Where the client's cost goes: layer by layer (${data.layerRequests} requests, ${data.concurrency} in flight, median of ${data.layerReps})\n\n` +
    'The same requests through ever more of the stack, from raw `fetch` to `getCharacterAsync`; ' +
    '`added` is the CPU a request this layer adds to the one above it. Over a socket, on shared ' +
    'cores, differences of a few tens of µs are within noise; the in-memory table below isolates ' +
    'the layers without it.\n\n' +
    table(['stack', 'requests/s', 'CPU a request', 'added', 'what the layer adds'], rows)
  );
}

function microRow(step: MicroStep, before?: MicroStep): string[] {
  return [
    step.label,
    `${step.us.toFixed(1)} µs`,
    `${step.minUs.toFixed(1)} – ${step.maxUs.toFixed(1)}`,
    before ? `${(step.us - before.us).toFixed(1)} µs` : '–',
    step.where,
  ];
}

function microTables(data: Breakdown): string {
  const stackOrder = ['mem-fetch', 'mem-ky', 'mem-transport', 'mem-client'];
  const stackRows = data.stack.map((step) => {
    const index = stackOrder.indexOf(step.id);
    const before =
      index > 0 ? data.stack.find((other) => other.id === stackOrder[index - 1]) : undefined;
    return microRow(step, before);
  });
  return (
    `### The stack without the network (in-memory \`fetch\`, ${data.microIterations} calls one after another, median of ${data.microReps})\n\n` +
    'Each layer over an in-memory `fetch` that answers with a ready `Response`: no socket, no ' +
    'server, so these figures are stable. `added` is over the row above it.\n\n' +
    table(['stack', 'a call', 'min – max', 'added', 'what'], stackRows) +
    `\n\n### Single steps the profiles point at (${data.microIterations} in a tight loop, median of ${data.microReps})\n\n` +
    table(
      ['step', 'each', 'min – max', '', 'where the client does it'],
      data.steps.map((step) => microRow(step)),
    )
  );
}

export function renderBreakdown(data: Breakdown): string {
  return `${layerTable(data)}\n\n${microTables(data)}`;
}

/**
 * Why the client's throughput is below raw `fetch`: the figures of this run, the attributions found
 * with `node --cpu-prof` (bench/profile.ts). `gc`: GC shares of the appendix profiles, when run.
 */
export function throughputFinding(
  data: Breakdown,
  gc: { readonly ours: number | undefined; readonly fetch: number | undefined },
): string {
  const layer = (id: string) => layerCpu(data, id);
  const step = (id: string) => stepUs(data, id);
  const kyOverSocket = layer('ky') - layer('fetch-signal');
  const kyInMemory = step('mem-ky') - step('mem-fetch');
  return (
    `the client is CPU-bound on its own thread: ${us(layer('client'))} of CPU a request against ` +
    `${us(layer('fetch-text'))} for \`fetch\` + \`JSON.parse\` (layer table). Without the network ` +
    `(in-memory table) the whole stack costs ${us(step('mem-client'))} a call against ` +
    `${us(step('mem-fetch'))} for making and reading a \`Response\`; of the difference, ` +
    `**ky takes ${us(kyInMemory)}**, the rest of the HTTP transport ` +
    `${us(step('mem-transport') - step('mem-ky'))} and the client layer ` +
    `${us(step('mem-client') - step('mem-transport'))}: these are floors. Over a real socket, ` +
    `10 in flight, the layer table puts ky at +${us(kyOverSocket)} and the ` +
    `client layer at +${us(layer('client') - layer('transport-zod'))}` +
    (kyOverSocket > 1.2 * kyInMemory
      ? " (undici's `fetch` copies the `Request` ky built once more and follows its signal; and " +
        'with 10 calls in flight more of what each layer allocates lives long enough to cost GC' +
        (gc.ours !== undefined && gc.fetch !== undefined
          ? `: GC is ${gc.ours.toFixed(0)} % of the client's profile against ` +
            `${gc.fetch.toFixed(0)} % of fetch's, appendix)`
          : ')')
      : '') +
    '. Per request ky builds a ' +
    '`Request` and joins two signals with `AbortSignal.any`, then `clone()`s it for retries it ' +
    `never makes (${us(step('request'))} for that step alone, single-steps table). Configured ` +
    'with `retry: 0, throwHttpErrors: false, timeout: false`, ky does nothing here that ' +
    'src/transports/http.ts does not do itself (timeout, body cap, error mapping): **calling ' +
    '`fetch` directly there is the fix**, and it also removes ky from the bundle and its ' +
    "import-time probe (`new Request(…, { body: new ReadableStream() })` in ky's constants.js " +
    'loads undici and web streams when the client is imported). In the transport, `readCapped` ' +
    'reads the body chunk by chunk with a `TextDecoder`; in the client layer, the steps the ' +
    'profile shows are `controller.abort()` at the end of every call (`#async` in src/client.ts, ' +
    `\`.finally(() => controller.abort())\`: ${us(step('abort'))}, half of it the ` +
    `\`DOMException\` made as the default reason; ${us(step('abort-shared'))} with a shared reason), ` +
    `\`allowManyListeners\` on every call (${us(step('max-listeners'))}) and zod ` +
    `(${us(step('zod'))}); the rest is promise and generator machinery (gensync, p-limit, ` +
    'retry, redirects: the async twin costs ' +
    `${us(step('mem-client-canned'))} over a ready answer, the blocking twin ` +
    `${us(step('mem-client-sync'))}) and the garbage it leaves.`
  );
}
