import { spawn } from 'node:child_process';
import { ROOT } from './dist.js';

/**
 * Runs `node <args>` from the repo root and collects its output. `timeoutMs` is a hang guard: a
 * child still running then is killed, and its result says so through a null `code`.
 */
export function runChild(
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<{ stdout: string; stderr: string; code: number | null; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, wallMs: performance.now() - start });
    });
  });
}
