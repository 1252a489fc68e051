import { EXIT_OK, type CleanupOptions, type CliIo, type RetryOptions, type StatsOptions } from "../cli/context.js";
import { loadConfig } from "../config/load.js";
import type { Config } from "../config/options.js";
import { openStateStore } from "../adapters/state/open-state-store.js";
import type { StateStore, Stats } from "../ports/state-store.js";
import { commandLogger, retryPolicy } from "./runtime-options.js";

export async function withStore<T>(config: Config, work: (store: StateStore) => Promise<T>): Promise<T> {
  const logger = commandLogger(config);
  const store = await openStateStore(config.stateUrl, { retry: retryPolicy(config), logger });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** `terrafix stats [--json]`: counts by outcome, stage latency percentiles, recent failures. */
export async function statsCommand(options: StatsOptions, io: CliIo): Promise<number> {
  const config = loadConfig({ env: io.env, ...(options.config === undefined ? {} : { file: options.config }) });
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
  lines.push("", "recent errors:");
  if (stats.recentErrors.length === 0) lines.push("  (none)");
  for (const e of stats.recentErrors)
    lines.push(`  ${e.at.toISOString()} ${e.testId} ${e.resource} [${e.errorKind}] ${e.errorMessage.slice(0, 160)}`);
  return `${lines.join("\n")}\n`;
}

/** `terrafix cleanup --older-than 30d [--dry-run]`. */
export async function cleanupCommand(options: CleanupOptions, io: CliIo): Promise<number> {
  const config = loadConfig({ env: io.env, ...(options.config === undefined ? {} : { file: options.config }) });
  const cutoff = new Date(Date.now() - options.olderThanMs);
  const count = await withStore(config, (store) => store.cleanup(cutoff, options.dryRun));
  io.stdout.write(
    options.dryRun
      ? `would delete ${count} finished record(s) older than ${options.olderThan} (before ${cutoff.toISOString()})\n`
      : `deleted ${count} finished record(s) older than ${options.olderThan} (before ${cutoff.toISOString()})\n`,
  );
  return EXIT_OK;
}

/** `terrafix retry (--failed | --key KEY...) [--dry-run]`: requeue jobs once their cause is fixed. */
export async function retryCommand(options: RetryOptions, io: CliIo): Promise<number> {
  const config = loadConfig({ env: io.env, ...(options.config === undefined ? {} : { file: options.config }) });
  const count = await withStore(config, (store) => store.requeue(options.target, new Date(), options.dryRun));
  io.stdout.write(`${options.dryRun ? "would requeue" : "requeued"} ${count} job(s); the next daemon cycle or process-once runs them\n`);
  return EXIT_OK;
}
