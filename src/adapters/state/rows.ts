import type { Failure } from "../../domain/failure.js";
import type { Outcome } from "../../domain/outcome.js";
import type { JobRecord } from "../../ports/state-store.js";
import type { StageTimings } from "../../observability/stage-timer.js";
import { TerraFixError } from "../../errors.js";
import { isJobStatus } from "./transitions.js";

/**
 * A `jobs` row as either driver returns it: SQLite gives epoch milliseconds and JSON text,
 * PostgreSQL gives Date objects (timestamptz) and parsed jsonb. Both stores map it here.
 */
export interface JobRow {
  key: string;
  test_id: string;
  resource: string;
  failure: unknown;
  status: string;
  outcome: unknown;
  attempts: number | string;
  next_attempt_at: unknown;
  lease_owner: string | null;
  lease_expires_at: unknown;
  pr_url: string | null;
  stage_timings: unknown;
  error_kind: string | null;
  error_message: string | null;
  created_at: unknown;
  updated_at: unknown;
  finished_at: unknown;
  resolved_at: unknown;
}

export function toJobRecord(row: JobRow): JobRecord {
  if (!isJobStatus(row.status)) {
    throw new TerraFixError(`job ${row.key} has an unknown status`, { kind: "permanent", stage: "state" });
  }
  return {
    key: row.key,
    testId: row.test_id,
    resource: row.resource,
    failure: json(row.failure) as Failure,
    status: row.status,
    outcome: (json(row.outcome) as Outcome | null) ?? null,
    attempts: Number(row.attempts),
    nextAttemptAt: toDate(row.next_attempt_at),
    leaseOwner: row.lease_owner,
    leaseExpiresAt: toDate(row.lease_expires_at),
    prUrl: row.pr_url,
    stageTimings: (json(row.stage_timings) as StageTimings | null) ?? {},
    errorKind: row.error_kind,
    errorMessage: row.error_message,
    createdAt: toDate(row.created_at) ?? new Date(0),
    updatedAt: toDate(row.updated_at) ?? new Date(0),
    finishedAt: toDate(row.finished_at),
    resolvedAt: toDate(row.resolved_at),
  };
}

/** A stored instant: epoch milliseconds (SQLite, or PostgreSQL bigint as text) or a Date. */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value);
  if (typeof value === "string") {
    const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
    return Number.isFinite(ms) ? new Date(ms) : null;
  }
  return null;
}

/** JSON text (SQLite) or an already parsed value (PostgreSQL jsonb). */
export function json(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return JSON.parse(value) as unknown;
  return value;
}

/** Last one wins when a batch repeats a key, so a batch never conflicts with itself. */
export function dedupeByKey<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T> {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(keyOf(item), item);
  return byKey;
}

/** Oldest due first, then by key, so claims are deterministic for tests and fair for jobs. */
export function byDueThenKey(a: JobRecord, b: JobRecord): number {
  const due = (r: JobRecord) => (r.nextAttemptAt ?? r.createdAt).getTime();
  return due(a) - due(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
