import { buildRuntime, type RuntimeOptions } from "../../composition/runtime.js";
import type { JobResult } from "../../daemon/worker-pool.js";
import type { JobRecord } from "../../ports/state-store.js";
import type { Outcome } from "../../domain/outcome.js";
import { EXIT_JOB_FAILED, EXIT_OK, EXIT_USAGE, type CliIo, type ProcessOnceOptions } from "../context.js";
import { configOf } from "./config.js";

export interface FinishedJob {
  job: JobRecord;
  result: JobResult;
}

/**
 * `terrafix process-once [--dry-run] [--limit N]`: one poll, every due job to completion, a line
 * per job; exit 0, 1 when a job errored or an outcome could not be recorded, 2 when a job met a
 * configuration problem.
 */
export async function processOnceCommand(options: ProcessOnceOptions, io: CliIo, extra: RuntimeOptions = {}): Promise<number> {
  const config = configOf(options, io);
  const finished: FinishedJob[] = [];
  const runtime = await buildRuntime(config, {
    env: io.env,
    ...extra,
    ...(options.dryRun ? { publisher: "dry-run" as const } : {}),
    onJobFinished: (job, result) => {
      finished.push({ job, result });
      extra.onJobFinished?.(job, result);
    },
  });
  try {
    const { poll, unrecorded } = await runtime.daemon.runOnce(options.limit === undefined ? {} : { limit: options.limit });
    io.stdout.write(
      poll === null
        ? "poll: skipped, another replica holds the poller lease; working the jobs that are due\n"
        : `poll: ${poll.tests} failing test(s), ${poll.failures} failure(s), ${poll.inserted} new, ${poll.resolved} resolved\n`,
    );
    for (const { job, result } of finished) io.stdout.write(`${describeOutcome(job, result)}\n`);
    const misconfigured = finished.filter((f) => isConfigProblem(f.result.outcome));
    const errored = finished.filter((f) => f.result.outcome.type === "failed" && !isConfigProblem(f.result.outcome));
    io.stdout.write(`${finished.length} job(s), ${errored.length} errored, ${misconfigured.length} configuration problem(s)\n`);
    // Not stored as done: the next run (after the configuration is fixed) picks them up again.
    if (misconfigured.length > 0) io.stdout.write("fix the configuration and run again: these jobs run again then (no retry needed)\n");
    // A job whose outcome the store could not take (disk full, database gone) is not done: the
    // run must not look like a success, or the work is silently lost until the lease expires.
    if (unrecorded > 0) io.stderr.write(`terrafix process-once: ${unrecorded} job outcome(s) could not be recorded in the state store; see the log\n`);
    if (misconfigured.length > 0) return EXIT_USAGE;
    return errored.length > 0 || unrecorded > 0 ? EXIT_JOB_FAILED : EXIT_OK;
  } finally {
    await runtime.close();
  }
}

function isConfigProblem(outcome: Outcome): boolean {
  return outcome.type === "failed" && outcome.kind === "config";
}

export function describeOutcome(job: JobRecord, result: JobResult): string {
  const o = result.outcome;
  const what = `${job.testId} ${job.failure.displayName}`;
  switch (o.type) {
    case "pr-opened":
    case "pr-updated":
    case "pr-exists":
    case "merged":
      return `${o.type.padEnd(11)} ${what} -> ${o.url}`;
    case "declined":
      return `declined    ${what} -> ${o.url} (${o.reason})`;
    case "dry-run":
      return `dry-run     ${what} -> ${o.path}`;
    case "committed":
      return `committed   ${what} -> branch ${o.branch}`;
    case "failed":
      return o.kind === "config" ? `config      ${what}: ${o.message}` : `failed      ${what}: [${o.kind}] ${o.message}`;
    case "ambiguous":
      return `ambiguous   ${what}: ${o.reason} (${o.candidates.join(", ")})`;
    default:
      return `${o.type.padEnd(11)} ${what}: ${o.reason}`;
  }
}
