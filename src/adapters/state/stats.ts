import { summarizeGates } from "../../domain/gate-summary.js";
import type { Outcome, OutcomeType } from "../../domain/outcome.js";
import { OUTCOME_TYPES } from "../../domain/outcome.js";
import type { Stats } from "../../ports/state-store.js";
import type { StageTimings } from "../../observability/stage-timer.js";
import { json, toDate } from "./rows.js";
import { emptyByStatus, isJobStatus, stageLatencies } from "./transitions.js";

/** The four aggregate queries both stores run for `stats`, in the shape the drivers return. */
export interface StatsRows {
  byStatus: { status: string; n: number | string }[];
  byOutcome: { outcome_type: string; n: number | string }[];
  /** The recent jobs' stage timings and outcomes (for the gates). */
  timings: { stage_timings: unknown; outcome: unknown }[];
  errors: {
    key: string;
    test_id: string;
    resource: string;
    error_kind: string;
    error_message: string | null;
    updated_at: unknown;
  }[];
  /** One row: jobs whose outcome carries model usage, and its sums. */
  model: { jobs: number | string; cost: number | string | null; input: number | string | null; output: number | string | null }[];
}

export const DEFAULT_RECENT_ERRORS = 10;

/** Assembles Stats identically for both stores; percentiles are computed here, not in SQL. */
export function buildStats(rows: StatsRows): Stats {
  const byStatus = emptyByStatus();
  let total = 0;
  for (const row of rows.byStatus) {
    const n = Number(row.n);
    total += n;
    if (isJobStatus(row.status)) byStatus[row.status] += n;
  }
  const byOutcome: Partial<Record<OutcomeType, number>> = {};
  for (const row of rows.byOutcome) {
    const type = OUTCOME_TYPES.find((t) => t === row.outcome_type);
    if (type !== undefined) byOutcome[type] = Number(row.n);
  }
  return {
    total,
    byStatus,
    byOutcome,
    stages: stageLatencies(rows.timings.map((row) => (json(row.stage_timings) as StageTimings | null) ?? {})),
    gates: summarizeGates(rows.timings.map((row) => (json(row.outcome) as Outcome | null)?.gates ?? [])),
    recentErrors: rows.errors.map((row) => ({
      key: row.key,
      testId: row.test_id,
      resource: row.resource,
      errorKind: row.error_kind,
      errorMessage: row.error_message ?? "",
      at: toDate(row.updated_at) ?? new Date(0),
    })),
    llm: {
      jobs: Number(rows.model[0]?.jobs ?? 0),
      // Sums of micro-dollar-rounded costs: round again so float noise does not show.
      costUsd: Math.round(Number(rows.model[0]?.cost ?? 0) * 1_000_000) / 1_000_000,
      inputTokens: Number(rows.model[0]?.input ?? 0),
      outputTokens: Number(rows.model[0]?.output ?? 0),
    },
  };
}
