import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How a child process ended. */
export interface NodeRun {
  /** The exit code, or null when the hang guard had to kill it. */
  readonly code: number | null;
  /** The signal that ended it, if one did. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether the hang guard killed it because it did not exit by itself. */
  readonly hung: boolean;
}

export interface RunNodeOptions {
  /** The program to run instead of this Node (`process.execPath`): another Node, Bun, Deno. */
  readonly bin?: string;
  /** Written to the child's stdin, which is then closed. Default: nothing (stdin is closed). */
  readonly stdin?: string;
  /** Default: the repository's root. */
  readonly cwd?: string;
  /** Added to this process's environment, `NODE_OPTIONS` cleared. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Only keeps a child that never exits from hanging the run: not a timing assertion. The result
   * then says `hung: true`. Default: 30 s.
   */
  readonly hangGuardMs?: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `bin args…` (by default this Node) in a child process and waits for it to exit. */
export function runNode(args: readonly string[], options: RunNodeOptions = {}): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.bin ?? process.execPath, args, {
      cwd: options.cwd ?? ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '', ...options.env },
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
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
    const guard = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, options.hangGuardMs ?? 30_000);
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

/** The last line of `stdout` that parses as JSON: what a probe script reports. */
export function reported<T = Record<string, unknown>>(run: NodeRun): T {
  const lines = run.stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{') && !line.startsWith('[')) continue;
    try {
      return JSON.parse(line) as T;
    } catch {
      // Not this one.
    }
  }
  throw new Error(
    `The child reported nothing (exit ${run.code}${run.hung ? ', hung' : ''})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`,
  );
}
