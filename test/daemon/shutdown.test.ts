import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { POLLER_LEADERSHIP } from "../../src/daemon/daemon.js";
import { handleShutdownSignals } from "../../src/daemon/signals.js";
import { failureKey } from "../../src/domain/failure.js";
import type { JobRecord, StateStore } from "../../src/ports/state-store.js";
import { capturingLogger, daemonOn, publishOk, sqliteStores, storePath, untilAborted } from "../support/daemon-harness.js";
import { MemorySource, failure } from "../support/memory-source.js";

const stores = sqliteStores();
afterEach(async () => {
  vi.useRealTimers();
  await stores.closeAll();
});

/** One failure recorded and claimed by a daemon whose job runs until aborted. */
async function busyDaemon(path = storePath(), extra: Parameters<typeof daemonOn>[3] = {}) {
  const source = new MemorySource();
  source.failures = [failure(1)];
  const store = await stores.open(path);
  const job = untilAborted();
  const daemon = daemonOn(source, store, job.runJob, { owner: "a", ...extra });
  await daemon.poll(true);
  expect(await daemon.pool.fill()).toBe(1);
  await job.started;
  return { source, store, job, daemon };
}

function heldBy(store: StateStore): Promise<JobRecord | null> {
  return store.get(failureKey(failure(1)));
}

describe("Daemon shutdown", () => {
  it("graceful twice is one shutdown: the same promise, one result", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "Date"] });
    const { daemon, job } = await busyDaemon();
    const first = daemon.gracefulShutdown(1_000);
    const second = daemon.gracefulShutdown(50_000);
    expect(second).toBe(first);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await first).toEqual({ finished: 0, released: 1 });
    expect(await daemon.whenStopped()).toEqual({ finished: 0, released: 1 });
    expect(job.aborted).toHaveLength(1);
  });

  it("a forceful stop during a graceful one aborts at once and releases the claim, so the job runs again", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "Date"] });
    const path = storePath();
    const { daemon, store, job, source } = await busyDaemon(path);
    const graceful = daemon.gracefulShutdown(3_600_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(job.aborted).toEqual([]);
    expect(await heldBy(store)).toMatchObject({ status: "running", leaseOwner: "a" });

    const forced = daemon.forcefulShutdown();
    expect(forced).toBe(graceful);
    // No timer needs to fire: the forced stop does not wait for the hour of grace.
    expect(await forced).toEqual({ finished: 0, released: 1 });
    expect(job.aborted).toEqual([failureKey(failure(1))]);
    expect(await heldBy(store)).toMatchObject({ status: "pending", leaseOwner: null, attempts: 0 });

    // Another replica takes the released job and finishes it.
    const runs: string[] = [];
    const next = daemonOn(source, await stores.open(path), (j, s) => (runs.push(j.key), publishOk(j, s)), { owner: "b" });
    expect((await next.runOnce()).jobs).toBe(1);
    expect(runs).toEqual([failureKey(failure(1))]);
    expect(await heldBy(store)).toMatchObject({ status: "done", attempts: 1 });
  });

  it("forceful first, then graceful: the graceful call returns the forced shutdown", async () => {
    const { daemon, store } = await busyDaemon();
    const forced = daemon.forcefulShutdown();
    expect(daemon.gracefulShutdown(3_600_000)).toBe(forced);
    expect(daemon.forcefulShutdown()).toBe(forced);
    expect(await forced).toEqual({ finished: 0, released: 1 });
    expect(await heldBy(store)).toMatchObject({ status: "pending", leaseOwner: null });
  });

  it("releases the poller lease before the store closes: the next replica polls at once", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "Date"] });
    const path = storePath();
    const { logger, lines } = capturingLogger();
    // A lease of an hour: only a release (not expiry) lets another replica poll in this test.
    const { daemon, store } = await busyDaemon(path, { logger, leaderTtlMs: 3_600_000 });
    daemon.start();
    await vi.advanceTimersByTimeAsync(10);
    const other = await stores.open(path);
    expect(await other.tryLeadership(POLLER_LEADERSHIP, "b", 3_600_000, new Date())).toBe(false);

    void daemon.gracefulShutdown(60_000);
    await daemon.forcefulShutdown();
    // The run command closes the store as soon as the daemon has stopped.
    await store.close();
    expect(await other.tryLeadership(POLLER_LEADERSHIP, "b", 3_600_000, new Date())).toBe(true);
    const messages = lines().map((l) => l.msg);
    expect(messages).toContain("daemon stopped");
    expect(lines().filter((l) => l.level >= 40)).toEqual([]);
  });

  it("does not wait a poll interval when the signal comes while a poll is in flight", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "Date"] });
    let finishPoll!: () => void;
    let polling!: () => void;
    const inFlight = new Promise<void>((r) => (polling = r));
    const source = new (class extends MemorySource {
      override async poll(request: Parameters<MemorySource["poll"]>[0]) {
        polling();
        await new Promise<void>((r) => (finishPoll = r));
        return super.poll(request);
      }
    })();
    const daemon = daemonOn(source, await stores.open(), publishOk, { pollIntervalMs: 3_600_000 });
    daemon.start();
    await inFlight;
    const stopping = daemon.gracefulShutdown(1_000);
    finishPoll();
    // No timer is advanced: every loop sees the shutdown before it sleeps again.
    expect(await stopping).toEqual({ finished: 0, released: 0 });
  });

  it("resolves whenStopped only once the shutdown is done", async () => {
    const { daemon } = await busyDaemon();
    let stopped = false;
    const waiting = daemon.whenStopped().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    await daemon.forcefulShutdown();
    await waiting;
    expect(stopped).toBe(true);
  });
});

describe("lifecycle listeners", () => {
  it("a throwing job listener neither crashes the pool nor passes for a failed recording", async () => {
    const { logger, lines } = capturingLogger();
    const source = new MemorySource();
    source.failures = [failure(1), failure(2), failure(3)];
    const store = await stores.open();
    const seen: string[] = [];
    const daemon = daemonOn(source, store, publishOk, {
      logger,
      onJobFinished: (job) => {
        seen.push(job.key);
        throw new Error("listener bug");
      },
    });
    daemon.events.on("job:finished", () => Promise.reject(new Error("async listener bug")));
    expect((await daemon.runOnce()).jobs).toBe(3);
    expect(seen).toHaveLength(3);
    expect((await store.list({ status: "done" })).length).toBe(3);
    const warnings = lines().filter((l) => l.level >= 40);
    expect(warnings.map((l) => [l.msg, l["event"]])).toEqual(Array.from({ length: 6 }, () => ["lifecycle listener failed", "job:finished"]));
    expect(lines().map((l) => l.msg)).not.toContain("recording a job outcome failed");
  });

  it("a throwing shutdown listener does not stop the shutdown", async () => {
    const { logger, lines } = capturingLogger();
    const { daemon, store } = await busyDaemon(undefined, { logger });
    daemon.events.on("shutdown:start", () => {
      throw new Error("listener bug");
    });
    const done: unknown[] = [];
    daemon.events.on("shutdown:done", (result) => done.push(result));
    expect(await daemon.forcefulShutdown()).toEqual({ finished: 0, released: 1 });
    expect(done).toEqual([{ finished: 0, released: 1 }]);
    expect(await heldBy(store)).toMatchObject({ status: "pending" });
    expect(lines().find((l) => l.msg === "lifecycle listener failed")).toMatchObject({ event: "shutdown:start" });
  });

  it("a signal action that throws is logged, not thrown out of the signal handler", () => {
    const { logger, lines } = capturingLogger();
    const target = new EventEmitter();
    handleShutdownSignals(logger, { graceful: () => { throw new Error("boom"); }, forceful: () => undefined }, target);
    expect(() => target.emit("SIGTERM", "SIGTERM")).not.toThrow();
    expect(lines().find((l) => l.msg === "starting the shutdown failed")).toMatchObject({ mode: "graceful", signal: "SIGTERM" });
  });
});
