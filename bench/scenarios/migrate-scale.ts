/**
 * 6. The migration assistant at scale (issue 15): a generated project of 200 files, 2,000
 * functions and 20 blocking bottoms; the bubble report and `rickmorty migrate --all --write` timed,
 * and the program run before and after to see that it prints the same.
 */
import { fmtMs } from '../lib/measure.js';
import { defineScenario } from '../lib/scenario.js';
import {
  describeMigrateScale,
  type MigrateScaleFigures,
  measureMigrateScale,
} from '../migrate-scale.js';

export const migrateScale = defineScenario<MigrateScaleFigures>({
  id: 'migrate-scale',
  title: '6. Migration assistant at scale',
  async measure(context) {
    context.log('bench: 6. migrate at scale');
    const data = await measureMigrateScale();
    return {
      data,
      targets: [
        {
          name: 'Migrate at scale: the bubble report',
          goal: '<= 4 s',
          measured: fmtMs(data.reportMs),
          met: data.reportMs <= 4000,
        },
        {
          name: 'Migrate at scale: --all --write',
          goal: '<= 30 s, every step written, the same output',
          measured: `${fmtMs(data.allMs)}, exit ${data.allExitCode}, same output: ${data.sameOutput ? 'yes' : 'no'}`,
          met: data.allMs <= 30_000 && data.allExitCode === 0 && data.sameOutput,
        },
      ],
    };
  },
  render: (data) => ({
    section: `## 6. Migration assistant at scale\n\n${describeMigrateScale(data)}`,
  }),
});
