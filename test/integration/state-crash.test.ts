import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteStateStore } from "../../src/adapters/sqlite/state-store.js";
import { DEFAULT_CLAIM_LEASE_MS } from "../../src/daemon/worker-pool.js";
import { failureKey } from "../../src/domain/failure.js";
import { silentLogger } from "../../src/observability/logger.js";
import { startClaimChild } from "../adapters/sqlite/run-claim-child.js";
import { at, failure, failures, RETRY } from "../adapters/state/harness.js";

const LEASE_MS = 60_000;

describe("SQLite state shared by worker processes", () => {
  let dir: string;
  let path: string;
  let store: SqliteStateStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "terrafix-crash-"));
    path = join(dir, "state.db");
    store = new SqliteStateStore({ path, retry: RETRY, logger: silentLogger() });
    await store.migrate();
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the job of a worker killed with SIGKILL leased until the lease expires, then hands it over", async () => {
    await store.upsertFailures([failure(1)], at(0));
    const key = failureKey(failure(1));

    const result = await startClaimChild(["crash", path, "doomed", String(at(1_000).getTime()), String(LEASE_MS)]).exit;

    expect(result.signal).toBe("SIGKILL");
    expect(result.lines[0]?.claimed).toEqual([key]);
    expect(await store.get(key)).toMatchObject({ status: "running", leaseOwner: "doomed", attempts: 1 });
    expect(await store.claim("survivor", 10, LEASE_MS, at(1_000 + LEASE_MS - 1))).toEqual([]);

    const reclaimed = await store.claim("survivor", 10, LEASE_MS, at(1_000 + LEASE_MS));
    expect(reclaimed.map((r) => r.key)).toEqual([key]);
    expect(reclaimed[0]).toMatchObject({ leaseOwner: "survivor", attempts: 2 });
    expect(await store.finish(key, "survivor", { type: "pr-opened", url: "https://github.com/acme/infra/pull/1" }, {}, at(70_000))).toBe(true);
    expect((await store.get(key))?.status).toBe("done");
  });

  it("a pool killed inside its first job strands only that job: the queued claims are due again within the claim lease, their attempt not counted", async () => {
    // Issue 16: the whole claimed batch used to stay leased for the full lease after a crash.
    await store.upsertFailures(failures(4), at(0));
    const result = await startClaimChild(["crash-pool", path, "doomed", String(at(1_000).getTime()), String(LEASE_MS)]).exit;
    expect(result.signal).toBe("SIGKILL");
    const { started, queued } = result.lines[0] as { started: string; queued: string[] };
    expect(queued).toHaveLength(3);

    expect(await store.claim("survivor", 10, LEASE_MS, at(1_000 + DEFAULT_CLAIM_LEASE_MS - 1))).toEqual([]);
    const retaken = await store.claim("survivor", 10, LEASE_MS, at(1_000 + DEFAULT_CLAIM_LEASE_MS));
    expect(retaken.map((r) => r.key).sort()).toEqual([...queued].sort());
    expect(retaken.every((r) => r.attempts === 1)).toBe(true);
    // The job that was running keeps its full lease, then comes back as a second attempt.
    expect(await store.get(started)).toMatchObject({ status: "running", leaseOwner: "doomed", leaseExpiresAt: at(1_000 + LEASE_MS) });
    const [again] = await store.claim("survivor", 10, LEASE_MS, at(1_000 + LEASE_MS));
    expect(again).toMatchObject({ key: started, attempts: 2 });
  });

  it("lets three processes drain 150 jobs with every job claimed by exactly one of them", async () => {
    await store.upsertFailures(failures(150), at(0));
    const children = ["p1", "p2", "p3"].map((owner) => startClaimChild(["drain", path, owner, String(at(1_000).getTime()), String(LEASE_MS)]));
    // Start them together: each waits for "go" once it has opened the database.
    for (const child of children) expect((await child.firstLine).ready).toBe(true);
    for (const child of children) child.send("go");
    const results = await Promise.all(children.map((c) => c.exit));

    const keys = results.flatMap((r) => r.lines.at(-1)?.claimed ?? []);
    expect(keys).toHaveLength(150);
    expect(new Set(keys).size).toBe(150);
    const done = await store.list({ status: "done" });
    expect(done).toHaveLength(150);
    expect(done.every((r) => r.attempts === 1 && r.prUrl !== null)).toBe(true);
  });
});
