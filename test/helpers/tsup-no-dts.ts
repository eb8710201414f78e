// The package's build (tsup.config.ts) into RICKMORTY_STAGE_DIST, without type declarations or
// source maps: for test/helpers/staged-package.ts, whose apps only run the package.
import type { Options } from 'tsup';
import config from '../../tsup.config.js';

const outDir = process.env.RICKMORTY_STAGE_DIST;
if (!outDir) throw new Error('RICKMORTY_STAGE_DIST is not set');

export default (config as Options[]).map((options) => ({
  ...options,
  outDir,
  dts: false,
  sourcemap: false,
}));
