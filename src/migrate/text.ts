/**
 * A change to a source text. Edits are collected against the original text and applied in one
 * pass, so that no rewrite has to re-find nodes that an earlier rewrite moved.
 */
export interface Edit {
  readonly pos: number;
  /** Equal to `pos` for an insertion. */
  readonly end: number;
  readonly text: string;
  /**
   * Orders edits at one position: 0 closes (`)` after an inner call), 1 opens (`await (`), 2
   * replaces. Within 0 the smaller range goes first, within 1 the larger: the outer
   * `await ` must come before the inner `(await `.
   */
  readonly order: 0 | 1 | 2;
  /** The length of the node the edit wraps, for the order within a group. */
  readonly span: number;
  /** The node whose rewrite this edit belongs to, to show each rewrite on its own. */
  readonly owner?: object;
  /**
   * Never moved into the async copy of a function it happens to lie in or at the edge of: an
   * import, an export, the wrapper of a module's top level, a copy inserted after its original.
   */
  readonly detached?: boolean;
}

function compare(a: Edit, b: Edit): number {
  if (a.pos !== b.pos) return a.pos - b.pos;
  if (a.order !== b.order) return a.order - b.order;
  return a.order === 0 ? a.span - b.span : b.span - a.span;
}

/** Applies edits to `text`, where every edit's positions are offsets into `text` plus `base`. */
export function applyEdits(text: string, edits: readonly Edit[], base = 0): string {
  const sorted = [...edits].sort(compare);
  let out = '';
  let cursor = 0;
  for (const edit of sorted) {
    const pos = edit.pos - base;
    const end = edit.end - base;
    if (pos < cursor) {
      throw new Error(`Internal error: overlapping edits at offset ${edit.pos}`);
    }
    out += text.slice(cursor, pos) + edit.text;
    cursor = end;
  }
  return out + text.slice(cursor);
}

// --- Unified diff ---------------------------------------------------------------------------

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Myers' O((N+M)D) shortest edit script over lines. */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0));
      let x = down ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace back from the end to recover the script.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const row = trace[d];
    if (!row) break;
    const k = x - y;
    const down = k === -d || (k !== d && (row[offset + k - 1] ?? 0) < (row[offset + k + 1] ?? 0));
    const previousK = down ? k + 1 : k - 1;
    const previousX = row[offset + previousK] ?? 0;
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      ops.push({ kind: ' ', line: a[x - 1] ?? '' });
      x--;
      y--;
    }
    if (d > 0) {
      if (down) ops.push({ kind: '+', line: b[y - 1] ?? '' });
      else ops.push({ kind: '-', line: a[x - 1] ?? '' });
    }
    x = previousX;
    y = previousY;
  }
  return ops.reverse();
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * A unified diff of one file (`--- a/file`, `+++ b/file`, hunks with three lines of context), or
 * an empty string when nothing changed.
 */
export function unifiedDiff(file: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ops = diffLines(splitLines(before), splitLines(after));
  const out: string[] = [`--- a/${file}`, `+++ b/${file}`];
  let index = 0;
  while (index < ops.length) {
    while (index < ops.length && ops[index]?.kind === ' ') index++;
    if (index >= ops.length) break;
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is no more than 2 * context lines of sameness away.
    const start = Math.max(0, index - context);
    let end = index;
    let same = 0;
    for (let scan = index; scan < ops.length; scan++) {
      if (ops[scan]?.kind === ' ') {
        same++;
        if (same > 2 * context) break;
      } else {
        same = 0;
        end = scan;
      }
    }
    const stop = Math.min(ops.length, end + context + 1);
    let oldLine = 1;
    let newLine = 1;
    for (let scan = 0; scan < start; scan++) {
      if (ops[scan]?.kind !== '+') oldLine++;
      if (ops[scan]?.kind !== '-') newLine++;
    }
    let oldCount = 0;
    let newCount = 0;
    const body: string[] = [];
    for (let scan = start; scan < stop; scan++) {
      const op = ops[scan];
      if (!op) continue;
      if (op.kind !== '+') oldCount++;
      if (op.kind !== '-') newCount++;
      body.push(`${op.kind}${op.line}`);
    }
    const range = (line: number, count: number): string =>
      count === 0 ? `${line - 1},0` : count === 1 ? `${line}` : `${line},${count}`;
    out.push(`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@`, ...body);
    index = stop;
  }
  return `${out.join('\n')}\n`;
}
