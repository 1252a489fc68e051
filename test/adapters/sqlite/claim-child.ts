/**
 * A worker process for the SQLite integration tests (run with `npx tsx`):
 *   crash PATH OWNER NOW_MS LEASE_MS   claims one job, reports it, then SIGKILLs itself
 *   crash-pool PATH OWNER NOW_MS LEASE_MS  a worker pool (one worker, a queue) claims a batch and
 *                                      SIGKILLs itself inside the first job
 *   drain PATH OWNER NOW_MS LEASE_MS   waits for "go" on stdin, then claims and finishes jobs
 *                                      until none is left and reports every key it claimed
 * Instants are passed in, so the parent decides what "now" is.
 */
import { createInterface } from "node:readline";
import { openStateStore } from "../../../src/adapters/state/open-state-store.js";
import { WorkerPool } from "../../../src/daemon/worker-pool.js";
import { silentLogger } from "../../../src/observability/logger.js";

const [mode, path, owner, nowArg, leaseArg] = process.argv.slice(2);
if (path === undefined || owner === undefined || nowArg === undefined || leaseArg === undefined) {
  throw new Error("usage: claim-child.ts crash|drain PATH OWNER NOW_MS LEASE_MS");
}
const now = new Date(Number(nowArg));
const leaseMs = Number(leaseArg);
const store = await openStateStore(path, { retry: { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 10_000 }, logger: silentLogger() });

function report(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

if (mode === "crash") {
  const claimed = await store.claim(owner, 1, leaseMs, now);
  // The worker was mid-job when it died: the work had started.
  for (const job of claimed) await store.start(job.key, owner, leaseMs, now);
  // Wait until the parent has the line: a killed process may lose buffered pipe output.
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify({ claimed: claimed.map((r) => r.key) })}\n`, () => resolve()));
  process.kill(process.pid, "SIGKILL");
} else if (mode === "crash-pool") {
  const pool = new WorkerPool({
    store,
    owner,
    concurrency: 1,
    queueSize: 10,
    leaseMs,
    logger: silentLogger(),
    now: () => now,
    runJob: async (job) => {
      const queued = (await store.list({ status: "running" })).map((r) => r.key).filter((k) => k !== job.key);
      await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify({ started: job.key, queued })}\n`, () => resolve()));
      process.kill(process.pid, "SIGKILL");
      return new Promise(() => undefined);
    },
  });
  await pool.fill();
  await pool.drain();
} else {
  report({ ready: true });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === "go") break;
  lines.close();
  const mine: string[] = [];
  for (;;) {
    const batch = await store.claim(owner, 5, leaseMs, now);
    if (batch.length === 0) break;
    for (const job of batch) {
      mine.push(job.key);
      await store.finish(job.key, owner, { type: "pr-opened", url: `https://github.com/acme/infra/pull/${job.key.slice(0, 8)}` }, { publish: 1 }, now);
    }
  }
  await store.close();
  report({ claimed: mine });
}
