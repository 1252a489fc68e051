import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { JobStatus, PollState, StateStore, Stats } from "../ports/state-store.js";
import type { Logger } from "./logger.js";

/**
 * One registry per process (not prom-client's global one), so tests and several daemons in one
 * process never share counters.
 */
export interface Metrics {
  registry: Registry;
  stageSeconds: Histogram<"stage">;
  jobSeconds: Histogram<"outcome">;
  outcomes: Counter<"outcome">;
  retries: Counter<"service">;
  queueDepth: Gauge;
  inFlight: Gauge;
  llmTokens: Counter<"direction">;
  polls: Counter<"result">;
}

const STAGE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry, prefix: "terrafix_" });
  return {
    registry,
    stageSeconds: new Histogram({
      name: "terrafix_stage_duration_seconds",
      help: "Duration of each pipeline stage",
      labelNames: ["stage"],
      buckets: STAGE_BUCKETS,
      registers: [registry],
    }),
    jobSeconds: new Histogram({
      name: "terrafix_job_duration_seconds",
      help: "End-to-end duration of a job by outcome",
      labelNames: ["outcome"],
      buckets: STAGE_BUCKETS,
      registers: [registry],
    }),
    outcomes: new Counter({
      name: "terrafix_job_outcomes_total",
      help: "Finished jobs by outcome",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    retries: new Counter({
      name: "terrafix_retries_total",
      help: "Retries by what was retried (job = a job attempt after a transient failure or an expired lease)",
      labelNames: ["service"],
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: "terrafix_queue_depth", help: "Jobs claimed by this process and waiting for one of its workers (the store's backlog is terrafix_jobs)", registers: [registry] }),
    inFlight: new Gauge({ name: "terrafix_jobs_in_flight", help: "Jobs being worked on", registers: [registry] }),
    llmTokens: new Counter({
      name: "terrafix_llm_tokens_total",
      help: "Model tokens by direction (input, output, cache_read, cache_write)",
      labelNames: ["direction"],
      registers: [registry],
    }),
    polls: new Counter({
      name: "terrafix_polls_total",
      help: "Poll cycles by result",
      labelNames: ["result"],
      registers: [registry],
    }),
  };
}

const JOB_STATUSES: readonly JobStatus[] = ["pending", "running", "deferred", "failed", "done"];
/** Pull request states from the outcomes of finished jobs (a key's latest outcome). */
const PR_STATES: Readonly<Record<string, readonly string[]>> = { open: ["pr-opened", "pr-updated", "pr-exists"], merged: ["merged"], declined: ["declined"] };
/** One store read serves every gauge of a scrape. */
const SNAPSHOT_MS = 1000;

/**
 * Gauges read from the state store at scrape time, so they count the backlog of every replica,
 * not only this process's queue: jobs by status (pending, running, deferred, failed, done), pull
 * requests by state, and the time of the last successful poll. A store that cannot be read
 * leaves the previous values (and logs a warning); the scrape never fails on it.
 */
export function registerStoreGauges(registry: Registry, store: Pick<StateStore, "stats" | "getPollState">, logger?: Logger): void {
  let snapshot: { at: number; value: Promise<{ stats: Stats; poll: PollState } | undefined> } | undefined;
  const read = (): Promise<{ stats: Stats; poll: PollState } | undefined> => {
    const now = Date.now();
    if (snapshot === undefined || now - snapshot.at > SNAPSHOT_MS) {
      const value = Promise.all([store.stats(new Date(now), { recentErrors: 0 }), store.getPollState()])
        .then(([stats, poll]) => ({ stats, poll }))
        .catch((error: unknown) => {
          logger?.warn({ err: error }, "metrics: cannot read the state store");
          return undefined;
        });
      snapshot = { at: now, value };
    }
    return snapshot.value;
  };
  new Gauge({
    name: "terrafix_jobs",
    help: "Jobs in the state store by status: pending (backlog), running, deferred (held back by a PR limit), failed (needs retry), done",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      const s = await read();
      if (s !== undefined) for (const status of JOB_STATUSES) this.set({ status }, s.stats.byStatus[status] ?? 0);
    },
  });
  new Gauge({
    name: "terrafix_pull_requests",
    help: "TerraFix pull requests by state (open, merged, declined), from the latest outcome of each failure",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const s = await read();
      if (s === undefined) return;
      const byOutcome = s.stats.byOutcome as Record<string, number | undefined>;
      for (const [state, outcomes] of Object.entries(PR_STATES)) this.set({ state }, outcomes.reduce((n, o) => n + (byOutcome[o] ?? 0), 0));
    },
  });
  new Gauge({
    name: "terrafix_last_successful_poll_timestamp_seconds",
    help: "Unix time of the last poll that read every failing test (0 before the first); alert on time() minus this",
    registers: [registry],
    async collect() {
      const s = await read();
      if (s !== undefined) this.set((s.poll.lastSuccessfulPollAt?.getTime() ?? 0) / 1000);
    },
  });
}
