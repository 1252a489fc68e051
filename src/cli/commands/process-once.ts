import { buildRuntime, type RuntimeOptions } from "../../composition/runtime.js";
import type { JobResult } from "../../daemon/worker-pool.js";
import type { JobRecord } from "../../ports/state-store.js";
import { EXIT_JOB_FAILED, EXIT_OK, type CliIo, type ProcessOnceOptions } from "../context.js";
import { configOf } from "./config.js";

export interface FinishedJob {
  job: JobRecord;
  result: JobResult;
}

/**
 * `terrafix process-once [--dry-run] [--limit N]`: one poll, every due job to completion, a line
 * per job, exit 0 unless a job errored or an outcome could not be recorded.
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
    const errored = finished.filter((f) => f.result.outcome.type === "failed");
    io.stdout.write(`${finished.length} job(s), ${errored.length} errored\n`);
    // A job whose outcome the store could not take (disk full, database gone) is not done: the
    // run must not look like a success, or the work is silently lost until the lease expires.
    if (unrecorded > 0) io.stderr.write(`terrafix process-once: ${unrecorded} job outcome(s) could not be recorded in the state store; see the log\n`);
    return errored.length > 0 || unrecorded > 0 ? EXIT_JOB_FAILED : EXIT_OK;
  } finally {
    await runtime.close();
  }
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
      return `failed      ${what}: [${o.kind}] ${o.message}`;
    case "ambiguous":
      return `ambiguous   ${what}: ${o.reason} (${o.candidates.join(", ")})`;
    default:
      return `${o.type.padEnd(11)} ${what}: ${o.reason}`;
  }
}
