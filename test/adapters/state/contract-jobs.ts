import { describe, expect, it } from "vitest";
import { failureKey } from "../../../src/domain/failure.js";
import type { JobRecord, StateStore } from "../../../src/ports/state-store.js";
import type { ContractContext } from "./contract.js";
import { at, claimOne, DEFER_MS, failure, failures, LEASE_MS, RETRY } from "./harness.js";

const transient = { type: "failed", kind: "transient", message: "GitHub answered 502", retryable: true } as const;

/** Claims, leases, outcomes and retries. */
export function describeJobLifecycle(ctx: ContractContext): void {
  describe("claim and finish", () => {
    it("leases due jobs oldest first, counts the attempt and never hands the same job out twice", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      await ctx.store.upsertFailures([failure(2)], at(5));
      const claimed = await ctx.store.claim("w1", 10, LEASE_MS, at(10));
      expect(claimed.map((r) => r.key)).toEqual([failureKey(failure(1)), failureKey(failure(2))]);
      expect(claimed[0]).toMatchObject({ status: "running", leaseOwner: "w1", attempts: 1, leaseExpiresAt: at(10 + LEASE_MS) });
      expect(await ctx.store.claim("w2", 10, LEASE_MS, at(20))).toEqual([]);
    });

    it("takes no more than the limit", async () => {
      await ctx.store.upsertFailures(failures(5), at(0));
      expect(await ctx.store.claim("w1", 2, LEASE_MS, at(1))).toHaveLength(2);
      expect(await ctx.store.claim("w1", 0, LEASE_MS, at(1))).toHaveLength(0);
      expect(await ctx.store.claim("w2", 10, LEASE_MS, at(1))).toHaveLength(3);
    });

    it("records a terminal outcome as done with its PR URL, timings and no lease", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      const job = await claimOne(ctx.store, "w1", at(1));
      const url = "https://github.com/acme/infra/pull/7";
      expect(await ctx.store.finish(job.key, "w1", { type: "pr-opened", url }, { match: 12.5, publish: 80 }, at(2))).toBe(true);
      expect(await ctx.store.get(job.key)).toMatchObject({
        status: "done",
        outcome: { type: "pr-opened", url },
        prUrl: url,
        stageTimings: { match: 12.5, publish: 80 },
        leaseOwner: null,
        leaseExpiresAt: null,
        finishedAt: at(2),
        updatedAt: at(2),
        errorKind: null,
      });
      expect(await ctx.store.claim("w2", 10, LEASE_MS, at(10 * LEASE_MS))).toEqual([]);
    });

    it("keeps the PR URL of an earlier attempt when a later outcome has none", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      const job = await claimOne(ctx.store, "w1", at(1));
      await ctx.store.finish(job.key, "w1", { type: "pr-exists", url: "https://github.com/acme/infra/pull/1" }, {}, at(2));
      expect((await ctx.store.get(job.key))?.prUrl).toBe("https://github.com/acme/infra/pull/1");
    });

    it.each([
      ["no-match", { type: "no-match", reason: "no resource block" }],
      ["unsupported", { type: "unsupported", reason: "no control" }],
    ] as const)("treats %s as done without a PR URL", async (_name, outcome) => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      const job = await claimOne(ctx.store, "w1", at(1));
      await ctx.store.finish(job.key, "w1", outcome, {}, at(2));
      expect(await ctx.store.get(job.key)).toMatchObject({ status: "done", prUrl: null, outcome });
    });
  });

  describe("leases", () => {
    it("lets another worker reclaim an expired lease, and the old holder can no longer finish", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      const first = await claimOne(ctx.store, "w1", at(0), 1_000);
      expect(await ctx.store.start(first.key, "w1", 1_000, at(0))).toBe(true);
      expect(await ctx.store.claim("w2", 1, 1_000, at(999))).toEqual([]);
      const second = await claimOne(ctx.store, "w2", at(1_000));
      expect(second).toMatchObject({ key: first.key, leaseOwner: "w2", attempts: 2 });
      const before = await ctx.store.get(first.key);
      expect(await ctx.store.finish(first.key, "w1", { type: "pr-opened", url: "https://x/1" }, { match: 1 }, at(1_100))).toBe(false);
      expect(await ctx.store.get(first.key)).toEqual(before);
      expect(await ctx.store.finish(first.key, "w2", { type: "pr-opened", url: "https://x/2" }, {}, at(1_200))).toBe(true);
    });

    it("refuses to finish a job for a worker that never held it", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      const job = await claimOne(ctx.store, "w1", at(0));
      expect(await ctx.store.finish(job.key, "intruder", { type: "no-match", reason: "x" }, {}, at(1))).toBe(false);
      expect(await ctx.store.finish("unknown-key", "w1", { type: "no-match", reason: "x" }, {}, at(1))).toBe(false);
      expect((await ctx.store.get(job.key))?.status).toBe("running");
    });

    it("renews a lease only for its holder, which keeps the job from being reclaimed", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      const job = await claimOne(ctx.store, "w1", at(0), 1_000);
      expect(await ctx.store.renewLease(job.key, "w2", 1_000, at(900))).toBe(false);
      expect(await ctx.store.renewLease(job.key, "w1", 1_000, at(900))).toBe(true);
      expect((await ctx.store.get(job.key))?.leaseExpiresAt).toEqual(at(1_900));
      expect(await ctx.store.claim("w2", 1, 1_000, at(1_500))).toEqual([]);
      expect(await ctx.store.claim("w2", 1, 1_000, at(1_900))).toHaveLength(1);
    });

    it("fails a job whose lease expired on its last attempt instead of looping on a crash", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      for (let attempt = 0; attempt < RETRY.maxAttempts; attempt += 1) {
        const job = await claimOne(ctx.store, `w${attempt}`, at(attempt * 2_000), 1_000);
        expect(await ctx.store.start(job.key, `w${attempt}`, 1_000, at(attempt * 2_000))).toBe(true);
      }
      expect(await ctx.store.claim("late", 1, 1_000, at(60_000))).toEqual([]);
      expect(await ctx.store.get(failureKey(failure(1)))).toMatchObject({
        status: "failed",
        attempts: RETRY.maxAttempts,
        errorKind: "transient",
        leaseOwner: null,
        finishedAt: at(60_000),
        outcome: { type: "failed", retryable: false },
      });
    });

    it("a claim that lapses before its work starts is taken again without counting an attempt, and never fails the job", async () => {
      // Issue 16: a crashed worker's queued (claimed, unstarted) jobs must not look like crashes.
      await ctx.store.upsertFailures(failures(3), at(0));
      const claimed = await ctx.store.claim("crashed", 3, 1_000, at(0));
      const [running, ...queued] = claimed;
      expect(await ctx.store.start(running!.key, "crashed", LEASE_MS, at(10))).toBe(true);
      expect((await ctx.store.get(running!.key))?.leaseExpiresAt).toEqual(at(10 + LEASE_MS));
      // The queued claims lapse with their short lease; the started job keeps its full lease.
      for (let round = 0; round < RETRY.maxAttempts + 1; round += 1) {
        const again = await ctx.store.claim(`w${round}`, 10, 1_000, at(1_000 + round * 1_000));
        expect(again.map((r) => r.key).sort()).toEqual(queued.map((r) => r.key).sort());
        expect(again.every((r) => r.attempts === 1 && r.status === "running")).toBe(true);
      }
      expect(await ctx.store.get(running!.key)).toMatchObject({ status: "running", leaseOwner: "crashed", attempts: 1 });
      // Once started, the lapsed lease is a crash: the next claim counts the attempt.
      const retaken = await ctx.store.claim("survivor", 10, 1_000, at(10 + LEASE_MS));
      expect(retaken.find((r) => r.key === running!.key)).toMatchObject({ attempts: 2, leaseOwner: "survivor" });
    });

    it("starts a job only for its holder; a released start gives the attempt back", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      const job = await claimOne(ctx.store, "w1", at(0), 1_000);
      expect(await ctx.store.start(job.key, "intruder", LEASE_MS, at(1))).toBe(false);
      expect(await ctx.store.start("unknown-key", "w1", LEASE_MS, at(1))).toBe(false);
      expect(await ctx.store.start(job.key, "w1", LEASE_MS, at(1))).toBe(true);
      await ctx.store.release(job.key, "w1", at(2));
      expect(await ctx.store.get(job.key)).toMatchObject({ status: "pending", attempts: 0, leaseOwner: null });
      expect(await ctx.store.start(job.key, "w1", LEASE_MS, at(3))).toBe(false);
    });

    it("never gives one job to two of four concurrent claimers (200 jobs)", async () => {
      await ctx.store.upsertFailures(failures(200), at(0));
      const stores = [ctx.store, ...(await Promise.all([1, 2, 3].map(() => ctx.harness.open())))];
      const claimer = async (store: StateStore, owner: string): Promise<JobRecord[]> => {
        const mine: JobRecord[] = [];
        for (;;) {
          const batch = await store.claim(owner, 7, LEASE_MS, at(1));
          if (batch.length === 0) return mine;
          mine.push(...batch);
        }
      };
      const results = await Promise.all(stores.map((store, i) => claimer(store, `w${i}`)));
      const keys = results.flat().map((r) => r.key);
      expect(keys).toHaveLength(200);
      expect(new Set(keys).size).toBe(200);
      results.forEach((mine, i) => mine.forEach((r) => expect(r.leaseOwner).toBe(`w${i}`)));
      expect((await ctx.store.list({ status: "running" })).length).toBe(200);
    });
  });

  describe("retries", () => {
    it("backs off exponentially on retryable failures, then fails after maxAttempts", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      const key = failureKey(failure(1));
      let now = 0;
      for (const delay of [1_000, 2_000]) {
        await claimOne(ctx.store, "w1", at(now));
        expect(await ctx.store.finish(key, "w1", transient, { publish: 5 }, at(now + 10))).toBe(true);
        expect(await ctx.store.get(key)).toMatchObject({ status: "pending", nextAttemptAt: at(now + 10 + delay), errorKind: "transient", errorMessage: "GitHub answered 502", finishedAt: null });
        expect(await ctx.store.claim("w1", 1, LEASE_MS, at(now + 10 + delay - 1))).toEqual([]);
        now += 10 + delay;
      }
      await claimOne(ctx.store, "w1", at(now));
      await ctx.store.finish(key, "w1", transient, {}, at(now + 10));
      expect(await ctx.store.get(key)).toMatchObject({ status: "failed", attempts: 3, nextAttemptAt: null, finishedAt: at(now + 10), errorKind: "transient" });
      expect(await ctx.store.claim("w1", 1, LEASE_MS, at(now + 1_000_000))).toEqual([]);
    });

    it("caps the backoff at maxDelayMs", async () => {
      const store = await ctx.harness.open({ retry: { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 1_500 } });
      await store.upsertFailures([failure(1)], at(0));
      const key = failureKey(failure(1));
      await claimOne(store, "w1", at(0));
      await store.finish(key, "w1", transient, {}, at(0));
      await claimOne(store, "w1", at(1_000));
      await store.finish(key, "w1", transient, {}, at(1_000));
      expect((await store.get(key))?.nextAttemptAt).toEqual(at(2_500));
    });

    it("does not retry a permanent failure", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      const job = await claimOne(ctx.store, "w1", at(0));
      const outcome = { type: "failed", kind: "permanent", message: "repository archived", retryable: false } as const;
      await ctx.store.finish(job.key, "w1", outcome, {}, at(5));
      expect(await ctx.store.get(job.key)).toMatchObject({ status: "failed", attempts: 1, errorKind: "permanent", errorMessage: "repository archived", finishedAt: at(5) });
      expect(await ctx.store.claim("w1", 1, LEASE_MS, at(1_000_000))).toEqual([]);
    });

    it("defers until the outcome's instant without counting the attempt", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      const job = await claimOne(ctx.store, "w1", at(0));
      const until = at(50_000).toISOString();
      await ctx.store.finish(job.key, "w1", { type: "deferred", reason: "PR limit", until }, {}, at(10));
      expect(await ctx.store.get(job.key)).toMatchObject({ status: "deferred", attempts: 0, nextAttemptAt: at(50_000), leaseOwner: null, finishedAt: null });
      expect(await ctx.store.claim("w1", 1, LEASE_MS, at(49_999))).toEqual([]);
      expect((await claimOne(ctx.store, "w1", at(50_000))).attempts).toBe(1);
    });

    it("defers by the default delay when the outcome names no instant", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      const job = await claimOne(ctx.store, "w1", at(0));
      await ctx.store.finish(job.key, "w1", { type: "deferred", reason: "open PR limit" }, {}, at(10));
      expect((await ctx.store.get(job.key))?.nextAttemptAt).toEqual(at(10 + DEFER_MS));
    });

    it("release gives the job back at once without counting the attempt", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      const job = await claimOne(ctx.store, "w1", at(0));
      await ctx.store.release(job.key, "intruder", at(1));
      expect((await ctx.store.get(job.key))?.status).toBe("running");
      await ctx.store.release(job.key, "w1", at(1));
      expect(await ctx.store.get(job.key)).toMatchObject({ status: "pending", attempts: 0, leaseOwner: null, leaseExpiresAt: null });
      expect(await claimOne(ctx.store, "w2", at(2))).toMatchObject({ attempts: 1, leaseOwner: "w2" });
    });
  });
}
