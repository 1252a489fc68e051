import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failureKey } from "../../../src/domain/failure.js";
import type { StateStore } from "../../../src/ports/state-store.js";
import { describeJobLifecycle } from "./contract-jobs.js";
import { describeStoreState } from "./contract-state.js";
import { at, failure, failures, type StateStoreFactory, type StateStoreHarness } from "./harness.js";

export type { StateStoreFactory, StateStoreHarness } from "./harness.js";

export interface ContractContext {
  harness: StateStoreHarness;
  /** A migrated store on a fresh database. */
  store: StateStore;
}

/**
 * The behaviour every StateStore must have. Each test gets an empty database from `factory`;
 * instants are explicit (`at(ms)`), never the wall clock.
 */
export function describeStateStoreContract(name: string, factory: StateStoreFactory): void {
  describe(`StateStore contract: ${name}`, () => {
    const ctx = {} as ContractContext;

    beforeEach(async () => {
      ctx.harness = await factory();
      ctx.store = await ctx.harness.open();
    });

    afterEach(async () => {
      await ctx.harness.dispose();
    });

    describe("migrations", () => {
      it("are versioned and idempotent: migrating again applies nothing and keeps the data", async () => {
        await ctx.store.upsertFailures([failure(1)], at(0));
        await ctx.store.migrate();
        await ctx.store.migrate();
        const other = await ctx.harness.open();
        expect(await ctx.harness.appliedMigrations(ctx.store)).toEqual([1, 2, 3, 4]);
        expect(await other.get(failureKey(failure(1)))).not.toBeNull();
      });

      it("answers ping once open", async () => {
        await expect(ctx.store.ping()).resolves.toBeUndefined();
      });
    });

    describe("upsertFailures", () => {
      it("inserts new keys as pending records with the failure's identity", async () => {
        const result = await ctx.store.upsertFailures([failure(1), failure(2, { arn: undefined })], at(0));
        expect(result).toEqual({ inserted: 2, reopened: 0, unchanged: 0 });
        const record = await ctx.store.get(failureKey(failure(1)));
        expect(record).toMatchObject({
          key: failureKey(failure(1)),
          testId: "aws-s3-bucket-encryption",
          resource: "arn:aws:s3:::bucket-1",
          failure: failure(1),
          status: "pending",
          outcome: null,
          attempts: 0,
          nextAttemptAt: null,
          leaseOwner: null,
          prUrl: null,
          stageTimings: {},
          errorKind: null,
          finishedAt: null,
          resolvedAt: null,
        });
        expect(record?.createdAt).toEqual(at(0));
        const withoutArn = failure(2, { arn: undefined });
        expect((await ctx.store.get(failureKey(withoutArn)))?.resource).toBe("S3 bucket/bucket-2");
      });

      it("keeps the state of existing keys and refreshes the stored failure", async () => {
        await ctx.store.upsertFailures([failure(1)], at(0));
        await ctx.store.claim("w1", 1, 1_000, at(0));
        const changed = failure(1, { testName: "renamed", lastTestRunDate: "2026-03-02T00:00:00.000Z" });
        const result = await ctx.store.upsertFailures([changed, failure(2)], at(10));
        expect(result).toEqual({ inserted: 1, reopened: 0, unchanged: 1 });
        const record = await ctx.store.get(failureKey(failure(1)));
        expect(record).toMatchObject({ status: "running", leaseOwner: "w1", attempts: 1, failure: changed });
      });

      it("counts a key repeated within one batch once", async () => {
        const result = await ctx.store.upsertFailures([failure(1), failure(1, { testName: "last" })], at(0));
        expect(result).toEqual({ inserted: 1, reopened: 0, unchanged: 0 });
        expect((await ctx.store.get(failureKey(failure(1))))?.failure.testName).toBe("last");
      });
    });

    describe("get and list", () => {
      it("returns null for an unknown key and filters lists by status, test and limit", async () => {
        await ctx.store.upsertFailures([...failures(3), failure(9, { testId: "other-test" })], at(0));
        await ctx.store.claim("w1", 1, 1_000, at(1));
        expect(await ctx.store.get("no-such-key")).toBeNull();
        expect(await ctx.store.list({})).toHaveLength(4);
        expect((await ctx.store.list({ status: "running" })).map((r) => r.status)).toEqual(["running"]);
        expect((await ctx.store.list({ testId: "other-test" })).map((r) => r.resource)).toEqual(["arn:aws:s3:::bucket-9"]);
        expect(await ctx.store.list({ status: "pending", limit: 2 })).toHaveLength(2);
      });
    });

    describeJobLifecycle(ctx);
    describeStoreState(ctx);
  });
}
