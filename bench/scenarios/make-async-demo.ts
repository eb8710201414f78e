/**
 * The makeAsync demo (issue 3): three blocking requests at latency L through
 * `makeAsync(createBlockingTransport())` take about one L, not three. bench/make-async-demo.ts
 * measures it (and runs on its own too); this puts it in the report.
 */

import { defineScenario } from '../lib/scenario.js';
import { describeDemo, type MakeAsyncDemoResult, makeAsyncDemo } from '../make-async-demo.js';

export const makeAsyncDemoScenario = defineScenario<MakeAsyncDemoResult>({
  id: 'make-async-demo',
  title: 'makeAsync demo (issue 3)',
  async measure(context) {
    context.log('bench: makeAsync demo');
    const reps = context.quick ? 2 : 5;
    const data = await makeAsyncDemo(context.lib, context.latencyUrl, context.latency, reps);
    return { data, targets: [] };
  },
  render(data) {
    return {
      section:
        '## makeAsync demo (issue 3)\n\n' +
        '`node --import tsx bench/make-async-demo.ts` prints the same on its own, at the transport ' +
        `level.\n\n${describeDemo(data)}`,
    };
  },
});
