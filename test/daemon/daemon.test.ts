import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startHealthServer } from "../../src/daemon/http-server.js";
import { handleShutdownSignals } from "../../src/daemon/signals.js";
import type { RunJob } from "../../src/daemon/worker-pool.js";
import { failureKey } from "../../src/domain/failure.js";
import { silentLogger } from "../../src/observability/logger.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { daemonOn as daemon, publishOk, sqliteStores, storePath, untilAborted } from "../support/daemon-harness.js";
import { MemorySource, failure } from "../support/memory-source.js";

const stores = sqliteStores();
const sqliteStore = stores.open;
afterEach(async () => {
  vi.useRealTimers();
  await stores.closeAll();
});

describe("Daemon.runOnce", () => {
  it("polls, records every failure and runs each job once", async () => {
    const source = new MemorySource();
    source.failures = [failure(1), failure(2), failure(3), failure(4, "aws-rds-multi-az-redundancy")];
    const store = await sqliteStore();
    const seen: string[] = [];
    const d = daemon(source, store, (job, signal) => {
      seen.push(job.key);
      return publishOk(job, signal);
    });
    const result = await d.runOnce();
    expect(result.poll).toMatchObject({ tests: 2, failures: 4, inserted: 4, resolved: 0 });
    expect(result.jobs).toBe(4);
    expect(seen.sort()).toEqual(source.failures.map((f) => failureKey(f)).sort());
    const stats = await store.stats(new Date());
    expect(stats.byOutcome["pr-opened"]).toBe(4);
    // A second cycle finds nothing new to do.
    expect((await d.runOnce()).jobs).toBe(0);
  });

  it("respects --limit and leaves the rest pending", async () => {
    const source = new MemorySource();
    source.failures = [1, 2, 3, 4, 5].map((n) => failure(n));
    const store = await sqliteStore();
    const result = await daemon(source, store, publishOk).runOnce({ limit: 2 });
    expect(result.jobs).toBe(2);
    expect((await store.list({ status: "pending" })).length).toBe(3);
  });

  it("never runs more jobs at once than its concurrency", async () => {
    const source = new MemorySource();
    source.failures = Array.from({ length: 12 }, (_, i) => failure(i));
    const store = await sqliteStore();
    let running = 0;
    let peak = 0;
    const d = daemon(source, store, async (job, signal) => {
      running += 1;
      peak = Math.max(peak, running);
      // One turn of the event loop: every job the pool started is running at once by then.
      await new Promise((r) => setImmediate(r));
      running -= 1;
      return publishOk(job, signal);
    }, { concurrency: 3, queueSize: 1 });
    expect((await d.runOnce()).jobs).toBe(12);
    expect(peak).toBe(3);
  });

  it("records a job that throws as failed instead of crashing", async () => {
    const source = new MemorySource();
    source.failures = [failure(1)];
    const store = await sqliteStore();
    await daemon(source, store, () => Promise.reject(new Error("unexpected"))).runOnce();
    const [record] = await store.list({});
    expect(record?.outcome).toMatchObject({ type: "failed", kind: "permanent", message: "unexpected" });
    expect(record?.status).toBe("failed");
  });
});

describe("retries", () => {
  it("runs a transiently failed job again and counts the retry", async () => {
    const source = new MemorySource();
    source.failures = [failure(1)];
    const store = await sqliteStore(undefined, 0);
    const metrics = createMetrics();
    let calls = 0;
    const d = daemon(source, store, (job, signal) => {
      calls += 1;
      return calls === 1
        ? Promise.resolve({ outcome: { type: "failed", kind: "transient", message: "GitHub 502", retryable: true }, timings: {} })
        : publishOk(job, signal);
    }, { metrics });
    // With no backoff the retry is due at once, so the same cycle runs it again.
    expect((await d.runOnce()).jobs).toBe(2);
    expect((await store.list({}))[0]).toMatchObject({ status: "done", attempts: 2 });
    expect(await metrics.registry.getSingleMetricAsString("terrafix_retries_total")).toContain('terrafix_retries_total{service="job"} 1');
  });
});

describe("leases", () => {
  it("keeps renewing the lease of a job waiting in the queue, so nobody claims it twice", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "Date"] });
    const path = storePath();
    const source = new MemorySource();
    source.failures = [failure(1), failure(2), failure(3)];
    const runs: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const held: RunJob = async (job, signal) => {
      runs.push(job.key);
      await gate;
      return publishOk(job, signal);
    };
    const a = daemon(source, await sqliteStore(path), held, { owner: "a", concurrency: 1, queueSize: 2, leaseMs: 1500 });
    const b = daemon(source, await sqliteStore(path), held, { owner: "b", concurrency: 1, queueSize: 2, leaseMs: 1500 });
    await a.poll(true);
    expect(await a.pool.fill()).toBe(3);
    // The queued jobs wait 2 s in a's queue, longer than their 1.5 s lease: renewals keep them a's.
    await vi.advanceTimersByTimeAsync(2000);
    expect(runs).toHaveLength(1);
    expect(await b.pool.fill()).toBe(0);
    expect(await a.pool.fill()).toBe(0);
    open();
    await a.pool.drain();
    expect(runs.sort()).toEqual(source.failures.map((f) => failureKey(f)).sort());
  });

  it("a claim nobody renews lapses after its lease (what the renewals above prevent)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "Date"] });
    const path = storePath();
    const source = new MemorySource();
    source.failures = [failure(1)];
    const a = daemon(source, await sqliteStore(path), publishOk, { owner: "a" });
    const store = await sqliteStore(path);
    await a.poll(true);
    // Claimed by hand (no pool, so nobody renews): after its lease another owner may claim it.
    expect(await store.claim("gone", 1, 1500, new Date())).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await store.claim("b", 1, 1500, new Date())).toHaveLength(1);
  });
});

describe("resolution", () => {
  it("marks failures that disappeared as resolved and reports them", async () => {
    const source = new MemorySource();
    source.failures = [failure(1), failure(2), failure(3, "aws-rds-multi-az-redundancy")];
    const store = await sqliteStore();
    const resolved: string[] = [];
    const d = daemon(source, store, publishOk, {
      fullResyncHours: 0,
      onResolved: (f) => {
        resolved.push(f.displayName);
        return Promise.resolve();
      },
    });
    await d.runOnce();
    // bucket-2 is fixed; the RDS test passes entirely.
    source.failures = [failure(1)];
    source.runDate = "2026-11-02T00:00:00.000Z";
    const summary = await d.poll(true);
    expect(summary?.resolved).toBe(2);
    expect(resolved.sort()).toEqual(["bucket-2", "bucket-3"]);
    expect((await store.get(failureKey(failure(2))))?.resolvedAt).not.toBeNull();
    expect((await store.get(failureKey(failure(1))))?.resolvedAt).toBeNull();
  });

  it("resolves nothing of a test whose listing was incomplete", async () => {
    const source = new MemorySource();
    source.failures = [failure(1), failure(2)];
    const store = await sqliteStore();
    const d = daemon(source, store, publishOk, { fullResyncHours: 0 });
    await d.runOnce();
    source.failures = [failure(1)];
    source.skipped = [{ what: "entity", testId: "aws-s3-public-access-blocked", id: "x", reason: "schema" }];
    expect((await d.poll(true))?.resolved).toBe(0);
    source.skipped = [{ what: "test", reason: "schema" }];
    source.failures = [];
    expect((await d.poll(true))?.resolved).toBe(0);
  });

  it("refetches only changed tests between full resyncs", async () => {
    const source = new MemorySource();
    source.failures = [failure(1)];
    const store = await sqliteStore();
    const d = daemon(source, store, publishOk, { fullResyncHours: 24 });
    await d.poll(true);
    await d.poll(true);
    expect(source.requests.map((r) => r.fullResync)).toEqual([true, false]);
    expect(source.requests[1]?.previousRunDates.get("aws-s3-public-access-blocked")).toBe(source.runDate);
  });

  it("a failed poll is recorded and the next poll retries", async () => {
    const source = new MemorySource();
    const store = await sqliteStore();
    const d = daemon(source, store, publishOk);
    source.failNext = new Error("vanta down");
    await expect(d.poll(true)).rejects.toThrow("vanta down");
    expect(d.lastPollError).toBe("vanta down");
    expect((await store.getPollState()).lastSuccessfulPollAt).toBeNull();
    source.failures = [failure(1)];
    expect((await d.poll(true))?.inserted).toBe(1);
    expect(d.lastPollError).toBeNull();
  });
});

describe("several daemons on one store", () => {
  it("only the leader polls", async () => {
    const path = storePath();
    const source = new MemorySource();
    source.failures = [failure(1)];
    const a = daemon(source, await sqliteStore(path), publishOk, { owner: "a" });
    const b = daemon(source, await sqliteStore(path), publishOk, { owner: "b" });
    expect(await a.poll()).not.toBeNull();
    expect(await b.poll()).toBeNull();
    expect(source.requests).toHaveLength(1);
  });
});

describe("configuration problems", () => {
  const misconfigured: RunJob = () => Promise.resolve({ outcome: { type: "failed", kind: "config", message: "no repository is configured", retryable: false }, timings: {} });

  it("stay failed within a process and run again in the next one (runOnce and start), with no retry", async () => {
    const source = new MemorySource();
    source.failures = [failure(1), failure(2)];
    const store = await sqliteStore();
    const first = daemon(source, store, misconfigured);
    expect((await first.runOnce()).jobs).toBe(2);
    expect((await store.list({ status: "failed" })).map((j) => j.errorKind)).toEqual(["config", "config"]);
    // The same process does not loop on them: its configuration has not changed.
    expect((await first.runOnce()).jobs).toBe(0);

    // A later process (configuration fixed) runs them, without `retry`.
    expect((await daemon(source, store, publishOk).runOnce()).jobs).toBe(2);
    expect((await store.stats(new Date())).byOutcome["pr-opened"]).toBe(2);

    // The daemon does the same when it starts; other failures are left for `retry`. (New test ids:
    // an unchanged test is not refetched between full resyncs.)
    const again = new MemorySource();
    again.failures = [failure(3, "acme-custom-test"), failure(4, "aws-rds-multi-az-redundancy")];
    await daemon(again, store, (job) =>
      Promise.resolve({ outcome: job.failure.testId === "aws-rds-multi-az-redundancy" ? { type: "failed", kind: "permanent", message: "GitHub 403", retryable: false } : { type: "failed", kind: "config", message: "unmapped", retryable: false }, timings: {} }),
    ).runOnce();
    const seen: string[] = [];
    let ran = (): void => undefined;
    const finished = new Promise<void>((resolve) => (ran = resolve));
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "Date"] });
    const d = daemon(again, store, (job, signal) => {
      seen.push(job.failure.testId);
      return publishOk(job, signal);
    }, { claimIntervalMs: 20, onJobFinished: () => ran() });
    d.start();
    await finished;
    await vi.advanceTimersByTimeAsync(100); // five more claim rounds: nothing else runs
    await d.gracefulShutdown(1000);
    expect(seen).toEqual(["acme-custom-test"]);
    expect((await store.list({ status: "failed" })).map((j) => j.errorKind)).toEqual(["permanent"]);
  });

  it("include a record an earlier version stored as finished: no-match \"no repository is configured\"", async () => {
    const source = new MemorySource();
    source.failures = [failure(1), failure(2)];
    const store = await sqliteStore();
    // As TerraFix before failed(config) stored it: a finished no-match. And a real no-match beside it.
    await daemon(source, store, (job) =>
      Promise.resolve({
        outcome: { type: "no-match", reason: job.failure.displayName === failure(1).displayName ? "no repository is configured for this failure" : "no resource in the repository has this name" },
        timings: {},
      }),
    ).runOnce();
    expect((await store.list({ status: "done" })).map((j) => j.outcome?.type)).toEqual(["no-match", "no-match"]);

    const ran: string[] = [];
    const next = daemon(source, store, (job, signal) => {
      ran.push(job.failure.displayName);
      return publishOk(job, signal);
    });
    expect((await next.runOnce()).jobs).toBe(1);
    expect(ran).toEqual([failure(1).displayName]);
    expect((await store.stats(new Date())).byOutcome["pr-opened"]).toBe(1);
  });
});

describe("poller lease", () => {
  it("is kept by the leader's heartbeat between polls, and passes on when the leader stops renewing it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "Date"] });
    const path = storePath();
    const source = new MemorySource();
    const a = daemon(source, await sqliteStore(path), publishOk, { owner: "a", leaderTtlMs: 300, claimIntervalMs: 50 });
    const b = daemon(source, await sqliteStore(path), publishOk, { owner: "b", leaderTtlMs: 300 });
    a.start();
    await vi.advanceTimersByTimeAsync(800); // more than two lease lifetimes, no second poll (interval 60 s)
    expect(await b.poll()).toBeNull();
    expect(source.requests).toHaveLength(1);
    await a.gracefulShutdown(1000);
    expect(await b.poll()).not.toBeNull();

    // A leader that died (polled once, then no heartbeat) blocks others for one lease at most.
    const dead = daemon(source, await sqliteStore(path), publishOk, { owner: "dead", leaderTtlMs: 300 });
    await b.gracefulShutdown(1000);
    expect(await dead.poll()).not.toBeNull();
    const c = daemon(source, await sqliteStore(path), publishOk, { owner: "c", leaderTtlMs: 300 });
    expect(await c.poll()).toBeNull();
    await vi.advanceTimersByTimeAsync(299);
    expect(await c.poll()).toBeNull();
    await vi.advanceTimersByTimeAsync(2);
    expect(await c.poll()).not.toBeNull();
  });
});

describe("graceful shutdown", () => {
  it("waits for in-flight jobs within the grace period", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "Date"] });
    const source = new MemorySource();
    source.failures = [failure(1), failure(2)];
    const store = await sqliteStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const d = daemon(source, store, async (job, signal) => {
      await gate;
      return publishOk(job, signal);
    });
    await d.poll(true);
    await d.pool.fill();
    expect(d.pool.size).toBe(2);
    let settled = false;
    const stopping = d.gracefulShutdown(60_000).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(59_000);
    expect(settled).toBe(false);
    release();
    expect(await stopping).toEqual({ finished: 2, released: 0 });
    expect((await store.list({ status: "done" })).length).toBe(2);
  });

  it("releases jobs still running when the grace period ends, without counting the attempt", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "Date"] });
    const source = new MemorySource();
    source.failures = [failure(1)];
    const store = await sqliteStore();
    const job = untilAborted();
    const d = daemon(source, store, job.runJob);
    await d.poll(true);
    await d.pool.fill();
    await job.started;
    const stopping = d.gracefulShutdown(10_000);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(job.aborted).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await stopping).toEqual({ finished: 0, released: 1 });
    expect(job.aborted).toEqual([failureKey(failure(1))]);
    const [record] = await store.list({});
    expect(record?.status).toBe("pending");
    expect(record?.leaseOwner).toBeNull();
    expect(record?.attempts).toBe(0);
  });
});

describe("signals", () => {
  it("first signal is graceful, the second forceful, and the handlers can be removed", () => {
    const target = new EventEmitter();
    const calls: string[] = [];
    const remove = handleShutdownSignals(silentLogger(), { graceful: () => calls.push("graceful"), forceful: () => calls.push("forceful") }, target);
    target.emit("SIGTERM", "SIGTERM");
    target.emit("SIGINT", "SIGINT");
    expect(calls).toEqual(["graceful", "forceful"]);
    remove();
    expect(target.listenerCount("SIGTERM")).toBe(0);
    expect(target.listenerCount("SIGINT")).toBe(0);
  });
});

describe("health server", () => {
  it("serves /healthz, /readyz and /metrics", async () => {
    const store = await sqliteStore();
    const metrics = createMetrics();
    metrics.outcomes.inc({ outcome: "pr-opened" });
    let now = new Date("2026-11-25T10:00:00Z");
    const server = await startHealthServer({ port: 0, host: "127.0.0.1", store, registry: metrics.registry, maxPollAgeMs: 60_000, startupGraceMs: 0, now: () => now });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const unready = await fetch(`${server.url}/readyz`);
      expect(unready.status).toBe(503);
      expect(await unready.json()).toMatchObject({ ready: false, reason: "no successful poll yet" });
      await store.savePollState({ runDates: new Map(), fullSync: true, success: true }, now);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      now = new Date(now.getTime() + 120_000);
      const stale = await fetch(`${server.url}/readyz`);
      expect(stale.status).toBe(503);
      expect(((await stale.json()) as { reason: string }).reason).toContain("last successful poll 120 s ago");
      const text = await (await fetch(`${server.url}/metrics`)).text();
      expect(text).toContain('terrafix_job_outcomes_total{outcome="pr-opened"} 1');
      expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe("process-once beside a running daemon", () => {
  it("does not poll while another replica holds the poller lease, and releases its own lease", async () => {
    const path = storePath();
    const source = new MemorySource();
    source.failures = [failure(1)];
    const running = daemon(source, await sqliteStore(path), publishOk, { owner: "daemon" });
    const once = daemon(source, await sqliteStore(path), publishOk, { owner: "once" });
    expect(await running.poll()).not.toBeNull();
    const first = await once.runOnce();
    expect(first.poll).toBeNull();
    expect(source.requests).toHaveLength(1);
    // The job the daemon's poll recorded is still worked by process-once.
    expect(first.jobs).toBe(1);
    const lone = daemon(source, await sqliteStore(), publishOk, { owner: "lone" });
    expect((await lone.runOnce()).poll).not.toBeNull();
    const other = daemon(source, await sqliteStore(path), publishOk, { owner: "other" });
    expect(await other.poll()).toBeNull(); // the running daemon still polls
  });
});
