/**
 * The table of scenarios 1 and 2: ways of reading records at latency L, each compared with the
 * peer client's matching way and with raw `fetch` done the same way.
 */
import { fmtMs, fmtRatio, type Summary, table } from './measure.js';
import type { Way, WayResult } from './suite.js';

/** A way of scenarios 1 and 2, with the ways it is compared with. */
export interface LatencyWay extends Way {
  /** The peer's way to compare with, by id. */
  readonly peerRef?: string;
  /** The raw-fetch way to compare with, by id. */
  readonly fetchRef?: string;
}

/** A way's result with the ids it is compared with: plain data. */
export type LatencyRow = WayResult & { readonly peerRef?: string; readonly fetchRef?: string };

/** Joins results with their ways' references. */
export function latencyRows(
  results: readonly WayResult[],
  ways: readonly LatencyWay[],
): LatencyRow[] {
  return results.map((result) => {
    const way = ways.find((candidate) => candidate.id === result.id);
    return {
      ...result,
      ...(way?.peerRef === undefined ? {} : { peerRef: way.peerRef }),
      ...(way?.fetchRef === undefined ? {} : { fetchRef: way.fetchRef }),
    };
  });
}

/** `min – max`, or a dash for a single sample. */
export function range(summary: Summary): string {
  return summary.n > 1 ? `${fmtMs(summary.min)} – ${fmtMs(summary.max)}` : '–';
}

/** The median of the way `id`; NaN when it is not there. */
export function medianOf(rows: readonly WayResult[], id: string): number {
  return rows.find((row) => row.id === id)?.ms.median ?? Number.NaN;
}

/** `308 ms = 3.08 x L` */
export function xL(ms: number, latency: number): string {
  return `${fmtMs(ms)} = ${(ms / latency).toFixed(2)} x L`;
}

export function latencyTable(rows: readonly LatencyRow[], latency: number): string {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const ratio = (row: LatencyRow, ref: string | undefined) => {
    const other = ref ? byId.get(ref) : undefined;
    return other && other.ms.n > 0 ? fmtRatio(row.ms.median / other.ms.median) : '–';
  };
  return table(
    ['way', 'requests', 'median', 'min – max', 'n', 'x L', 'x peer', 'x fetch'],
    rows.map((row) => [
      row.label + (row.error ? ` (failed: ${row.error})` : ''),
      row.requests === undefined ? '–' : String(row.requests),
      fmtMs(row.ms.median),
      range(row.ms),
      String(row.ms.n),
      fmtRatio(row.ms.median / latency),
      ratio(row, row.peerRef),
      ratio(row, row.fetchRef),
    ]),
  );
}
