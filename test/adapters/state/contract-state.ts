import { describe, expect, it } from "vitest";
import { failureKey } from "../../../src/domain/failure.js";
import type { Outcome } from "../../../src/domain/outcome.js";
import type { StageTimings } from "../../../src/observability/stage-timer.js";
import type { ContractContext } from "./contract.js";
import { at, claimOne, failure, failures, LEASE_MS } from "./harness.js";

/** Resolution, poll state, leader lease, stats and cleanup. */
export function describeStoreState(ctx: ContractContext): void {
  /** Inserts failure(i), claims it and finishes it with `outcome` at `finishAt`. */
  async function finished(i: number, outcome: Outcome, timings: StageTimings, finishAt: number): Promise<string> {
    await ctx.store.upsertFailures([failure(i)], at(0));
    const key = failureKey(failure(i));
    const claimed = await ctx.store.claim(`w${i}`, 1, LEASE_MS, at(finishAt - 1));
    expect(claimed.map((r) => r.key)).toEqual([key]);
    expect(await ctx.store.finish(key, `w${i}`, outcome, timings, at(finishAt))).toBe(true);
    return key;
  }

  describe("resolution", () => {
    it("lists open keys per test, skips resolved jobs when claiming and reopens them when they fail again", async () => {
      await ctx.store.upsertFailures([failure(0)], at(0));
      await ctx.store.upsertFailures([...failures(3), failure(7, { testId: "other" })], at(1));
      const [k0, k1, k2] = [0, 1, 2].map((i) => failureKey(failure(i))) as [string, string, string];
      const done = await claimOne(ctx.store, "w1", at(1));
      expect(done.key).toBe(k0);
      await ctx.store.finish(k0, "w1", { type: "pr-opened", url: "https://x/1" }, { publish: 3 }, at(2));
      expect(await ctx.store.openKeys("aws-s3-bucket-encryption")).toEqual([k0, k1, k2].sort());

      expect(await ctx.store.markResolved([k0, k1, "unknown"], at(3))).toBe(2);
      expect(await ctx.store.markResolved([k0], at(4))).toBe(0);
      expect(await ctx.store.openKeys("aws-s3-bucket-encryption")).toEqual([k2]);
      expect((await ctx.store.get(k1))?.resolvedAt).toEqual(at(3));
      const k7 = failureKey(failure(7, { testId: "other" }));
      expect((await ctx.store.claim("w2", 10, LEASE_MS, at(5))).map((r) => r.key).sort()).toEqual([k2, k7].sort());

      const again = await ctx.store.upsertFailures([failure(0), failure(1), failure(2)], at(6));
      expect(again).toEqual({ inserted: 0, reopened: 2, unchanged: 1 });
      expect(await ctx.store.get(k0)).toMatchObject({ status: "pending", attempts: 0, outcome: null, resolvedAt: null, finishedAt: null });
      expect((await ctx.store.claim("w3", 10, LEASE_MS, at(7))).map((r) => r.key).sort()).toEqual([k0, k1].sort());
    });

    it("reopening a job that is still leased keeps its lease", async () => {
      await ctx.store.upsertFailures([failure(1)], at(0));
      const job = await claimOne(ctx.store, "w1", at(0));
      await ctx.store.markResolved([job.key], at(1));
      expect((await ctx.store.upsertFailures([failure(1)], at(2))).reopened).toBe(1);
      expect(await ctx.store.get(job.key)).toMatchObject({ status: "running", leaseOwner: "w1", resolvedAt: null });
      expect(await ctx.store.finish(job.key, "w1", { type: "no-match", reason: "x" }, {}, at(3))).toBe(true);
    });

    it("marks nothing for an empty key list", async () => {
      expect(await ctx.store.markResolved([], at(0))).toBe(0);
    });
  });

  describe("poll state", () => {
    it("round-trips run dates and the poll instants, each save replacing the run dates", async () => {
      expect(await ctx.store.getPollState()).toEqual({ runDates: new Map(), lastFullSyncAt: null, lastPollAt: null, lastSuccessfulPollAt: null });
      const first = new Map([["test-a", "2026-03-01T00:00:00Z"], ["test-b", "2026-03-01T01:00:00Z"]]);
      await ctx.store.savePollState({ runDates: first, fullSync: true, success: true }, at(0));
      await ctx.store.savePollState({ runDates: first, fullSync: true, success: false }, at(10));
      expect(await ctx.store.getPollState()).toEqual({ runDates: first, lastFullSyncAt: at(0), lastPollAt: at(10), lastSuccessfulPollAt: at(0) });

      await ctx.store.savePollState({ runDates: new Map([["test-a", "2026-03-02T00:00:00Z"]]), fullSync: false, success: true }, at(20));
      expect(await ctx.store.getPollState()).toEqual({
        runDates: new Map([["test-a", "2026-03-02T00:00:00Z"]]),
        lastFullSyncAt: at(0),
        lastPollAt: at(20),
        lastSuccessfulPollAt: at(20),
      });
      await ctx.store.savePollState({ runDates: new Map(), fullSync: true, success: true }, at(30));
      expect(await ctx.store.getPollState()).toMatchObject({ runDates: new Map(), lastFullSyncAt: at(30) });
    });
  });

  describe("leader lease", () => {
    it("is held by one owner, renewed by it, and passes on when it expires or is released", async () => {
      const other = await ctx.harness.open();
      expect(await ctx.store.tryLeadership("poller", "a", 1_000, at(0))).toBe(true);
      expect(await other.tryLeadership("poller", "b", 1_000, at(500))).toBe(false);
      expect(await ctx.store.tryLeadership("poller", "a", 1_000, at(900))).toBe(true);
      expect(await other.tryLeadership("poller", "b", 1_000, at(1_899))).toBe(false);
      expect(await other.tryLeadership("elsewhere", "b", 1_000, at(1_899))).toBe(true);
      expect(await other.tryLeadership("poller", "b", 1_000, at(1_900))).toBe(true);
      expect(await ctx.store.tryLeadership("poller", "a", 1_000, at(2_000))).toBe(false);
      await ctx.store.releaseLeadership("poller", "a");
      expect(await ctx.store.tryLeadership("poller", "a", 1_000, at(2_100))).toBe(false);
      await other.releaseLeadership("poller", "b");
      expect(await ctx.store.tryLeadership("poller", "a", 1_000, at(2_200))).toBe(true);
    });

    it("goes to exactly one of many owners asking at once", async () => {
      const stores = [ctx.store, ...(await Promise.all([1, 2, 3].map(() => ctx.harness.open())))];
      const asks = Array.from({ length: 12 }, (_, i) => stores[i % stores.length]!.tryLeadership("poller", `owner-${i}`, 5_000, at(0)));
      const won = (await Promise.all(asks)).filter(Boolean);
      expect(won).toHaveLength(1);
    });
  });

  describe("stats", () => {
    it("counts by status and outcome, computes stage percentiles and lists recent errors", async () => {
      const matchMs = [10, 20, 30, 40, 50];
      for (const [i, ms] of matchMs.entries()) {
        const outcome: Outcome = i < 3 ? { type: "pr-opened", url: `https://x/${i}` } : { type: "no-match", reason: "none" };
        await finished(i, outcome, i < 2 ? { match: ms, publish: [100, 300][i]! } : { match: ms }, 100 + i);
      }
      await finished(10, { type: "failed", kind: "permanent", message: "archived", retryable: false }, {}, 200);
      await finished(11, { type: "failed", kind: "throttled", message: "rate limited", retryable: true }, {}, 300);
      await ctx.store.upsertFailures([failure(12), failure(13)], at(0));
      await ctx.store.claim("w", 1, LEASE_MS, at(400));

      const stats = await ctx.store.stats(at(1_000));
      expect(stats.total).toBe(9);
      expect(stats.byStatus).toEqual({ pending: 2, running: 1, done: 5, failed: 1, deferred: 0 });
      expect(stats.byOutcome).toEqual({ "pr-opened": 3, "no-match": 2, failed: 2 });
      const byStage = Object.fromEntries(stats.stages.map((s) => [s.stage, s]));
      expect(byStage.match).toEqual({ stage: "match", count: 5, p50: 30, p95: 48, p99: 49.6 });
      expect(byStage.publish).toEqual({ stage: "publish", count: 2, p50: 200, p95: 290, p99: 298 });
      expect(stats.recentErrors).toEqual([
        { key: failureKey(failure(11)), testId: "aws-s3-bucket-encryption", resource: "arn:aws:s3:::bucket-11", errorKind: "throttled", errorMessage: "rate limited", at: at(300) },
        { key: failureKey(failure(10)), testId: "aws-s3-bucket-encryption", resource: "arn:aws:s3:::bucket-10", errorKind: "permanent", errorMessage: "archived", at: at(200) },
      ]);
      expect((await ctx.store.stats(at(1_000), { recentErrors: 1 })).recentErrors).toHaveLength(1);

      const recent = await ctx.store.stats(at(1_000), { since: at(250) });
      expect(recent.total).toBe(2);
      expect(recent.stages).toEqual([]);
      expect(recent.recentErrors.map((e) => e.errorKind)).toEqual(["throttled"]);
    });

    it("is all zeros on an empty store", async () => {
      expect(await ctx.store.stats(at(0))).toEqual({
        total: 0,
        byStatus: { pending: 0, running: 0, done: 0, failed: 0, deferred: 0 },
        byOutcome: {},
        stages: [],
        gates: [],
        recentErrors: [],
        llm: { jobs: 0, costUsd: 0, inputTokens: 0, outputTokens: 0 },
      });
    });

    it("sums the model cost and tokens kept in the outcomes of the jobs that asked the model", async () => {
      const cost = (costUsd: number, inputTokens: number) => ({ modelId: "global.anthropic.claude-sonnet-5-5", inputTokens, outputTokens: 100, cacheReadTokens: 10, cacheWriteTokens: 5, costUsd, rounds: 1 });
      await finished(1, { type: "pr-opened", url: "https://x/1", llm: cost(0.012345, 1000) }, {}, 10);
      await finished(2, { type: "failed", kind: "verification", message: "no proposal passed", retryable: false, llm: cost(0.02, 3000) }, {}, 20);
      await finished(3, { type: "pr-opened", url: "https://x/3" }, {}, 30);
      const stats = await ctx.store.stats(at(1_000));
      expect(stats.llm).toEqual({ jobs: 2, costUsd: 0.032345, inputTokens: 4000, outputTokens: 200 });
      expect((await ctx.store.get(failureKey(failure(1))))?.outcome).toMatchObject({ llm: { costUsd: 0.012345, cacheReadTokens: 10 } });
      expect((await ctx.store.stats(at(1_000), { since: at(15) })).llm).toMatchObject({ jobs: 1, costUsd: 0.02 });
    });

    it("sums the verification gates kept in the outcomes, skipped apart from pass, with their reasons", async () => {
      const gate = (name: string, status: "pass" | "fail" | "skipped", detail = `${name} ok`) => ({ name, status, detail });
      const noTerraform = "no terraform binary to run terraform fmt";
      await finished(1, { type: "pr-opened", url: "https://x/1", gates: [gate("parse", "pass"), gate("fmt", "skipped", noTerraform), gate("control", "pass")] }, { verify: 5 }, 10);
      await finished(2, { type: "pr-opened", url: "https://x/2", gates: [gate("parse", "pass"), gate("fmt", "skipped", noTerraform), gate("control", "skipped", "no control covers test t")] }, { verify: 5 }, 20);
      await finished(3, { type: "failed", kind: "verification", message: "scope", retryable: false, gates: [gate("parse", "pass"), gate("fmt", "pass"), gate("control", "fail", "s3-versioning still fails")] }, { verify: 5 }, 30);
      await finished(4, { type: "no-match", reason: "nothing" }, { match: 5 }, 40);
      const stats = await ctx.store.stats(at(1_000));
      expect(stats.gates).toEqual([
        { name: "parse", pass: 3, fail: 0, skipped: 0, reasons: [] },
        { name: "fmt", pass: 1, fail: 0, skipped: 2, reasons: [{ status: "skipped", detail: noTerraform, count: 2 }] },
        {
          name: "control",
          pass: 1,
          fail: 1,
          skipped: 1,
          reasons: [
            { status: "skipped", detail: "no control covers test t", count: 1 },
            { status: "fail", detail: "s3-versioning still fails", count: 1 },
          ],
        },
      ]);
      expect((await ctx.store.stats(at(1_000), { since: at(25) })).gates.map((g) => [g.name, g.pass, g.fail, g.skipped])).toEqual([["parse", 1, 0, 0], ["fmt", 1, 0, 0], ["control", 0, 1, 0]]);
    });
  });

  describe("requeue", () => {
    it("puts failed records (or chosen keys) back to pending with attempts reset, leaving running and resolved ones", async () => {
      const failedKey = await finished(1, { type: "failed", kind: "permanent", message: "no access", retryable: false }, {}, 10);
      const doneKey = await finished(2, { type: "pr-opened", url: "https://x/2" }, {}, 11);
      const resolvedKey = await finished(3, { type: "failed", kind: "config", message: "x", retryable: false }, {}, 12);
      await ctx.store.markResolved([resolvedKey], at(13));
      await ctx.store.upsertFailures([failure(4)], at(0));
      const running = await claimOne(ctx.store, "w4", at(14));

      expect(await ctx.store.requeue({ failed: true }, at(20), true)).toBe(1);
      expect((await ctx.store.get(failedKey))?.status).toBe("failed");
      expect(await ctx.store.requeue({ failed: true }, at(20), false)).toBe(1);
      expect(await ctx.store.get(failedKey)).toMatchObject({ status: "pending", attempts: 0, outcome: null, errorKind: null, finishedAt: null, updatedAt: at(20) });

      expect(await ctx.store.requeue({ keys: [doneKey, running.key, resolvedKey, "unknown"] }, at(21), false)).toBe(1);
      expect(await ctx.store.get(doneKey)).toMatchObject({ status: "pending", prUrl: "https://x/2" });
      expect((await ctx.store.get(running.key))?.status).toBe("running");
      expect((await ctx.store.get(resolvedKey))?.status).toBe("failed");
      expect((await ctx.store.claim("w5", 10, LEASE_MS, at(22))).map((r) => r.key).sort()).toEqual([failedKey, doneKey].sort());
    });
  });

  describe("cleanup", () => {
    it("deletes done and failed records finished before the cutoff, counting only in a dry run", async () => {
      const old = await finished(1, { type: "pr-opened", url: "https://x/1" }, {}, 10);
      const oldFailed = await finished(2, { type: "failed", kind: "permanent", message: "x", retryable: false }, {}, 20);
      const fresh = await finished(3, { type: "no-match", reason: "x" }, {}, 100);
      await ctx.store.upsertFailures([failure(4)], at(0));
      await ctx.store.upsertFailures([failure(5)], at(0));
      await ctx.store.claim("w", 1, LEASE_MS, at(1));

      expect(await ctx.store.cleanup(at(50), true)).toBe(2);
      expect(await ctx.store.list({})).toHaveLength(5);
      expect(await ctx.store.cleanup(at(50), false)).toBe(2);
      expect(await ctx.store.get(old)).toBeNull();
      expect(await ctx.store.get(oldFailed)).toBeNull();
      expect(await ctx.store.get(fresh)).not.toBeNull();
      expect((await ctx.store.list({})).map((r) => r.status).sort()).toEqual(["done", "pending", "running"]);
      expect(await ctx.store.cleanup(at(50), false)).toBe(0);
    });
  });
}
