import { describeStateStore, withStore } from "../../composition/store.js";
import type { JobRecord, JobStatus, Stats } from "../../ports/state-store.js";
import { EXIT_OK, type CliIo, type StatsOptions } from "../context.js";
import { configOf } from "./config.js";

/** `terrafix stats [--json]`: counts by outcome, stage latency percentiles, recent failures. */
export async function statsCommand(options: StatsOptions, io: CliIo): Promise<number> {
  const config = configOf(options, io);
  const stateStore = describeStateStore(config);
  const { stats, open } = await withStore(
    config,
    async (store) => {
      const stats = await store.stats(new Date(), { recentErrors: 10 });
      const open: JobRecord[] = [];
      for (const status of NOT_DONE) open.push(...(await store.list({ status, limit: OPEN_LIMIT })));
      return { stats, open };
    },
    { mustExist: true },
  );
  const jobs = open.map((j) => ({
    key: j.key,
    status: j.status,
    testId: j.testId,
    resource: j.resource,
    attempts: j.attempts,
    nextAttemptAt: j.nextAttemptAt,
    ...(j.outcome !== null && "reason" in j.outcome ? { reason: j.outcome.reason } : {}),
    ...(j.errorMessage === null ? {} : { error: `[${j.errorKind ?? "error"}] ${j.errorMessage}` }),
  }));
  if (options.json) io.stdout.write(`${JSON.stringify({ stateStore, ...stats, jobs }, null, 2)}\n`);
  else {
    io.stdout.write(`state store: ${stateStore}\n`);
    io.stdout.write(renderStats(stats));
    io.stdout.write(["", "jobs not done (key, status, test, resource, attempts, why):", ...(jobs.length === 0 ? ["  (none)"] : jobs.map((j) => `  ${j.key}  ${j.status.padEnd(8)} ${j.testId} ${j.resource} attempts=${j.attempts}${"reason" in j ? `  ${j.reason}` : ""}${j.error === undefined ? "" : `  ${j.error.slice(0, 160)}`}`)), ""].join("\n"));
  }
  return EXIT_OK;
}

const NOT_DONE: readonly JobStatus[] = ["pending", "running", "deferred", "failed"];
const OPEN_LIMIT = 200;

export function renderStats(stats: Stats): string {
  const lines = [`jobs: ${stats.total}`, ""];
  lines.push("by status:");
  for (const [status, count] of Object.entries(stats.byStatus)) lines.push(`  ${status.padEnd(12)} ${count}`);
  lines.push("", "by outcome:");
  const outcomes = Object.entries(stats.byOutcome);
  if (outcomes.length === 0) lines.push("  (none yet)");
  for (const [outcome, count] of outcomes) lines.push(`  ${outcome.padEnd(12)} ${count}`);
  lines.push("", "stage latency (ms):", `  ${"stage".padEnd(12)} ${"count".padStart(6)} ${"p50".padStart(9)} ${"p95".padStart(9)} ${"p99".padStart(9)}`);
  for (const s of stats.stages)
    lines.push(`  ${s.stage.padEnd(12)} ${String(s.count).padStart(6)} ${s.p50.toFixed(1).padStart(9)} ${s.p95.toFixed(1).padStart(9)} ${s.p99.toFixed(1).padStart(9)}`);
  lines.push("", "verification gates (the same recent jobs; skipped = did not run, never counted as pass):");
  if (stats.gates.length === 0) lines.push("  (none yet)");
  for (const g of stats.gates) {
    lines.push(`  ${g.name.padEnd(16)} pass ${String(g.pass).padStart(4)}  fail ${String(g.fail).padStart(4)}  skipped ${String(g.skipped).padStart(4)}`);
    for (const r of g.reasons) lines.push(`      ${r.status} x${r.count}: ${r.detail.slice(0, 160)}`);
  }
  lines.push("", `model: ${stats.llm.jobs} job(s), $${stats.llm.costUsd.toFixed(4)}, ${stats.llm.inputTokens} input / ${stats.llm.outputTokens} output tokens`);
  lines.push("", "recent errors:");
  if (stats.recentErrors.length === 0) lines.push("  (none)");
  for (const e of stats.recentErrors)
    lines.push(`  ${e.at.toISOString()} ${e.testId} ${e.resource} [${e.errorKind}] ${e.errorMessage.slice(0, 160)}`);
  return `${lines.join("\n")}\n`;
}
