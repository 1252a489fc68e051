import pLimit from "p-limit";
import type { JobRecord, StateStore } from "../ports/state-store.js";
import type { Outcome } from "../domain/outcome.js";
import type { StageTimings } from "../observability/stage-timer.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { coerceError } from "../errors.js";

export interface JobResult {
  outcome: Outcome;
  timings: StageTimings;
  /** What the job found on the way (matched address, verification...), for summaries. */
  detail?: Record<string, unknown>;
}

/** Runs one claimed job; must turn every error into an outcome value. */
export type RunJob = (job: JobRecord, signal: AbortSignal) => Promise<JobResult>;

export interface WorkerPoolOptions {
  store: StateStore;
  runJob: RunJob;
  owner: string;
  concurrency: number;
  /** Jobs claimed ahead of the workers; bounds memory and how long a claimed job waits. */
  queueSize: number;
  leaseMs: number;
  logger: Logger;
  metrics?: Metrics;
  now: () => Date;
  /** Called after each job is recorded (for process-once summaries, tests and benchmarks). */
  onJobFinished?: (job: JobRecord, result: JobResult) => void;
}

interface Running {
  job: JobRecord;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * A bounded worker pool over the state store: it claims only as many jobs as it has room for
 * (concurrency + queue), renews the lease of running jobs, and records every outcome. It never
 * holds unclaimed work in memory, so backpressure is the store itself.
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #running = new Map<string, Running>();
  #claiming: Promise<number> | undefined;
  #accepting = true;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#limit = pLimit(options.concurrency);
  }

  get size(): number {
    return this.#running.size;
  }

  get queued(): number {
    return this.#limit.pendingCount;
  }

  get active(): number {
    return this.#limit.activeCount;
  }

  /**
   * Claims due jobs up to the free capacity. Returns how many were claimed. While another claim
   * is under way it waits for that one (so its jobs are running when this returns) and claims
   * nothing more: a caller that drains next sees those jobs.
   */
  async fill(maxNew = Number.POSITIVE_INFINITY): Promise<number> {
    if (!this.#accepting) return 0;
    if (this.#claiming !== undefined) {
      await this.#claiming.catch(() => 0);
      return 0;
    }
    const free = Math.min(this.#options.concurrency + this.#options.queueSize - this.#running.size, maxNew);
    if (free <= 0) return 0;
    const claim = (async () => {
      const jobs = await this.#options.store.claim(this.#options.owner, free, this.#options.leaseMs, this.#options.now());
      // A key this pool already holds came back only because its lease lapsed; it is still queued here.
      for (const job of jobs) if (!this.#running.has(job.key)) this.#start(job);
      return jobs.length;
    })();
    this.#claiming = claim;
    try {
      return await claim;
    } finally {
      this.#claiming = undefined;
    }
  }

  #start(job: JobRecord): void {
    const controller = new AbortController();
    const { store, owner, leaseMs, logger, metrics } = this.#options;
    const forget = (): void => {
      if (this.#running.get(job.key)?.controller === controller) this.#running.delete(job.key);
    };
    const run = async (): Promise<void> => {
      if (controller.signal.aborted) return;
      // `claim` counts the attempt: more than one means this is a retry of the job.
      if (job.attempts > 1) metrics?.retries.inc({ service: "job" });
      metrics?.inFlight.inc();
      let result: JobResult;
      try {
        result = await this.#options.runJob(job, controller.signal);
      } catch (error) {
        const e = coerceError(error);
        result = { outcome: { type: "failed", kind: e.kind, message: e.message, retryable: e.retryable }, timings: {} };
      } finally {
        metrics?.inFlight.dec();
      }
      if (controller.signal.aborted) return; // released by a forced shutdown; another worker retries it
      const kept = await store.finish(job.key, owner, result.outcome, result.timings, this.#options.now());
      if (!kept) logger.warn({ key: job.key }, "lease lost before the job finished; result discarded");
      metrics?.outcomes.inc({ outcome: result.outcome.type });
      this.#options.onJobFinished?.(job, result);
      // Recorded and reported: a retry due at once may be claimed from the next tick on, and must
      // then start, not be taken for this run still holding the key.
      forget();
    };
    // The lease is renewed from the claim on, not from the start of the run: a job waiting in the
    // queue longer than its lease would otherwise be claimed again (by this pool or another).
    const renew = setInterval(() => {
      store.renewLease(job.key, owner, leaseMs, this.#options.now()).catch((error: unknown) => {
        logger.warn({ key: job.key, err: coerceError(error) }, "lease renewal failed");
      });
    }, Math.max(1000, Math.floor(leaseMs / 3)));
    renew.unref();
    const done = this.#limit(run)
      .catch((error: unknown) => {
        logger.error({ key: job.key, err: coerceError(error) }, "recording a job outcome failed");
      })
      .finally(() => {
        clearInterval(renew);
        forget();
        metrics?.queueDepth.set(this.#limit.pendingCount);
      });
    this.#running.set(job.key, { job, controller, done });
    metrics?.queueDepth.set(this.#limit.pendingCount);
  }

  /** Resolves when every started job has been recorded. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  stopAccepting(): void {
    this.#accepting = false;
  }

  /**
   * Waits up to `graceMs` for running jobs, then aborts the rest and releases their claims so
   * another worker runs them again (attempt not counted).
   */
  async shutdown(graceMs: number): Promise<{ finished: number; released: number }> {
    this.stopAccepting();
    const before = this.#running.size;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), graceMs);
    });
    await Promise.race([this.drain().then(() => "drained" as const), timeout]);
    clearTimeout(timer);
    const left = [...this.#running.values()];
    for (const r of left) r.controller.abort(new Error("shutdown"));
    for (const r of left) {
      try {
        await this.#options.store.release(r.job.key, this.#options.owner, this.#options.now());
      } catch (error) {
        this.#options.logger.warn({ key: r.job.key, err: coerceError(error) }, "releasing a job failed; its lease will expire");
      }
    }
    return { finished: before - left.length, released: left.length };
  }
}
