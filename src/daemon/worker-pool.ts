import pLimit from "p-limit";
import type { JobRecord, StateStore } from "../ports/state-store.js";
import type { Outcome } from "../domain/outcome.js";
import type { StageTimings } from "../observability/stage-timer.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { coerceError } from "../errors.js";
import { Lifecycle, type ShutdownResult } from "./events.js";

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
  /**
   * Lease of a claimed job still waiting in the queue (default: the smaller of leaseMs and
   * DEFAULT_CLAIM_LEASE_MS). The full lease is taken when its work starts, so a crash strands
   * only the jobs that were running, and the queued ones are due again within this time.
   */
  claimLeaseMs?: number;
  logger: Logger;
  metrics?: Metrics;
  now: () => Date;
  /** Where job events go (the daemon's); a pool of its own when absent. */
  events?: Lifecycle;
  /** Called after each job is recorded (for process-once summaries, tests and benchmarks); a `job:finished` listener. */
  onJobFinished?: (job: JobRecord, result: JobResult) => void;
}

interface Running {
  job: JobRecord;
  controller: AbortController;
  done: Promise<void>;
  /** True once a worker slot took the job (it is starting or running); false while it waits in the queue. */
  active: boolean;
  /** Stops renewing the job's lease (once it is released, a renewal must not reach the store). */
  stopLease: () => void;
}

export const DEFAULT_CLAIM_LEASE_MS = 30_000;

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
  #unrecorded = 0;
  #settled = 0;
  readonly events: Lifecycle;
  #shutdown: Promise<ShutdownResult> | undefined;
  #forced = false;
  /** Ends the grace period of a shutdown in progress (set while it waits). */
  #endGrace: (() => void) | undefined;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#limit = pLimit(options.concurrency);
    this.events = options.events ?? new Lifecycle(options.logger);
    const { onJobFinished } = options;
    if (onJobFinished !== undefined) this.events.on("job:finished", ({ job, result }) => onJobFinished(job, result));
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

  /** Jobs this pool has finished with (recorded, skipped or failed to record), ever. */
  get settled(): number {
    return this.#settled;
  }

  /** Jobs whose start or outcome the store failed to record (process-once exits non-zero on any). */
  get unrecorded(): number {
    return this.#unrecorded;
  }

  get #claimLeaseMs(): number {
    return this.#options.claimLeaseMs ?? Math.min(this.#options.leaseMs, DEFAULT_CLAIM_LEASE_MS);
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
      const jobs = await this.#options.store.claim(this.#options.owner, free, this.#claimLeaseMs, this.#options.now());
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
    const entry: Running = { job, controller, done: Promise.resolve(), active: false, stopLease: () => clearInterval(renew) };
    let settled = false;
    const forget = (): void => {
      if (!settled) this.#settled += 1;
      settled = true;
      if (this.#running.get(job.key)?.controller === controller) this.#running.delete(job.key);
    };
    let renew: NodeJS.Timeout | undefined;
    const keepLease = (ms: number): void => {
      clearInterval(renew);
      renew = setInterval(() => {
        store.renewLease(job.key, owner, ms, this.#options.now()).catch((error: unknown) => {
          logger.warn({ key: job.key, err: coerceError(error) }, "lease renewal failed");
        });
      }, Math.max(1000, Math.floor(ms / 3)));
      renew.unref();
    };
    const run = async (): Promise<void> => {
      entry.active = true;
      if (controller.signal.aborted) return;
      // The full lease starts with the work; until now the job held only the short claim lease.
      if (!(await store.start(job.key, owner, leaseMs, this.#options.now()))) {
        logger.warn({ key: job.key }, "claim lost before the job started; skipped");
        return;
      }
      if (controller.signal.aborted) return; // released by a shutdown while it was starting
      keepLease(leaseMs);
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
      this.events.emit("job:finished", { job, result });
      // Recorded and reported: a retry due at once may be claimed from the next tick on, and must
      // then start, not be taken for this run still holding the key.
      forget();
    };
    // The claim lease is renewed while the job waits in the queue: a job waiting longer than it
    // would otherwise be claimed again (by this pool or another).
    keepLease(this.#claimLeaseMs);
    entry.done = this.#limit(run)
      .catch((error: unknown) => {
        this.#unrecorded += 1;
        logger.error({ key: job.key, err: coerceError(error) }, "recording a job outcome failed");
      })
      .finally(() => {
        clearInterval(renew);
        forget();
        metrics?.queueDepth.set(this.#limit.pendingCount);
      });
    this.#running.set(job.key, entry);
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
   * another worker runs them again (attempt not counted). Called again, it returns the same
   * shutdown; `forceful()` ends its grace period at once.
   */
  shutdown(graceMs: number): Promise<ShutdownResult> {
    this.stopAccepting();
    this.#shutdown ??= this.#runShutdown(graceMs);
    return this.#shutdown;
  }

  /** Aborts and releases every running job now: during a graceful shutdown, or as the shutdown itself. */
  forceful(): Promise<ShutdownResult> {
    this.#forced = true;
    this.#endGrace?.();
    return this.shutdown(0);
  }

  async #runShutdown(graceMs: number): Promise<ShutdownResult> {
    const before = this.#running.size;
    // Queued jobs never started: they go back at once instead of starting during the grace time.
    const queued = [...this.#running.values()].filter((r) => !r.active);
    await this.#releaseAll(queued);
    if (!this.#forced && this.#running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => {
        this.#endGrace = resolve;
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([this.drain(), graceOver]);
      clearTimeout(timer);
      this.#endGrace = undefined;
    }
    const left = [...this.#running.values()].filter((r) => !queued.includes(r));
    await this.#releaseAll(left);
    return { finished: before - left.length - queued.length, released: left.length + queued.length };
  }

  async #releaseAll(jobs: readonly Running[]): Promise<void> {
    for (const r of jobs) {
      r.stopLease();
      r.controller.abort(new Error("shutdown"));
    }
    for (const r of jobs) {
      try {
        await this.#options.store.release(r.job.key, this.#options.owner, this.#options.now());
        this.events.emit("job:released", { job: r.job });
      } catch (error) {
        this.#options.logger.warn({ key: r.job.key, err: coerceError(error) }, "releasing a job failed; its lease will expire");
      }
    }
  }
}
