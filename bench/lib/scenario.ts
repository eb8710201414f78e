/**
 * What a benchmark scenario is. A scenario measures (I/O, against the built package and the
 * replica) and returns its results as plain data; it renders its own section of the report from
 * that data alone (a pure function). The runner (bench/run.ts) runs the chosen scenarios in order,
 * and the report writer (bench/report.ts) puts their sections, targets and findings together.
 *
 * Adding a scenario: one file in bench/scenarios/ exporting a `Scenario`, and one line in the list
 * in bench/scenarios/index.ts (see bench/README.md).
 */
import type { ReplicaProcess } from './replica.js';

/** The package's root entry, as its public API (types from src/, the module from the built dist/). */
export type Lib = typeof import('../../src/index.js');

/** What the runner gives every scenario. Nothing in it changes while scenarios run. */
export interface BenchContext {
  /** The built package's root entry (`import('rickmorty-client')` of the snapshot). */
  readonly lib: Lib;
  /** The replica process: one server answering after `latency` ms, one at once. */
  readonly replica: ReplicaProcess;
  /** L: the slow server's latency in ms, the physical limit of one round trip. */
  readonly latency: number;
  /** Base URL (`http://127.0.0.1:…/api`) of the server with latency L. */
  readonly latencyUrl: string;
  /** Base URL of the server that answers at once. */
  readonly zeroUrl: string;
  /** `--quick`: fewer repetitions. */
  readonly quick: boolean;
  /** Progress lines (stderr). */
  readonly log: (line: string) => void;
}

/** A target of the suite and whether this run met it. */
export interface Target {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  /** undefined: not applicable in this run. */
  readonly met: boolean | undefined;
}

/** What a scenario's measurement returns: plain data. */
export interface ScenarioResult<D> {
  /** The figures the scenario's `render` turns into its section. */
  readonly data: D;
  readonly targets: readonly Target[];
  /**
   * Why a target is missed, by target name: the figures come from this run, the attributions from
   * profiling. Shown under "Missed targets" only while the target is missed.
   */
  readonly findings?: Readonly<Record<string, string>>;
}

/** A scenario's part of the report. */
export interface Rendered {
  /** The section, heading included (`## 1. …`). */
  readonly section: string;
  /** Blocks for the appendix at the end of the report (profiles of missed targets). */
  readonly appendix?: readonly string[];
}

export interface Scenario<D = unknown> {
  /** For `npm run bench -- --only <id>`. */
  readonly id: string;
  /** Short name for progress lines and for the section of a scenario that failed. */
  readonly title: string;
  /** Bullets for the report's Notes section (the same note from two scenarios is shown once). */
  readonly notes?: readonly string[];
  measure(context: BenchContext): Promise<ScenarioResult<D>>;
  /** Pure: the section from the data alone (method syntax, so that a list can hold any `D`). */
  render(data: D): Rendered;
}

/** What the runner hands the report writer for each scenario it ran. */
export type Outcome =
  | { readonly scenario: Scenario; readonly result: ScenarioResult<unknown> }
  | { readonly scenario: Scenario; readonly error: string };

/** Identity, for type inference: `export const trio = defineScenario({ … })`. */
export function defineScenario<D>(scenario: Scenario<D>): Scenario<D> {
  return scenario;
}
