import type { Outcome } from "../../domain/outcome.js";
import type { JobStatus, RetryPolicy, StageLatency } from "../../ports/state-store.js";
import type { StageTimings } from "../../observability/stage-timer.js";

/**
 * The store-independent rules of the job state machine. Both the SQLite and the PostgreSQL
 * adapters compute a job's next state here, so the two stores cannot drift apart: they only
 * differ in how they read and write the row atomically.
 */

export const JOB_STATUSES: readonly JobStatus[] = ["pending", "running", "done", "failed", "deferred"];

/** How long a `deferred` outcome without an `until` waits before the job is due again. */
export const DEFAULT_DEFER_MS = 60 * 60 * 1000;

/** How many recently finished records the stage percentiles are computed over. */
export const DEFAULT_STATS_SAMPLE = 1000;

/** Backoff before attempt n+1 after attempt n failed: base * 2^(n-1), capped at maxDelayMs. */
export function backoffMs(policy: RetryPolicy, attempts: number): number {
  const exponent = Math.max(0, attempts - 1);
  // 2^exponent overflows to Infinity long before it matters; the cap keeps the result finite.
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

/** The columns `finish` writes, besides the outcome, the timings and clearing the lease. */
export interface FinishTransition {
  status: JobStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  finishedAt: Date | null;
  prUrl: string | null;
  errorKind: string | null;
  errorMessage: string | null;
}

export interface FinishInput {
  /** Attempts so far, including the one that just ended (claim counted it). */
  attempts: number;
  prUrl: string | null;
  outcome: Outcome;
  policy: RetryPolicy;
  deferMs: number;
  now: Date;
}

export function finishTransition(input: FinishInput): FinishTransition {
  const { outcome, now, policy } = input;
  const base = { attempts: input.attempts, prUrl: urlOf(outcome) ?? input.prUrl, errorKind: null, errorMessage: null };
  switch (outcome.type) {
    case "deferred":
      // Held back by a PR limit: not the job's fault, so the attempt is given back.
      return {
        ...base,
        status: "deferred",
        attempts: Math.max(0, input.attempts - 1),
        nextAttemptAt: deferUntil(outcome.until, now, input.deferMs),
        finishedAt: null,
      };
    case "failed": {
      const error = { errorKind: outcome.kind, errorMessage: outcome.message };
      if (outcome.retryable && input.attempts < policy.maxAttempts) {
        return {
          ...base,
          ...error,
          status: "pending",
          nextAttemptAt: new Date(now.getTime() + backoffMs(policy, input.attempts)),
          finishedAt: null,
        };
      }
      return { ...base, ...error, status: "failed", nextAttemptAt: null, finishedAt: now };
    }
    default:
      return { ...base, status: "done", nextAttemptAt: null, finishedAt: now };
  }
}

function urlOf(outcome: Outcome): string | null {
  return "url" in outcome ? outcome.url : null;
}

/** `until` when it is a valid future instant, else now + the default delay. */
export function deferUntil(until: string | undefined, now: Date, deferMs: number): Date {
  if (until !== undefined) {
    const at = Date.parse(until);
    if (Number.isFinite(at) && at > now.getTime()) return new Date(at);
  }
  return new Date(now.getTime() + deferMs);
}

/**
 * Linear-interpolated percentile of sorted values, the definition of PostgreSQL's
 * `percentile_cont` (https://www.postgresql.org/docs/current/functions-aggregate.html), so a
 * SQL implementation would agree with this one.
 */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const position = (sorted.length - 1) * fraction;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] ?? 0;
  const high = sorted[upper] ?? low;
  return round(low + (high - low) * (position - lower));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** P50/P95/P99 per stage over the given timings, stages in first-seen order. */
export function stageLatencies(samples: readonly StageTimings[]): StageLatency[] {
  const byStage = new Map<string, number[]>();
  for (const timings of samples) {
    for (const [stage, ms] of Object.entries(timings)) {
      if (typeof ms !== "number" || !Number.isFinite(ms)) continue;
      const values = byStage.get(stage) ?? [];
      values.push(ms);
      byStage.set(stage, values);
    }
  }
  return [...byStage.entries()].map(([stage, values]) => {
    const sorted = values.sort((a, b) => a - b);
    return {
      stage,
      count: sorted.length,
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      p99: percentile(sorted, 0.99),
    };
  });
}

export function emptyByStatus(): Record<JobStatus, number> {
  return { pending: 0, running: 0, done: 0, failed: 0, deferred: 0 };
}

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === "string" && (JOB_STATUSES as readonly string[]).includes(value);
}
