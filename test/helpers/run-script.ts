import { fileURLToPath } from 'node:url';
import { type NodeRun, runNode } from './run-node.js';

/** How a script's process ended. */
export type ScriptResult = NodeRun;

/** `node TSX_LAUNCHER script.ts args...` runs a script as `node --import tsx` would (see the file). */
export const TSX_LAUNCHER = fileURLToPath(new URL('./tsx-launcher.mjs', import.meta.url));

/**
 * Runs a TypeScript script with tsx (as `node --import tsx` would, through tsx-launcher.mjs) in a
 * child process, from the repository's root, and waits for it to exit by itself. `hangGuardMs` is
 * not a timing assertion: it only keeps a script that never exits from hanging the test run; the
 * result then says `hung: true`.
 */
export function runScript(
  script: URL,
  args: readonly string[] = [],
  hangGuardMs = 20_000,
): Promise<ScriptResult> {
  return runNode([TSX_LAUNCHER, fileURLToPath(script), ...args], { hangGuardMs });
}
