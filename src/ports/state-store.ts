import type { Failure } from "../domain/failure.js";
import type { GateSummary } from "../domain/gate-summary.js";
import type { Outcome, OutcomeType } from "../domain/outcome.js";
import type { StageTimings } from "../observability/stage-timer.js";

/**
 * pending: waiting for a worker (maybe not before nextAttemptAt); running: leased by a worker;
 * done: finished with a terminal outcome; failed: gave up; deferred: held back by a limit.
 */
export type JobStatus = "pending" | "running" | "done" | "failed" | "deferred";

export interface JobRecord {
  key: string;
  testId: string;
  /** The resource identity string (ARN, else responseType/displayName). */
  resource: string;
  failure: Failure;
  status: JobStatus;
  outcome: Outcome | null;
  attempts: number;
  nextAttemptAt: Date | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  prUrl: string | null;
  stageTimings: StageTimings;
  errorKind: string | null;
  errorMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  /** Set when the source stopped reporting the failure. */
  resolvedAt: Date | null;
}

export interface RetryPolicy {
  maxAttempts: number;
  /** Backoff base; attempt n waits base * 2^(n-1), capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface StageLatency {
  stage: string;
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface Stats {
  total: number;
  byStatus: Record<JobStatus, number>;
  byOutcome: Partial<Record<OutcomeType, number>>;
  stages: StageLatency[];
  recentErrors: { key: string; testId: string; resource: string; errorKind: string; errorMessage: string; at: Date }[];
  /** Verification gates over the same recent jobs as `stages` (their outcome's `gates`). */
  gates: GateSummary[];
  /** Model use over the finished jobs that asked the model (their outcome's `llm`). */
  llm: { jobs: number; costUsd: number; inputTokens: number; outputTokens: number };
}

export interface PollState {
  runDates: Map<string, string>;
  lastFullSyncAt: Date | null;
  lastPollAt: Date | null;
  lastSuccessfulPollAt: Date | null;
}

export interface UpsertResult {
  inserted: number;
  /**
   * Keys that had been marked resolved and are reported failing again: they start over as
   * pending with attempts 0 (a job still leased keeps its lease). A done/failed key that was
   * never resolved stays as it is.
   */
  reopened: number;
  unchanged: number;
}

export interface StateStore {
  /** Creates or upgrades the schema (versioned migrations). */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Records failures; a new key becomes pending; an existing key keeps its state (its stored failure is refreshed). */
  upsertFailures(failures: readonly Failure[], now: Date): Promise<UpsertResult>;
  /**
   * Atomically leases up to `limit` due jobs (pending/deferred past nextAttemptAt, or with an
   * expired lease), oldest due first, counting an attempt each. Resolved jobs are never claimed.
   * A claimed job is only queued: its lease (`leaseMs`, kept short by the pool) lapsing before
   * `start` is not a crash of the job, so it is taken again without counting another attempt.
   * A job whose lease expired after it started, on its last allowed attempt, is marked failed
   * instead (a job that keeps crashing its worker must not loop forever).
   */
  claim(owner: string, limit: number, leaseMs: number, now: Date): Promise<JobRecord[]>;
  /** The holder begins the work of a claimed job: the full lease from now. False when it lost the claim. */
  start(key: string, owner: string, leaseMs: number, now: Date): Promise<boolean>;
  renewLease(key: string, owner: string, leaseMs: number, now: Date): Promise<boolean>;
  /** Gives a leased job back without counting the attempt (shutdown). */
  release(key: string, owner: string, now: Date): Promise<void>;
  /**
   * Records how a job ended. A retryable failure goes back to pending with exponential backoff
   * until the retry policy's attempts are spent, then `failed`; a deferred outcome waits.
   * Returns false when the caller no longer holds the lease (its result is discarded). A holder
   * whose lease expired but was not yet reclaimed still holds it.
   */
  finish(key: string, owner: string, outcome: Outcome, timings: StageTimings, now: Date): Promise<boolean>;
  get(key: string): Promise<JobRecord | null>;
  list(filter: { status?: JobStatus; testId?: string; limit?: number }): Promise<JobRecord[]>;

  /** Keys of unresolved records of a test. */
  openKeys(testId: string): Promise<string[]>;
  markResolved(keys: readonly string[], now: Date): Promise<number>;

  getPollState(): Promise<PollState>;
  /**
   * Replaces the stored run dates with `runDates` (the poll's complete view); lastPollAt = now; lastSuccessfulPollAt = now when
   * `success`; lastFullSyncAt = now when `fullSync && success`.
   */
  savePollState(state: { runDates: ReadonlyMap<string, string>; fullSync: boolean; success: boolean }, now: Date): Promise<void>;

  /** Leader lease for polling: true while `owner` holds it (acquired or renewed). */
  tryLeadership(name: string, owner: string, ttlMs: number, now: Date): Promise<boolean>;
  releaseLeadership(name: string, owner: string): Promise<void>;

  /** `since` restricts every figure to records updated at or after it. */
  stats(now: Date, options?: { recentErrors?: number; since?: Date }): Promise<Stats>;
  /**
   * Puts records back to pending with their attempts reset (the operator's retry): every
   * `failed` record, or the given keys. Running and resolved records are left alone. Returns how
   * many were (or, in a dry run, would be) requeued. The PR URL is kept.
   */
  requeue(target: { failed: true } | { keys: readonly string[] }, now: Date, dryRun: boolean): Promise<number>;
  /** Deletes finished (done/failed) records finished before the cutoff; returns how many (would be) deleted. */
  cleanup(olderThan: Date, dryRun: boolean): Promise<number>;
}
