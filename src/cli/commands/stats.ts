import { withStore } from "../../composition/store.js";
import type { Stats } from "../../ports/state-store.js";
import { EXIT_OK, type CliIo, type StatsOptions } from "../context.js";
import { configOf } from "./config.js";

/** `terrafix stats [--json]`: counts by outcome, stage latency percentiles, recent failures. */
export async function statsCommand(options: StatsOptions, io: CliIo): Promise<number> {
  const config = configOf(options, io);
  const stats = await withStore(config, (store) => store.stats(new Date(), { recentErrors: 10 }));
  io.stdout.write(options.json ? `${JSON.stringify(stats, null, 2)}\n` : renderStats(stats));
  return EXIT_OK;
}

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
  lines.push("", `model: ${stats.llm.jobs} job(s), $${stats.llm.costUsd.toFixed(4)}, ${stats.llm.inputTokens} input / ${stats.llm.outputTokens} output tokens`);
  lines.push("", "recent errors:");
  if (stats.recentErrors.length === 0) lines.push("  (none)");
  for (const e of stats.recentErrors)
    lines.push(`  ${e.at.toISOString()} ${e.testId} ${e.resource} [${e.errorKind}] ${e.errorMessage.slice(0, 160)}`);
  return `${lines.join("\n")}\n`;
}
