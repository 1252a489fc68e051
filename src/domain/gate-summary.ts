import type { CheckStatus } from "./change.js";
import type { GateResult } from "./outcome.js";

/** One gate over many jobs: how often it passed, failed or was skipped, and why it was skipped or failed. */
export interface GateSummary {
  name: string;
  pass: number;
  fail: number;
  skipped: number;
  /** The details of the skipped and failed results, most frequent first (at most MAX_REASONS). */
  reasons: { status: Exclude<CheckStatus, "pass">; detail: string; count: number }[];
}

const MAX_REASONS = 5;

/** Sums the gates of each job's verification, in the order the gates first appear. */
export function summarizeGates(jobs: readonly (readonly GateResult[])[]): GateSummary[] {
  const byName = new Map<string, GateSummary & { all: Map<string, { status: "fail" | "skipped"; detail: string; count: number }> }>();
  for (const gates of jobs)
    for (const gate of gates) {
      let summary = byName.get(gate.name);
      if (summary === undefined) {
        summary = { name: gate.name, pass: 0, fail: 0, skipped: 0, reasons: [], all: new Map() };
        byName.set(gate.name, summary);
      }
      summary[gate.status] += 1;
      if (gate.status === "pass") continue;
      const id = `${gate.status}\n${gate.detail}`;
      const reason = summary.all.get(id) ?? { status: gate.status, detail: gate.detail, count: 0 };
      reason.count += 1;
      summary.all.set(id, reason);
    }
  return [...byName.values()].map(({ all, ...summary }) => ({
    ...summary,
    reasons: [...all.values()].sort((a, b) => b.count - a.count || a.detail.localeCompare(b.detail)).slice(0, MAX_REASONS),
  }));
}
