import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGitWorkspace } from "../../src/adapters/git/workspace.js";
import { SecretRegistry } from "../../src/observability/secrets.js";
import { indexCheckouts, type IndexDeps } from "../../src/pipeline/index.js";
import { createSharedIndexes } from "../../src/pipeline/shared-index.js";
import { acquireCheckouts } from "../../src/pipeline/workspace.js";
import { ParseCache } from "../../src/terraform/cache.js";
import type { RepositoryIndex } from "../../src/terraform/types.js";
import { capturingLogger, createRemote, fileTemplate, manualClock, tempRoot } from "../adapters/git/remote-fixture.js";

const FAILURE = { testId: "s3-bucket-versioning", displayName: "logs", responseType: "S3 bucket" } as never;
const MAIN_TF = 'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n}\n';
const DATA_TF = 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n}\n';

let root: string;
let cleanup: () => void;
beforeEach(() => {
  ({ root, cleanup } = tempRoot());
});
afterEach(() => cleanup());

function setup() {
  const clock = manualClock();
  const workspace = createGitWorkspace({
    cacheDir: join(root, "cache"),
    urlTemplate: fileTemplate(root),
    timeoutMs: 30_000,
    maxCacheBytes: 1_000_000_000,
    logger: capturingLogger().logger,
    now: clock.now,
    secrets: new SecretRegistry(),
  });
  return { clock, deps: { workspace, repositories: [{ owner: "acme", name: "infra" }] } };
}

/** N jobs at once, each as run-job does it: acquire the checkouts, index them, release. */
async function concurrentJobs(n: number, deps: ReturnType<typeof setup>["deps"], index: IndexDeps): Promise<{ indexes: RepositoryIndex[]; heads: string[] }> {
  const signal = new AbortController().signal;
  const jobs = Array.from({ length: n }, async () => {
    const ws = await acquireCheckouts({ failure: FAILURE }, deps, signal);
    try {
      if (ws.status !== "ready") throw new Error(`workspace: ${ws.status}`);
      const [repo] = await indexCheckouts(ws.checkouts, index, signal);
      if (repo === undefined) throw new Error("no indexed checkout");
      return { index: repo.index, head: repo.checkout.headSha };
    } finally {
      ws.release();
    }
  });
  const done = await Promise.all(jobs);
  return { indexes: done.map((d) => d.index), heads: done.map((d) => d.head) };
}

describe("shared index (real git checkouts)", () => {
  it("builds one index for 8 concurrent jobs on the same repository and commit", async () => {
    createRemote(root, "acme", "infra", { "main.tf": MAIN_TF });
    const { deps } = setup();
    const shared = createSharedIndexes();

    const { indexes, heads } = await concurrentJobs(8, deps, { cache: new ParseCache(), sharedIndexes: shared });

    expect(new Set(heads).size).toBe(1);
    expect(shared.stats()).toEqual({ builds: 1, shared: 7, size: 1 });
    for (const index of indexes) expect(index).toBe(indexes[0]);
    expect(indexes[0]?.resources.map((r) => r.address)).toEqual(["aws_s3_bucket.logs"]);
  });

  it("builds a new index once the checkout is at a new commit, and drops the old one", async () => {
    const remote = createRemote(root, "acme", "infra", { "main.tf": MAIN_TF });
    const { deps, clock } = setup();
    const shared = createSharedIndexes();
    const index: IndexDeps = { cache: new ParseCache(), sharedIndexes: shared };
    const first = await concurrentJobs(3, deps, index);

    const next = remote.commit({ "data.tf": DATA_TF }, "add data bucket");
    clock.advance(60_000);
    const second = await concurrentJobs(3, deps, index);

    expect(second.heads).toEqual([next, next, next]);
    expect(first.heads[0]).not.toBe(next);
    expect(shared.stats()).toEqual({ builds: 2, shared: 4, size: 1 });
    expect(second.indexes[0]).not.toBe(first.indexes[0]);
    for (const i of second.indexes) expect(i).toBe(second.indexes[0]);
    expect(second.indexes[0]?.resources.map((r) => r.address).sort()).toEqual(["aws_s3_bucket.data", "aws_s3_bucket.logs"]);
    expect(first.indexes[0]?.resources.map((r) => r.address)).toEqual(["aws_s3_bucket.logs"]);
  });
});

describe("createSharedIndexes", () => {
  const index = (root: string): RepositoryIndex => ({ root }) as RepositoryIndex;

  it("does not keep a failed build: the next job builds again", async () => {
    const shared = createSharedIndexes();
    const key = { dir: "/repo", headSha: "a".repeat(40) };

    await expect(shared.get(key, () => Promise.reject(new Error("disk gone")))).rejects.toThrow("disk gone");
    const again = await shared.get(key, () => Promise.resolve(index("/repo")));

    expect(again.root).toBe("/repo");
    expect(shared.stats().builds).toBe(2);
  });

  it("holds at most maxEntries checkouts, dropping the least recently used", async () => {
    const shared = createSharedIndexes(2);
    const sha = "b".repeat(40);
    const get = (dir: string) => shared.get({ dir, headSha: sha }, () => Promise.resolve(index(dir)));
    await get("/a");
    await get("/b");
    await get("/a");
    await get("/c");

    await get("/a");
    await get("/b");

    expect(shared.stats()).toEqual({ builds: 4, shared: 2, size: 2 });
  });

  it("never shares an index of an unknown commit", async () => {
    const shared = createSharedIndexes();
    const key = { dir: "/repo", headSha: "" };
    const one = await shared.get(key, () => Promise.resolve(index("/repo")));
    const two = await shared.get(key, () => Promise.resolve(index("/repo")));

    expect(one).not.toBe(two);
    expect(shared.stats()).toEqual({ builds: 2, shared: 0, size: 0 });
  });

  it("keys by indexed sub-path as well as folder", async () => {
    const shared = createSharedIndexes();
    const sha = "c".repeat(40);
    const a = await shared.get({ dir: "/repo", headSha: sha, subPath: "prod" }, () => Promise.resolve(index("prod")));
    const b = await shared.get({ dir: "/repo", headSha: sha, subPath: "dev" }, () => Promise.resolve(index("dev")));

    expect([a.root, b.root]).toEqual(["prod", "dev"]);
  });
});
