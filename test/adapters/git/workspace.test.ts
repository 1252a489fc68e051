import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGitWorkspace, type GitWorkspaceOptions } from "../../../src/adapters/git/workspace.js";
import { TerraFixError } from "../../../src/errors.js";
import { SecretRegistry } from "../../../src/observability/secrets.js";
import type { CheckoutLease } from "../../../src/ports/repo-workspace.js";
import { capturingLogger, createRemote, fileTemplate, git, manualClock, tempRoot } from "./remote-fixture.js";

let root: string;
let cleanup: () => void;

beforeEach(() => {
  ({ root, cleanup } = tempRoot());
});
afterEach(() => cleanup());

function workspace(overrides: Partial<GitWorkspaceOptions> = {}) {
  const clock = manualClock();
  const log = capturingLogger();
  const ws = createGitWorkspace({
    cacheDir: join(root, "cache"),
    urlTemplate: fileTemplate(root),
    timeoutMs: 30_000,
    maxCacheBytes: 1_000_000_000,
    logger: log.logger,
    now: clock.now,
    secrets: new SecretRegistry(),
    ...overrides,
  });
  return { ws, clock, log };
}

async function rejection(promise: Promise<unknown>): Promise<TerraFixError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TerraFixError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("createGitWorkspace", () => {
  it("clones the default branch shallowly on first acquire", async () => {
    const remote = createRemote(root, "acme", "infra", { "main.tf": 'resource "aws_s3_bucket" "a" {}\n' });
    const head = remote.commit({ "variables.tf": "# vars\n" }, "second");
    const { ws } = workspace();

    const lease = await ws.acquire({ owner: "acme", name: "infra", path: "terraform" });

    expect(lease.headSha).toBe(head);
    expect(lease.defaultBranch).toBe("main");
    expect(lease.dir).toBe(join(root, "cache", "acme", "infra"));
    expect(lease.repo).toEqual({ owner: "acme", name: "infra" });
    expect(readFileSync(join(lease.dir, "main.tf"), "utf8")).toContain("aws_s3_bucket");
    expect(git(lease.dir, "rev-parse", "--is-shallow-repository")).toBe("true");
    expect(git(lease.dir, "rev-list", "--count", "HEAD")).toBe("1");
    expect(git(lease.dir, "remote", "get-url", "origin")).not.toMatch(/@/);
    lease.release();
    lease.release(); // idempotent
  });

  it("detects a default branch other than main", async () => {
    const remote = createRemote(root, "acme", "trunky", { "a.tf": "# a\n" }, "trunk");
    const { ws } = workspace();

    const lease = await ws.acquire({ owner: "acme", name: "trunky" });

    expect(lease.defaultBranch).toBe("trunk");
    expect(lease.headSha).toBe(git(remote.work, "rev-parse", "HEAD"));
  });

  it("picks up a new commit on reuse once the last sync is no longer fresh", async () => {
    const remote = createRemote(root, "acme", "infra", { "main.tf": "# one\n" });
    const { ws, clock, log } = workspace({ freshMs: 5_000 });
    (await ws.acquire({ owner: "acme", name: "infra" })).release();
    const second = remote.commit({ "main.tf": "# two\n" });

    clock.advance(1_000);
    const stillFresh = await ws.acquire({ owner: "acme", name: "infra" });
    expect(stillFresh.headSha).not.toBe(second);
    stillFresh.release();

    clock.advance(10_000);
    const lease = await ws.acquire({ owner: "acme", name: "infra" });
    expect(lease.headSha).toBe(second);
    expect(readFileSync(join(lease.dir, "main.tf"), "utf8")).toBe("# two\n");
    expect(git(lease.dir, "rev-parse", "HEAD")).toBe(second);
    expect(log.messages().filter((m) => m === "repository cloned")).toHaveLength(1);
    expect(log.messages().filter((m) => m === "repository updated")).toHaveLength(1);
  });

  it("discards local modifications and untracked files on reuse", async () => {
    createRemote(root, "acme", "infra", { "main.tf": "# pristine\n", ".gitignore": ".terraform/\n" });
    const { ws, clock } = workspace();
    const first = await ws.acquire({ owner: "acme", name: "infra" });
    writeFileSync(join(first.dir, "main.tf"), "# edited by a job\n");
    writeFileSync(join(first.dir, "stray.tf"), "# left behind\n");
    git(first.dir, "checkout", "--quiet", "-b", "terrafix/some-branch");
    rmSync(join(first.dir, ".gitignore"));
    first.release();

    clock.advance(60_000);
    const lease = await ws.acquire({ owner: "acme", name: "infra" });

    expect(readFileSync(join(lease.dir, "main.tf"), "utf8")).toBe("# pristine\n");
    expect(existsSync(join(lease.dir, "stray.tf"))).toBe(false);
    expect(existsSync(join(lease.dir, ".gitignore"))).toBe(true);
    expect(git(lease.dir, "symbolic-ref", "--short", "HEAD")).toBe("main");
    expect(git(lease.dir, "status", "--porcelain")).toBe("");
  });

  it("follows a change of the remote's default branch", async () => {
    const remote = createRemote(root, "acme", "infra", { "main.tf": "# on main\n" });
    const { ws, clock } = workspace();
    (await ws.acquire({ owner: "acme", name: "infra" })).release();
    const trunk = remote.commit({ "main.tf": "# on trunk\n" }, "trunk", "trunk");
    git(remote.bare, "symbolic-ref", "HEAD", "refs/heads/trunk");

    clock.advance(60_000);
    const lease = await ws.acquire({ owner: "acme", name: "infra" });

    expect(lease.defaultBranch).toBe("trunk");
    expect(lease.headSha).toBe(trunk);
    expect(readFileSync(join(lease.dir, "main.tf"), "utf8")).toBe("# on trunk\n");
  });

  it("clones once for concurrent acquires of one repository", async () => {
    const remote = createRemote(root, "acme", "infra", { "main.tf": "# x\n" });
    const { ws, log } = workspace();

    const leases = await Promise.all(Array.from({ length: 6 }, () => ws.acquire({ owner: "acme", name: "infra" })));

    expect(new Set(leases.map((l) => l.headSha))).toEqual(new Set([git(remote.work, "rev-parse", "HEAD")]));
    expect(log.messages().filter((m) => m === "repository cloned" || m === "repository updated")).toHaveLength(1);
    for (const lease of leases) lease.release();
  });

  it("never fetches under a held lease; a too stale checkout waits for the leases to end", async () => {
    const remote = createRemote(root, "acme", "infra", { "main.tf": "# one\n" });
    const { ws, clock } = workspace({ freshMs: 5_000, maxStaleMs: 60_000 });
    const held = await ws.acquire({ owner: "acme", name: "infra" });
    const second = remote.commit({ "main.tf": "# two\n" });

    clock.advance(30_000);
    const shared = await ws.acquire({ owner: "acme", name: "infra" });
    expect(shared.headSha).toBe(held.headSha);
    expect(readFileSync(join(held.dir, "main.tf"), "utf8")).toBe("# one\n");

    clock.advance(60_000);
    let settled = false;
    const waiting = ws.acquire({ owner: "acme", name: "infra" }).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    expect(readFileSync(join(held.dir, "main.tf"), "utf8")).toBe("# one\n");

    held.release();
    shared.release();
    const fresh = await waiting;
    expect(fresh.headSha).toBe(second);
  });

  it("gives up waiting when the caller aborts", async () => {
    createRemote(root, "acme", "infra", { "main.tf": "# one\n" });
    const { ws, clock } = workspace({ maxStaleMs: 1_000 });
    const held = await ws.acquire({ owner: "acme", name: "infra" });
    clock.advance(5_000);
    const controller = new AbortController();

    const pending = ws.acquire({ owner: "acme", name: "infra" }, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let it start waiting on the lock
    controller.abort();
    const error = await rejection(pending);

    expect(error.kind).toBe("transient");
    expect(error.stage).toBe("workspace");
    expect(error.message).toMatch(/aborted/);
    held.release();
    const after = await ws.acquire({ owner: "acme", name: "infra" });
    expect(after.headSha).toBe(held.headSha);
    expect(await rejection(ws.acquire({ owner: "acme", name: "infra" }, AbortSignal.abort()))).toMatchObject({ kind: "transient" });
  });

  it("reuses the clones of a previous process and repairs a corrupt one", async () => {
    createRemote(root, "acme", "infra", { "main.tf": "# one\n" });
    createRemote(root, "acme", "other", { "main.tf": "# other\n" });
    const first = workspace();
    (await first.ws.acquire({ owner: "acme", name: "infra" })).release();
    (await first.ws.acquire({ owner: "acme", name: "other" })).release();
    writeFileSync(join(root, "cache", "acme", "other", ".git", "HEAD"), "garbage\n");

    const second = workspace();
    expect(second.ws.cacheStats().clones).toBe(0);
    const lease = await second.ws.acquire({ owner: "acme", name: "infra" });
    const repaired = await second.ws.acquire({ owner: "acme", name: "other" });

    expect(second.log.messages()).toContain("repository updated");
    expect(second.log.messages()).toContain("cached clone unusable, cloning again");
    expect(readFileSync(join(repaired.dir, "main.tf"), "utf8")).toBe("# other\n");
    expect(second.ws.cacheStats().clones).toBe(2);
    expect(lease.defaultBranch).toBe("main");
  });
});

describe("eviction", () => {
  async function sizes(names: string[]): Promise<number> {
    const probe = workspace({ cacheDir: join(root, "probe") });
    let max = 0;
    for (const name of names) {
      (await probe.ws.acquire({ owner: "acme", name })).release();
    }
    max = probe.ws.cacheStats().bytes / names.length;
    return Math.ceil(max * 1.1);
  }

  it("evicts the least recently used idle clone past the size bound", async () => {
    for (const name of ["a", "b", "c"]) createRemote(root, "acme", name, { "main.tf": `# ${name}\n`.repeat(50) });
    const perClone = await sizes(["a", "b", "c"]);
    const { ws, clock, log } = workspace({ maxCacheBytes: perClone * 2 + Math.floor(perClone / 2) });

    for (const name of ["a", "b"]) {
      (await ws.acquire({ owner: "acme", name })).release();
      clock.advance(1_000);
    }
    clock.advance(1_000);
    (await ws.acquire({ owner: "acme", name: "a" })).release(); // a is now more recent than b
    clock.advance(1_000);
    (await ws.acquire({ owner: "acme", name: "c" })).release();

    expect(existsSync(join(root, "cache", "acme", "b"))).toBe(false);
    expect(existsSync(join(root, "cache", "acme", "a", "main.tf"))).toBe(true);
    expect(existsSync(join(root, "cache", "acme", "c", "main.tf"))).toBe(true);
    expect(ws.cacheStats().clones).toBe(2);
    expect(log.messages()).toContain("clone evicted");

    clock.advance(1_000);
    const again = await ws.acquire({ owner: "acme", name: "b" });
    expect(readFileSync(join(again.dir, "main.tf"), "utf8")).toContain("# b");
  });

  it("never evicts a clone under a lease", async () => {
    for (const name of ["a", "b"]) createRemote(root, "acme", name, { "main.tf": `# ${name}\n` });
    const { ws, clock, log } = workspace({ maxCacheBytes: 1 });

    const held = await ws.acquire({ owner: "acme", name: "a" });
    clock.advance(1_000);
    (await ws.acquire({ owner: "acme", name: "b" })).release();

    expect(existsSync(join(held.dir, "main.tf"))).toBe(true);
    expect(log.messages()).toContain("clone cache over its size bound");
    held.release();
    clock.advance(1_000);
    createRemote(root, "acme", "c", { "main.tf": "# c\n" });
    (await ws.acquire({ owner: "acme", name: "c" })).release();
    expect(existsSync(join(root, "cache", "acme", "a"))).toBe(false);
    expect(existsSync(join(root, "cache", "acme", "b"))).toBe(false);
  });
});

describe("failures", () => {
  it("reports a repository that never existed as permanent", async () => {
    const { ws } = workspace();
    const error = await rejection(ws.acquire({ owner: "acme", name: "missing" }));
    expect(error.kind).toBe("permanent");
    expect(error.stage).toBe("workspace");
    expect(error.message).toMatch(/repository acme\/missing not found/);
  });

  it("reports a repository that vanished after it was cloned as permanent", async () => {
    const remote = createRemote(root, "acme", "infra", { "main.tf": "# one\n" });
    const { ws, clock } = workspace();
    (await ws.acquire({ owner: "acme", name: "infra" })).release();
    rmSync(remote.bare, { recursive: true, force: true });
    clock.advance(60_000);

    const results = await Promise.allSettled([ws.acquire({ owner: "acme", name: "infra" }), ws.acquire({ owner: "acme", name: "infra" })]);

    for (const result of results) {
      expect(result.status).toBe("rejected");
      const reason = (result as PromiseRejectedResult).reason as TerraFixError;
      expect(reason).toBeInstanceOf(TerraFixError);
      expect(reason.kind).toBe("permanent");
      expect(reason.message).toMatch(/not found/);
    }
  });

  it("reports an empty repository as permanent", async () => {
    git(root, "init", "--quiet", "--bare", join(root, "remotes", "acme", "empty.git"));
    const { ws } = workspace();
    const error = await rejection(ws.acquire({ owner: "acme", name: "empty" }));
    expect(error.kind).toBe("permanent");
  });

  it("reports a remote HEAD pointing at no branch as permanent", async () => {
    const remote = createRemote(root, "acme", "infra", { "main.tf": "# one\n" });
    const { ws, clock } = workspace();
    (await ws.acquire({ owner: "acme", name: "infra" })).release();
    git(remote.bare, "symbolic-ref", "HEAD", "refs/heads/nothing");
    clock.advance(60_000);

    const error = await rejection(ws.acquire({ owner: "acme", name: "infra" }));

    expect(error.kind).toBe("permanent");
    expect(error.message).toMatch(/no default branch/);
  });

  it.each([
    ["https://github.com/acme/infra.git", /\{owner\} and \{repo\}/],
    ["https://user:hunter2secret@github.com/{owner}/{repo}.git", /must not carry credentials/],
  ])("refuses the URL template %s", (urlTemplate, message) => {
    expect(() => workspace({ urlTemplate })).toThrow(message);
    try {
      workspace({ urlTemplate });
    } catch (error) {
      expect((error as TerraFixError).kind).toBe("config");
      expect((error as Error).message).not.toContain("hunter2secret");
    }
  });

  it.each(["..", ".hidden"])("refuses the repository name %s", async (name) => {
    const { ws } = workspace();
    expect(await rejection(ws.acquire({ owner: "acme", name }))).toMatchObject({ kind: "config" });
  });
});

export type { CheckoutLease };
