import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { coerceError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { FailureSource } from "../ports/failure-source.js";
import type { StateStore } from "../ports/state-store.js";
import type { Failure } from "../domain/failure.js";
import { requeueConfigProblems } from "./config-requeue.js";
import { Lifecycle, type ShutdownResult } from "./events.js";
import { pollOnce, type PollSummary } from "./poller.js";
import { WorkerPool, type JobResult, type RunJob } from "./worker-pool.js";
import type { JobRecord } from "../ports/state-store.js";

export interface DaemonOptions {
  source: FailureSource;
  store: StateStore;
  runJob: RunJob;
  logger: Logger;
  metrics?: Metrics;
  concurrency: number;
  queueSize: number;
  pollIntervalMs: number;
  leaseMs: number;
  fullResyncHours: number;
  /** Poller lease lifetime (default LEADER_TTL_MS). */
  leaderTtlMs?: number;
  /** How often idle workers look for due jobs (retries, deferred work, other replicas' polls). */
  claimIntervalMs?: number;
  owner?: string;
  now?: () => Date;
  random?: () => number;
  onResolved?: (failure: Failure, key: string) => Promise<void>;
  /**
   * Upkeep around each cycle (pipeline/publish/cycle.ts): `beforeJobs` after a successful poll,
   * before its jobs are claimed; `afterJobs` once the cycle's jobs have finished, and on the poll
   * timer while polls fail (the dashboard stays current). Errors are logged, never thrown.
   */
  cycle?: { beforeJobs(): Promise<void>; afterJobs(): Promise<void> };
  onJobFinished?: (job: JobRecord, result: JobResult) => void;
}

export const POLLER_LEADERSHIP = "vanta-poller";
/** Lifetime of the poller lease; the leader renews it every third of that. */
export const LEADER_TTL_MS = 30_000;

/**
 * The daemon: one poller at a time across replicas (a leader lease in the state store, because a
 * new Vanta token revokes the previous one), and a worker pool on every replica.
 */
export class Daemon {
  readonly owner: string;
  readonly pool: WorkerPool;
  /** Job and shutdown events; a listener that throws is logged, never felt by the pool. */
  readonly events: Lifecycle;
  readonly #o: DaemonOptions;
  readonly #now: () => Date;
  #stopping = false;
  readonly #wakers = new Set<() => void>();
  #loops: Promise<void>[] = [];
  #lastPollError: string | null = null;
  /** True while this replica holds the poller lease (kept alive by the heartbeat loop). */
  #leader = false;
  /** Aborted by the shutdown: a poll stuck in a slow Vanta request must not hold the shutdown. */
  readonly #abort = new AbortController();
  #afterCycleRunning = false;
  /** The after-jobs hook while it runs: the shutdown waits for it before the store can close. */
  #hookRunning: Promise<void> | undefined;
  #shutdown: Promise<ShutdownResult> | undefined;
  readonly #stopped: { promise: Promise<ShutdownResult>; resolve: (r: ShutdownResult) => void };
  #configRequeued = false;

  constructor(options: DaemonOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.events = new Lifecycle(options.logger.child({ component: "daemon" }));
    let resolveStopped!: (r: ShutdownResult) => void;
    this.#stopped = { promise: new Promise((resolve) => (resolveStopped = resolve)), resolve: resolveStopped };
    this.pool = new WorkerPool({
      events: this.events,
      store: options.store,
      runJob: options.runJob,
      owner: this.owner,
      concurrency: options.concurrency,
      queueSize: options.queueSize,
      leaseMs: options.leaseMs,
      logger: options.logger,
      now: this.#now,
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
      ...(options.onJobFinished === undefined ? {} : { onJobFinished: options.onJobFinished }),
    });
  }

  get lastPollError(): string | null {
    return this.#lastPollError;
  }

  /** Polls if this replica holds (or wins) the poller lease; returns null when another replica polls. */
  async poll(force = false, options: { deferHook?: boolean } = {}): Promise<PollSummary | null> {
    const leader = force || (await this.#o.store.tryLeadership(POLLER_LEADERSHIP, this.owner, this.#leaderTtl, this.#now()));
    this.#leader = leader && !force;
    if (!leader) return null;
    try {
      const summary = await pollOnce({
        source: this.#o.source,
        store: this.#o.store,
        logger: this.#o.logger,
        fullResyncHours: this.#o.fullResyncHours,
        now: this.#now,
        ...(this.#o.metrics === undefined ? {} : { metrics: this.#o.metrics }),
        ...(this.#o.onResolved === undefined ? {} : { onResolved: this.#o.onResolved }),
      }, this.#abort.signal);
      this.#lastPollError = null;
      if (!options.deferHook) await this.#hook("beforeJobs");
      return summary;
    } catch (error) {
      const e = coerceError(error, "poll");
      this.#lastPollError = e.message;
      throw e;
    }
  }

  /**
   * One cycle for `process-once`: poll (when no other replica is polling), then run every due job
   * (up to `limit`) to completion. A retry that becomes due during the cycle runs in it too;
   * with the usual backoff, retries wait for a later cycle.
   */
  async runOnce(options: { limit?: number } = {}): Promise<{ poll: PollSummary | null; jobs: number; unrecorded: number }> {
    // Poll only with the poller lease: a running daemon's Vanta token would be revoked by a
    // second poller. Without it, process-once still works the jobs that are due.
    await this.#requeueConfigProblems();
    let poll: PollSummary | null;
    try {
      poll = await this.poll(false, { deferHook: true });
    } finally {
      await this.#o.store.releaseLeadership(POLLER_LEADERSHIP, this.owner).catch(() => undefined);
    }
    // Open PRs, dashboard boxes and freed slots are looked at whether or not this replica polled.
    await this.#hook("beforeJobs");
    let jobs = 0;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    while (jobs < limit) {
      const settled = this.pool.settled;
      const claimed = await this.pool.fill(limit - jobs);
      jobs += claimed;
      if (claimed === 0) {
        // A job that finished while the claim ran may have made its retry due: claim again.
        if (this.pool.size === 0 && this.pool.settled === settled) break;
        await this.pool.drain();
      }
    }
    await this.pool.drain();
    // The dashboard shows the cycle's results, not the state before it.
    await this.#hook("afterJobs");
    return { poll, jobs, unrecorded: this.pool.unrecorded };
  }

  async #hook(name: "beforeJobs" | "afterJobs"): Promise<void> {
    await this.#o.cycle?.[name]().catch((error: unknown) => this.#o.logger.warn({ err: coerceError(error), hook: name }, "cycle hook failed"));
  }

  /** After a poll in the daemon: once the jobs it made due have finished, the after-jobs upkeep. */
  #afterCycle(): void {
    if (this.#o.cycle === undefined || this.#afterCycleRunning) return;
    this.#afterCycleRunning = true;
    void this.#workDue()
      .then(() => {
        if (this.#stopping) return;
        this.#hookRunning = this.#hook("afterJobs");
        return this.#hookRunning;
      })
      .finally(() => {
        this.#hookRunning = undefined;
        this.#afterCycleRunning = false;
      });
  }

  /**
   * Until no due job is left: the claim the poll's nudge started must have its jobs running
   * before draining, or the dashboard would show the state before the cycle's jobs (all zeros
   * on a first cycle); more than a pool's capacity of due jobs takes several rounds.
   */
  async #workDue(): Promise<void> {
    for (;;) {
      const claimed = await this.pool.fill().catch(() => 0);
      if (claimed === 0 && this.pool.size === 0) return;
      await this.pool.drain();
    }
  }

  /**
   * The poller lease is short and renewed by a heartbeat, not by polls: a replica that dies
   * hands polling on within one lease, whatever the poll interval.
   */
  get #leaderTtl(): number {
    return this.#o.leaderTtlMs ?? LEADER_TTL_MS;
  }

  /** Starts the poll loop, the claim loop and the leader heartbeat. */
  start(): void {
    const requeued = this.#requeueConfigProblems();
    this.#loops = [requeued.then(() => this.#pollLoop()), requeued.then(() => this.#claimLoop()), this.#heartbeatLoop()];
  }

  /** Once per daemon: earlier runs' configuration problems are requeued (config-requeue.ts). */
  async #requeueConfigProblems(): Promise<void> {
    if (this.#configRequeued) return;
    this.#configRequeued = true;
    try {
      const jobs = await requeueConfigProblems(this.#o.store, this.#now());
      if (jobs > 0) this.#o.logger.info({ jobs }, "jobs failed by a configuration problem in an earlier run requeued");
    } catch (error) {
      this.#o.logger.warn({ err: coerceError(error, "state") }, "requeueing earlier configuration problems failed");
    }
  }

  async #heartbeatLoop(): Promise<void> {
    while (!this.#stopping) {
      await this.#sleep(this.#leaderTtl / 3);
      if (!this.#leader || this.#stopping) continue;
      try {
        this.#leader = await this.#o.store.tryLeadership(POLLER_LEADERSHIP, this.owner, this.#leaderTtl, this.#now());
        if (!this.#leader) this.#o.logger.warn("poller lease lost; another replica polls now");
      } catch (error) {
        this.#o.logger.warn({ err: coerceError(error, "state") }, "renewing the poller lease failed");
      }
    }
  }

  async #pollLoop(): Promise<void> {
    while (!this.#stopping) {
      let polled = true;
      try {
        polled = (await this.poll()) !== null;
      } catch (error) {
        if (this.#stopping) this.#o.logger.info({ err: coerceError(error, "poll") }, "poll stopped by the shutdown");
        else this.#o.logger.error({ err: coerceError(error, "poll") }, "poll failed; the next poll retries");
      }
      this.#nudge();
      if (polled) this.#afterCycle();
      // A follower asks for the lease again within a lease time, to take over from a dead leader.
      const jitter = 0.9 + (this.#o.random ?? Math.random)() * 0.2;
      await this.#sleep(polled ? this.#o.pollIntervalMs * jitter : Math.min(this.#o.pollIntervalMs, this.#leaderTtl / 2) * jitter);
    }
  }

  async #claimLoop(): Promise<void> {
    const interval = this.#o.claimIntervalMs ?? 2000;
    while (!this.#stopping) {
      try {
        await this.pool.fill();
      } catch (error) {
        this.#o.logger.error({ err: coerceError(error, "state") }, "claiming jobs failed");
      }
      await this.#sleep(interval);
    }
  }

  #nudge(): void {
    this.pool.fill().catch((error: unknown) => this.#o.logger.error({ err: coerceError(error, "state") }, "claiming jobs failed"));
  }

  #sleep(ms: number): Promise<void> {
    // A loop that reaches its sleep after the shutdown woke the sleepers must not start a new one
    // (a poll in flight at SIGTERM would otherwise hold the shutdown for a whole poll interval).
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakers.add(wake);
    });
  }

  /**
   * Graceful shutdown: no new polls or claims, in-flight jobs get `graceMs` to finish, then the
   * rest are aborted and released so another worker runs them again. Every call, graceful or
   * forceful, returns the one shutdown; it never rejects. It resolves once the poller lease is
   * released, so the store may be closed after it.
   */
  gracefulShutdown(graceMs: number): Promise<ShutdownResult> {
    this.#shutdown ??= this.#runShutdown("graceful", graceMs);
    return this.#shutdown;
  }

  /**
   * Forceful shutdown: in-flight jobs are aborted and their claims released now. During a
   * graceful shutdown it cuts the grace period short and resolves with that same shutdown.
   */
  forcefulShutdown(): Promise<ShutdownResult> {
    if (this.#shutdown !== undefined) this.events.emit("shutdown:forced", {});
    void this.pool.forceful();
    this.#shutdown ??= this.#runShutdown("forceful", 0);
    return this.#shutdown;
  }

  /** Resolves when a shutdown (either kind) has finished. */
  whenStopped(): Promise<ShutdownResult> {
    return this.#stopped.promise;
  }

  async #runShutdown(mode: "graceful" | "forceful", graceMs: number): Promise<ShutdownResult> {
    const log = this.#o.logger.child({ component: "daemon" });
    this.#stopping = true;
    this.events.emit("shutdown:start", { mode });
    this.pool.stopAccepting();
    this.#abort.abort();
    for (const wake of [...this.#wakers]) wake();
    let result: ShutdownResult = { finished: 0, released: 0 };
    try {
      result = await this.pool.shutdown(graceMs);
      await Promise.allSettled(this.#loops);
      await this.#hookRunning;
    } catch (error) {
      log.error({ err: coerceError(error, "state") }, "shutting down the worker pool failed");
    }
    // Last, with the loops stopped (no heartbeat renews it after this): the next replica polls at once.
    try {
      await this.#o.store.releaseLeadership(POLLER_LEADERSHIP, this.owner);
    } catch (error) {
      log.warn({ err: coerceError(error, "state") }, "releasing the poller lease failed; it expires on its own");
    }
    log.info({ mode, ...result }, "daemon stopped");
    this.events.emit("shutdown:done", result);
    this.#stopped.resolve(result);
    return result;
  }
}
