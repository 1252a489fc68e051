import { expect } from "vitest";
import type { StateStoreOptions } from "../../../src/adapters/state/options.js";
import type { Failure } from "../../../src/domain/failure.js";
import type { JobRecord, RetryPolicy, StateStore } from "../../../src/ports/state-store.js";

/** One fresh, empty database per test; `open` connects (and migrates) another store to it. */
export interface StateStoreHarness {
  open(options?: Partial<Omit<StateStoreOptions, "logger">>): Promise<StateStore>;
  /** Versions recorded in schema_migrations by the store's own migrations. */
  appliedMigrations(store: StateStore): Promise<number[]>;
  /** Closes every store opened and removes the database. */
  dispose(): Promise<void>;
}

export type StateStoreFactory = () => Promise<StateStoreHarness>;

/** Tiny, explicit numbers so every expected instant can be computed by hand. */
export const RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 3_000 };
export const DEFER_MS = 60_000;
export const LEASE_MS = 30_000;

const T0 = Date.parse("2026-03-01T12:00:00.000Z");
/** An instant `ms` after the fixed test epoch. */
export function at(ms: number): Date {
  return new Date(T0 + ms);
}

/** Overrides; `undefined` removes an optional field (e.g. `{ arn: undefined }`). */
export type FailureOverrides = { [K in keyof Failure]?: Failure[K] | undefined };

export function failure(i: number, overrides: FailureOverrides = {}): Failure {
  const merged: Record<string, unknown> = {
    testId: "aws-s3-bucket-encryption",
    testName: "S3 buckets are encrypted",
    entityId: i.toString(16).padStart(24, "0"),
    displayName: `bucket-${i}`,
    responseType: "S3 bucket",
    arn: `arn:aws:s3:::bucket-${i}`,
    lastTestRunDate: "2026-03-01T00:00:00.000Z",
    ...overrides,
  };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return merged as unknown as Failure;
}

export function failures(count: number, overrides: FailureOverrides = {}): Failure[] {
  return Array.from({ length: count }, (_, i) => failure(i, overrides));
}

/** Claims exactly one job, failing the test otherwise. */
export async function claimOne(store: StateStore, owner: string, now: Date, leaseMs = LEASE_MS): Promise<JobRecord> {
  const claimed = await store.claim(owner, 1, leaseMs, now);
  expect(claimed).toHaveLength(1);
  return claimed[0]!;
}
