import type { TopLevelSpec } from "vega-lite";
import type { MachineInfo } from "./machine.js";
import type { Progress } from "./progress.js";

export type ExperimentName = "throughput" | "resilience" | "scale";

export interface ExperimentContext {
  quick: boolean;
  progress: Progress;
  machine: MachineInfo;
  /** Scratch folder for generated repositories, databases and fakes' git exports. */
  workDir: string;
}

/** What an experiment saves as `<name>.json`; the report is rendered from it alone. */
export interface RawResult<T = unknown> {
  experiment: ExperimentName;
  startedAt: string;
  durationMs: number;
  quick: boolean;
  data: T;
}

export interface RenderedSection {
  markdown: string;
  charts: { file: string; title: string; spec: TopLevelSpec }[];
  /** One-line figures for the summary at the top of the report. */
  headline: string[];
}

export interface Experiment<T = unknown> {
  name: ExperimentName;
  title: string;
  run(ctx: ExperimentContext): Promise<T>;
  render(raw: RawResult<T>): RenderedSection;
}
