import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { silentLogger } from "../../src/observability/logger.js";
import type { Outcome } from "../../src/domain/outcome.js";
import type { JobRecord } from "../../src/ports/state-store.js";
import type { DaemonModule } from "../lib/daemon.js";
import type { Fleet } from "../lib/fleet.js";
import type { FaultRates, Harness } from "../lib/harness.js";
import { distinctFailures, testsAt, type FailureStream } from "../generators/failures.js";
import { countPulls } from "./daemon-figures.js";

/** What one resilience run measured. */
export interface WorkloadResult {
  workload: string;
  description: string;
  faults: FaultRates;
  injected: Record<string, number>;
  failures: number;
  finished: number;
  done: number;
  failed: number;
  unfinished: number;
  lost: number;
  retried: number;
  retriedThenDone: number;
  attempts: number;
  /** Pipeline runs that reached an outcome ("job finished"); fewer than attempts = claims that never ran to the end. */
  runs?: number;
  outcomes: Record<string, number>;
  pulls: number;
  duplicatePulls: number;
  /** From the last failure's arrival to the last job's end. */
  drainMs: number | null;
  wallMs: number;
  timedOut: boolean;
  queue: { t: number; waiting: number; running: number; retrying: number }[];
  errors: Record<string, number>;
  /** Why attempts failed (retried or not), by message. In-process runs only. */
  attemptErrors?: Record<string, number>;
  /** firstPollMs: from the restart to the new process's first completed poll. */
  kill?: { killedAtMs: number; pullsBeforeKill: number; restartMs: number; firstPollMs: number | null };
}

export interface RunOptions {
  daemon: DaemonModule;
  harness: Harness;
  fleet: Fleet;
  stream: FailureStream;
  faults: FaultRates;
  concurrency: number;
  timeoutMs: number;
  onTick: (message: string) => void;
}

function env(o: RunOptions, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return o.harness.env({
    TERRAFIX_CONCURRENCY: String(o.concurrency),
    TERRAFIX_POLL_INTERVAL: "1",
    TERRAFIX_RETRY_BASE_SECONDS: "1",
    TERRAFIX_MAX_ATTEMPTS: "6",
    TERRAFIX_LEASE_SECONDS: "10",
    TERRAFIX_GIT_TIMEOUT_SECONDS: "2",
    GITHUB_WRITE_PACING: "false",
    ...extra,
  });
}

/** Feeds the stream into the fake Vanta on its schedule; resolves when the last event is out. */
async function feed(o: RunOptions, start: number): Promise<void> {
  const times = [...new Set(o.stream.events.map((e) => e.atMs))].sort((a, b) => a - b);
  for (const at of times) {
    const wait = at - (performance.now() - start);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    o.harness.vanta.setTests(testsAt(o.stream, at));
  }
}

function summarise(o: RunOptions, records: JobRecord[], extra: Pick<WorkloadResult, "drainMs" | "wallMs" | "timedOut" | "queue">): WorkloadResult {
  const wanted = distinctFailures(o.stream);
  const byIdentity = new Map(records.map((r) => [`${r.testId}|${r.resource}`, r]));
  const outcomes: Record<string, number> = {};
  const errors: Record<string, number> = {};
  for (const r of records) {
    const type = r.outcome?.type ?? r.status;
    outcomes[type] = (outcomes[type] ?? 0) + 1;
    if (r.errorKind !== null) errors[r.errorKind] = (errors[r.errorKind] ?? 0) + 1;
  }
  const finished = records.filter((r) => r.status === "done" || r.status === "failed");
  const retried = records.filter((r) => r.attempts > 1);
  const pulls = countPulls(o.harness.github, o.fleet.repos);
  return {
    workload: o.stream.kind,
    description: o.stream.description,
    faults: o.faults,
    injected: { ...o.harness.injected },
    failures: wanted.length,
    finished: finished.length,
    done: records.filter((r) => r.status === "done").length,
    failed: records.filter((r) => r.status === "failed").length,
    unfinished: records.length - finished.length,
    lost: wanted.filter((key) => !byIdentity.has(key)).length,
    retried: retried.length,
    retriedThenDone: retried.filter((r) => r.status === "done").length,
    attempts: records.reduce((s, r) => s + r.attempts, 0),
    outcomes,
    pulls: pulls.total,
    duplicatePulls: pulls.duplicates,
    errors,
    ...extra,
  };
}

/** The daemon in this process (`daemon.start()`), fed by the stream, until every failure has ended. */
export async function runInProcess(o: RunOptions): Promise<WorkloadResult> {
  o.harness.setFaults(o.faults);
  const attemptErrors: Record<string, number> = {};
  let runs = 0;
  const runtime = await o.daemon.buildRuntime(o.daemon.loadConfig({ env: env(o) }), {
    logger: silentLogger(),
    onJobFinished: (_job, result) => {
      runs += 1;
      countOutcome(result.outcome, attemptErrors);
    },
  });
  const queue: WorkloadResult["queue"] = [];
  const start = performance.now();
  const wanted = distinctFailures(o.stream).length;
  let lastEnd = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const pending = await runtime.store.list({ status: "pending" });
      const now = Date.now();
      queue.push({
        t: Math.round(performance.now() - start) / 1000,
        waiting: runtime.daemon.pool.queued,
        running: runtime.daemon.pool.active,
        retrying: pending.filter((r) => r.attempts > 0 && (r.nextAttemptAt?.getTime() ?? 0) > now).length + pending.filter((r) => r.attempts === 0).length,
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  runtime.daemon.start();
  let timedOut = false;
  let records: JobRecord[] = [];
  try {
    await feed(o, start);
    const fedAt = performance.now() - start;
    for (;;) {
      records = await runtime.store.list({});
      const ended = records.filter((r) => r.status === "done" || r.status === "failed");
      o.onTick(`${ended.length}/${wanted} failures finished, ${records.length} recorded`);
      if (ended.length >= wanted) {
        lastEnd = Math.max(...ended.map((r) => (r.finishedAt ?? r.updatedAt).getTime()));
        break;
      }
      if (performance.now() - start > o.timeoutMs) {
        timedOut = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    sampling = false;
    await sampler;
    await runtime.daemon.gracefulShutdown(5_000);
    records = await runtime.store.list({});
    const startWall = Date.now() - (performance.now() - start);
    const drainMs = timedOut ? null : Math.max(0, lastEnd - startWall - fedAt);
    return {
      ...summarise(o, records, { drainMs: drainMs === null ? null : Math.round(drainMs), wallMs: Math.round(performance.now() - start), timedOut, queue }),
      attemptErrors,
      runs,
    };
  } finally {
    sampling = false;
    await runtime.close();
  }
}

/**
 * The daemon as a real process (`bin/terrafix.js run`), SIGKILLed once `killAfterPulls` pull
 * requests exist mid-burst, then started again on the same state store and clone cache.
 */
export async function runWithKill(o: RunOptions & { killAfterPulls: number }): Promise<WorkloadResult> {
  o.harness.setFaults(o.faults);
  const processEnv = env(o, { TERRAFIX_HTTP_PORT: "0", LOG_LEVEL: "info" });
  const bin = join(import.meta.dirname, "..", "..", "bin", "terrafix.js");
  const attemptErrors: Record<string, number> = {};
  let restartAt: number | undefined = undefined;
  let runs = 0;
  let firstPollAfterRestart: number | undefined;
  const startDaemon = (): { child: ChildProcess; exited: Promise<void> } => {
    const child = spawn(process.execPath, [bin, "run"], { env: processEnv, stdio: ["ignore", "pipe", "ignore"] });
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (countFailedAttempt(line, attemptErrors)) runs += 1;
        if (firstPollAfterRestart === undefined && restartAt !== undefined && line.includes('"poll finished"')) {
          firstPollAfterRestart = Math.round(performance.now() - restartAt);
        }
      }
    });
    return { child, exited: new Promise((resolve) => child.on("exit", () => resolve())) };
  };
  const start = performance.now();
  const wanted = distinctFailures(o.stream).length;
  const feeding = feed(o, start);
  let daemon = startDaemon();
  const pulls = (): number => countPulls(o.harness.github, o.fleet.repos).total;
  while (pulls() < o.killAfterPulls && performance.now() - start < o.timeoutMs) {
    o.onTick(`${pulls()} pull requests before the kill`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  daemon.child.kill("SIGKILL");
  await daemon.exited;
  const killedAtMs = Math.round(performance.now() - start);
  const pullsBeforeKill = pulls();
  const restart = performance.now();
  restartAt = restart;
  daemon = startDaemon();
  let timedOut = false;
  let records: JobRecord[] = [];
  const store = await import("../../src/composition/store.js");
  const config = o.daemon.loadConfig({ env: processEnv });
  try {
    await feeding;
    for (;;) {
      records = await store.withStore(config, (s) => s.list({}));
      const ended = records.filter((r) => r.status === "done" || r.status === "failed").length;
      o.onTick(`after the restart: ${ended}/${wanted} failures finished`);
      if (ended >= wanted) break;
      if (performance.now() - start > o.timeoutMs) {
        timedOut = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    daemon.child.kill("SIGTERM");
    await daemon.exited;
  }
  records = await store.withStore(config, (s) => s.list({}));
  const result = summarise(o, records, { drainMs: null, wallMs: Math.round(performance.now() - start), timedOut, queue: [] });
  return { ...result, attemptErrors, runs, workload: "burst + SIGKILL", kill: { killedAtMs, pullsBeforeKill, restartMs: Math.round(performance.now() - restart), firstPollMs: firstPollAfterRestart ?? null } };
}

/** Numbers and hashes vary per job; the rest says what went wrong. */
function countError(text: string, into: Record<string, number>): void {
  const message = text.replace(/[0-9a-f]{7,}/g, "…").replace(/\d+/g, "N").slice(0, 140);
  into[message] = (into[message] ?? 0) + 1;
}

/** An attempt that did not end the job's story: failures and deferrals, by message. */
function countOutcome(outcome: Outcome, into: Record<string, number>): void {
  if (outcome.type === "failed") countError(`${outcome.kind}: ${outcome.message}`, into);
  else if (outcome.type === "deferred") countError(`deferred: ${outcome.reason}`, into);
}

/** A daemon log line: a "job finished" line counts its outcome. */
function countFailedAttempt(line: string, into: Record<string, number>): boolean {
  if (!line.includes('"job finished"')) return false;
  try {
    const entry = JSON.parse(line) as { outcome?: Outcome };
    if (entry.outcome !== undefined) countOutcome(entry.outcome, into);
    return true;
  } catch {
    return false; // not JSON
  }
}
