import { spawn } from 'node:child_process';
import { ROOT } from './dist.js';

export interface ChildResult {
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code; null when the child was killed (the hang guard, or a signal). */
  readonly code: number | null;
  /** Milliseconds from just before `spawn` to the child's exit. */
  readonly wallMs: number;
  /** Each line the child wrote on stdout, with its arrival time (ms since just before `spawn`). */
  readonly lines: readonly { readonly text: string; readonly atMs: number }[];
}

/**
 * Runs `node <args>` (from the repo root unless `cwd` says otherwise) and collects its output.
 * `timeoutMs` is a hang guard: a child still running then is killed, and its result says so through
 * a null `code`.
 */
export function runChild(
  args: readonly string[],
  timeoutMs = 60_000,
  options: { readonly cwd?: string } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines: { text: string; atMs: number }[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      const atMs = performance.now() - start;
      stdout += chunk;
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) lines.push({ text, atMs });
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
      const wallMs = performance.now() - start;
      if (partial) lines.push({ text: partial, atMs: wallMs });
      resolve({ stdout, stderr, code, wallMs, lines });
    });
  });
}

/** The last line of a child's stdout, parsed as JSON (children report their figures that way). */
export function lastJsonLine<T>(stdout: string): T {
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as T;
}
