import { EXIT_JOB_FAILED, EXIT_OK, type CliIo, type ProcessOnceOptions, type RunOptions } from "../cli/context.js";
import { loadConfig } from "../config/load.js";
import type { Config } from "../config/options.js";
import { startHealthServer } from "../daemon/http-server.js";
import { handleShutdownSignals } from "../daemon/signals.js";
import type { JobResult } from "../daemon/worker-pool.js";
import type { JobRecord } from "../ports/state-store.js";
import { buildRuntime, type RuntimeOptions } from "./runtime.js";

export interface FinishedJob {
  job: JobRecord;
  result: JobResult;
}

function configFrom(options: { config?: string }, io: CliIo): Config {
  return loadConfig({ env: io.env, ...(options.config === undefined ? {} : { file: options.config }) });
}

/**
 * `terrafix process-once [--dry-run] [--limit N]`: one poll, every due job to completion, a line
 * per job, exit 0 unless a job errored.
 */
export async function processOnceCommand(options: ProcessOnceOptions, io: CliIo, extra: RuntimeOptions = {}): Promise<number> {
  const config = configFrom(options, io);
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
    const { poll } = await runtime.daemon.runOnce(options.limit === undefined ? {} : { limit: options.limit });
    io.stdout.write(
      poll === null
        ? "poll: skipped, another replica holds the poller lease; working the jobs that are due\n"
        : `poll: ${poll.tests} failing test(s), ${poll.failures} failure(s), ${poll.inserted} new, ${poll.resolved} resolved\n`,
    );
    for (const { job, result } of finished) io.stdout.write(`${describeOutcome(job, result)}\n`);
    const errored = finished.filter((f) => f.result.outcome.type === "failed");
    io.stdout.write(`${finished.length} job(s), ${errored.length} errored\n`);
    return errored.length > 0 ? EXIT_JOB_FAILED : EXIT_OK;
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

/** `terrafix run`: the daemon until SIGTERM/SIGINT. */
export async function runCommand(options: RunOptions, io: CliIo): Promise<number> {
  const config = configFrom(options, io);
  const runtime = await buildRuntime(config, { env: io.env });
  const server = await startHealthServer({
    port: config.httpPort,
    store: runtime.store,
    registry: runtime.metrics.registry,
    maxPollAgeMs: config.readyMaxPollAgeSeconds * 1000,
    startupGraceMs: Math.max(config.pollIntervalSeconds * 2000, 60_000),
  });
  runtime.logger.info({ url: server.url, owner: runtime.daemon.owner, concurrency: config.concurrency }, "daemon started");
  runtime.daemon.start();
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<unknown> | undefined;
  const stop = (graceMs: number): void => {
    stopping = runtime.daemon.stop(graceMs).then((r) => {
      runtime.logger.info(r, "daemon stopped");
      resolveStopped();
    });
  };
  const removeHandlers = handleShutdownSignals(runtime.logger, {
    graceful: () => stop(config.shutdownGraceSeconds * 1000),
    forceful: () => {
      if (stopping === undefined) stop(0);
      // Already stopping gracefully: abort what still runs and release its claims now.
      else void runtime.daemon.pool.shutdown(0).finally(resolveStopped);
    },
  });
  try {
    await stopped;
  } finally {
    removeHandlers();
    await server.close();
    await runtime.close();
  }
  return EXIT_OK;
}
