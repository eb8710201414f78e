import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How a child process ended. */
export interface ScriptResult {
  /** The exit code, or null when the hang guard had to kill it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether the hang guard killed it because it did not exit by itself. */
  readonly hung: boolean;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `node TSX_LAUNCHER script.ts args...` runs a script as `node --import tsx` would (see the file). */
export const TSX_LAUNCHER = fileURLToPath(new URL('./tsx-launcher.mjs', import.meta.url));

/**
 * Runs a TypeScript script with tsx (as `node --import tsx` would, through tsx-launcher.mjs) in a child process and waits for it to exit by
 * itself. `hangGuardMs` is not a timing assertion: it only keeps a script that never exits from
 * hanging the test run; the result then says `hung: true`.
 */
export function runScript(
  script: URL,
  args: readonly string[] = [],
  hangGuardMs = 20_000,
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX_LAUNCHER, fileURLToPath(script), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const guard = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, hangGuardMs);
    child.once('error', (error) => {
      clearTimeout(guard);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, hung });
    });
  });
}
