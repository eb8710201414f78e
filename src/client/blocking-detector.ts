/**
 * `rickmorty-client/blocking-detector`: a debug aid in the spirit of asyncio's debug mode. It
 * notices blocking twins that run where they hold up the event loop, and names the line that
 * called them. The client uses it with `detectBlocking`; this entry is for wrapping blocking
 * functions of your own.
 *
 * Browser-safe: Node's `async_hooks` is reached through `process.getBuiltinModule` at run time, so
 * a bundler never sees a static import of it. Without it (browsers, old Node) only slow calls are
 * reported.
 *
 * @module blocking-detector
 */
import type * as AsyncHooks from 'node:async_hooks';
import { InvalidArgumentError, RickMortyError } from '../errors/classes.js';
import { assertOptionsObject } from '../internal/checks.js';
import { nodeBuiltin } from '../internal/node.js';

/** Where a blocking twin was called from. */
export interface BlockingCallSite {
  /** The file, relative to the working directory when it lies inside it, with `/` separators. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The calling function's name as the stack trace gives it, when it has one. */
  readonly functionName: string | undefined;
}

/** What the detector found. */
export interface BlockingReport {
  /**
   * `'async-context'`: the blocking twin ran while the event loop was running a callback or a
   * promise job (code after an `await`, a timer, an I/O callback), not the program's initial
   * synchronous run. `'slow-call'`: one call held the thread longer than `thresholdMs`.
   */
  readonly kind: 'async-context' | 'slow-call';
  /** The blocking twin, e.g. `'getCharacter'`. */
  readonly method: string;
  /** Its async twin, e.g. `'getCharacterAsync'`. */
  readonly asyncTwin: string;
  /** The first stack frame outside this library, when one was found. */
  readonly callSite: BlockingCallSite | undefined;
  /** `file:line:column` of the call site, or `an unknown call site`. */
  readonly location: string;
  /**
   * For `'async-context'`: what the event loop was running (`'promise'`, `'timer'`,
   * `'immediate'`, `'tick'`, `'microtask'`, or Node's resource name such as `'FSReqCallback'`).
   */
  readonly context: string | undefined;
  /** For `'slow-call'`: how long the call held the thread, in milliseconds. */
  readonly durationMs: number | undefined;
  readonly thresholdMs: number;
  /** One line for humans, e.g. `Blocking call getCharacter() inside an async context at src/app.ts:12:7; use await getCharacterAsync() instead`. */
  readonly message: string;
  /** The stack trace taken when the blocking twin was entered. */
  readonly stack: string;
}

/** Options of `createBlockingDetector`. */
export interface BlockingDetectorOptions {
  /** Report a call that holds the thread longer than this many milliseconds. Default: 100. */
  thresholdMs?: number;
  /** Receives each report. Default: `console.warn(report.message)`. */
  onReport?: (report: BlockingReport) => void;
}

/** Wraps the body of each blocking twin. */
export interface BlockingDetector {
  /**
   * Runs `call` (the body of the blocking twin `method`) and reports it if it runs in an async
   * context or takes longer than the threshold. Returns what `call` returns; rethrows what it throws.
   */
  run<R>(method: string, asyncTwin: string, call: () => R): R;
}

type AsyncHooksModule = typeof AsyncHooks;

function nodeProcess(): { cwd?: () => string } | undefined {
  const candidate = (globalThis as { process?: unknown }).process;
  return typeof candidate === 'object' && candidate !== null
    ? (candidate as { cwd?: () => string })
    : undefined;
}

let hooks: AsyncHooksModule | null | undefined;

/**
 * Node assigns promise jobs an async id only while some async hook is enabled; without one, code
 * after an `await` reports id 0, the same as the top level of an ES module. An empty hook turns
 * that tracking on for the whole process, once, and only when a detector is created.
 */
function asyncHooks(): AsyncHooksModule | null {
  if (hooks !== undefined) return hooks;
  const module = nodeBuiltin('node:async_hooks');
  const threads = nodeBuiltin('node:worker_threads');
  // A worker thread is where blocking calls belong (makeAsync runs them there), and a CommonJS
  // worker script runs even its top level inside a MessagePort callback: no async check there.
  if (module === undefined || threads?.isMainThread === false) {
    hooks = null;
    return hooks;
  }
  module.createHook({}).enable();
  hooks = module;
  return hooks;
}

/**
 * What the event loop is running, or `undefined` during the program's initial synchronous run.
 * Measured on Node 20 with promise tracking on: the top level of the main module runs with
 * `executionAsyncId()` 0 (ES module, also under tsx) or 1 (CommonJS); every callback, tick and
 * promise job gets an id above 1.
 */
function asyncContext(module: AsyncHooksModule): string | undefined {
  if (module.executionAsyncId() <= 1) return undefined;
  const resource: unknown = module.executionAsyncResource();
  const name =
    typeof resource === 'object' && resource !== null ? resource.constructor?.name : undefined;
  switch (name) {
    case 'Promise':
      return 'promise';
    case 'Timeout':
      return 'timer';
    case 'Immediate':
      return 'immediate';
    case 'AsyncResource':
      return 'microtask';
    case 'Object':
    case undefined:
      // process.nextTick callbacks run with a plain `{ callback, args }` object.
      return 'tick';
    default:
      return name;
  }
}

// --- Stack frames ---------------------------------------------------------------------------

interface Frame {
  readonly functionName: string | undefined;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

const V8_FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?\s*$/;
const GECKO_FRAME = /^\s*([^@]*)@(.+?):(\d+):(\d+)\s*$/;

function normalizeFile(location: string): string {
  let file = location.replace(/[?#].*$/, '');
  if (file.startsWith('file://')) {
    file = file.slice('file://'.length);
    try {
      file = decodeURIComponent(file);
    } catch {
      // A malformed escape: keep the text as it is rather than lose the frame.
    }
    // file:///C:/dir → C:/dir
    if (/^\/[A-Za-z]:\//.test(file)) file = file.slice(1);
  }
  return file.replace(/\\/g, '/');
}

function parseStack(stack: string | undefined): Frame[] {
  const frames: Frame[] = [];
  for (const text of (stack ?? '').split('\n')) {
    const match = V8_FRAME.exec(text) ?? GECKO_FRAME.exec(text);
    if (!match) continue;
    const [, rawName, location, line, column] = match;
    if (location === undefined || location.includes('(eval at ')) continue;
    const name = rawName
      ?.replace(/^async /, '')
      .replace(/^new /, '')
      .replace(/ \[as .*\]$/, '')
      .trim();
    frames.push({
      functionName: name === undefined || name === '' ? undefined : name,
      file: normalizeFile(location),
      line: Number(line),
      column: Number(column),
    });
  }
  return frames;
}

function ownFile(): string | undefined {
  return parseStack(new Error().stack)[0]?.file;
}

/** The file this module was loaded from, as stack traces spell it. */
const OWN_FILE = ownFile();

/**
 * The package's own code lives in its `src/` (run from source) or `dist/` (the build, chunks
 * included): the nearest such folder above this file, so that a project that happens to sit
 * inside someone's `~/src/` is not mistaken for the library.
 */
const LIBRARY_PREFIXES: readonly string[] = (() => {
  if (OWN_FILE === undefined) return [];
  const at = Math.max(OWN_FILE.lastIndexOf('/src/'), OWN_FILE.lastIndexOf('/dist/'));
  if (at < 0) return [];
  const root = OWN_FILE.slice(0, at);
  return [`${root}/src/`, `${root}/dist/`];
})();

function isLibraryFile(file: string): boolean {
  return file === OWN_FILE || LIBRARY_PREFIXES.some((prefix) => file.startsWith(prefix));
}

function isRuntimeFile(file: string): boolean {
  return (
    file.startsWith('node:') ||
    file.startsWith('internal/') ||
    file === 'native' ||
    file === '<anonymous>' ||
    !/[/\\]|^[A-Za-z]:/.test(file)
  );
}

function namesMethod(functionName: string | undefined, method: string): boolean {
  return functionName === method || functionName?.endsWith(`.${method}`) === true;
}

/**
 * The first frame past the blocking twin itself that is neither the library's nor the runtime's.
 * Two rules, so that either alone is enough: frames in the package's own files are skipped, and
 * the search starts after the frame of the twin (`RickMortyClient.getCharacter`), which also
 * covers a client bundled into the application's own file.
 */
function findCallSite(frames: readonly Frame[], method: string): Frame | undefined {
  let start = 0;
  while (start < frames.length && frames[start]?.file === OWN_FILE) start++;
  const twin = frames.findIndex(
    (frame, index) => index >= start && namesMethod(frame.functionName, method),
  );
  if (twin >= 0) start = twin + 1;
  for (let index = start; index < frames.length; index++) {
    const frame = frames[index];
    if (frame && !isLibraryFile(frame.file) && !isRuntimeFile(frame.file)) return frame;
  }
  // Everything left is "library": a bundle that holds both. Its caller's frame is still the best guess.
  return twin >= 0 ? frames[twin + 1] : undefined;
}

function displayFile(file: string): string {
  let cwd: string | undefined;
  try {
    cwd = nodeProcess()?.cwd?.();
  } catch {
    cwd = undefined;
  }
  if (cwd === undefined) return file;
  const base = `${cwd.replace(/\\/g, '/').replace(/\/$/, '')}/`;
  return file.startsWith(base) ? file.slice(base.length) : file;
}

// --- The detector ---------------------------------------------------------------------------

/** The client's generator twins (`iterateCharactersAsync`) are iterated, not awaited. */
function advice(asyncTwin: string): string {
  return /^iterate[A-Z]/.test(asyncTwin)
    ? `for await (... of ${asyncTwin}())`
    : `await ${asyncTwin}()`;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

function withDeepStack(): Error {
  // Test runners and loaders add frames; ten is too few to be sure to reach the caller.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Math.max(limit, 50);
  try {
    return new Error('blocking call');
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * `onReport`, made safe to call in the middle of a blocking call: whatever it throws is reported as
 * a process warning (on `console.error` where there is no `process`), and the call goes on. A
 * report is advice; a mistake in the code that receives it must not fail, or change, the call.
 */
function reportingSafely(onReport: (report: BlockingReport) => void) {
  return (report: BlockingReport): void => {
    try {
      onReport(report);
    } catch (error) {
      const warning = new RickMortyError(
        `detectBlocking's onReport threw while reporting ${report.method}(); the call went on`,
        { cause: error },
      );
      const process = (globalThis as { process?: { emitWarning?: (warning: Error) => void } })
        .process;
      if (typeof process?.emitWarning === 'function') process.emitWarning(warning);
      else console.error(warning);
    }
  };
}

/**
 * Creates a detector that reports blocking twins that run inside an async context, and blocking
 * calls slower than a threshold, naming the line of the caller.
 *
 * The client wraps the body of each blocking twin in `detector.run('getCharacter',
 * 'getCharacterAsync', () => ...)` when it is created with `detectBlocking`.
 *
 * @example
 * ```ts
 * const detector = createBlockingDetector({ thresholdMs: 50 });
 * const rick = detector.run('getCharacter', 'getCharacterAsync', () => fetchRickSync());
 * // inside an async function, after an await:
 * // Blocking call getCharacter() inside an async context at src/app.ts:12:7; use await getCharacterAsync() instead
 * ```
 *
 * Note: the async-context check needs Node's `async_hooks` (reached at run time through
 * `process.getBuiltinModule`). Creating a detector turns on promise tracking for the whole
 * process, which makes promises somewhat slower: it is a debugging aid, off by default. In
 * browsers only slow calls are reported.
 *
 * Note: the code of an async function up to its first `await` runs in its caller's context, so a
 * blocking call there, in an async function called from the top level, is not reported; a promise
 * job of a promise created before the first detector was made is not seen either.
 *
 * Note: nothing is checked in worker threads, where blocking calls are at home (`makeAsync` runs
 * them there); a blocking call nested in another one is reported once, for the outer call.
 */
export function createBlockingDetector(options: BlockingDetectorOptions = {}): BlockingDetector {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError('Expected `options` to be an object');
  }
  const o = assertOptionsObject(options, 'detectBlocking', ['thresholdMs', 'onReport']);
  const thresholdMs = o.thresholdMs ?? 100;
  if (typeof thresholdMs !== 'number' || Number.isNaN(thresholdMs) || thresholdMs < 0) {
    throw new InvalidArgumentError(
      `Expected \`thresholdMs\` to be a number of at least 0, got ${String(thresholdMs)}`,
    );
  }
  const given = o.onReport ?? ((report: BlockingReport) => console.warn(report.message));
  if (typeof given !== 'function') {
    throw new InvalidArgumentError('Expected `onReport` to be a function');
  }
  const onReport = reportingSafely(given as (report: BlockingReport) => void);
  const module = asyncHooks();
  let depth = 0;

  const report = (
    kind: BlockingReport['kind'],
    method: string,
    asyncTwin: string,
    trace: Error,
    details: { context?: string; durationMs?: number },
  ): void => {
    const frame = findCallSite(parseStack(trace.stack), method);
    const callSite: BlockingCallSite | undefined = frame && {
      file: displayFile(frame.file),
      line: frame.line,
      column: frame.column,
      functionName: frame.functionName,
    };
    const location = callSite
      ? `${callSite.file}:${callSite.line}:${callSite.column}`
      : 'an unknown call site';
    const what =
      kind === 'async-context'
        ? 'inside an async context'
        : `blocked the thread for ${Math.round(details.durationMs ?? 0)} ms (threshold ${thresholdMs} ms)`;
    onReport({
      kind,
      method,
      asyncTwin,
      callSite,
      location,
      context: details.context,
      durationMs: details.durationMs,
      thresholdMs,
      message: `Blocking call ${method}() ${what} at ${location}; use ${advice(asyncTwin)} instead`,
      stack: trace.stack ?? '',
    });
  };

  return {
    run<R>(method: string, asyncTwin: string, call: () => R): R {
      // An inner twin run by an outer one (a helper built on another) is the outer call's business.
      if (depth > 0) return call();
      const trace = withDeepStack();
      const context = module ? asyncContext(module) : undefined;
      depth++;
      try {
        if (context !== undefined) report('async-context', method, asyncTwin, trace, { context });
        const started = now();
        let result: R;
        try {
          result = call();
        } catch (error) {
          const durationMs = now() - started;
          if (durationMs > thresholdMs) {
            try {
              report('slow-call', method, asyncTwin, trace, { durationMs });
            } catch {
              // The call's own error is the one the caller needs to see.
            }
          }
          throw error;
        }
        const durationMs = now() - started;
        if (durationMs > thresholdMs) report('slow-call', method, asyncTwin, trace, { durationMs });
        return result;
      } finally {
        depth--;
      }
    },
  };
}
