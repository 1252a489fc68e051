import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

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
    queueDepth: new Gauge({ name: "terrafix_queue_depth", help: "Jobs waiting for a worker", registers: [registry] }),
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
