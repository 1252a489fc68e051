import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLocalScm } from "../../../src/adapters/local-publisher/index.js";
import { createPublishStage } from "../../../src/pipeline/publish/index.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { MAIN_TF, request, stageOptions } from "../github/fixtures.js";

function createLocalPublisher(options: { logger: ReturnType<typeof silentLogger> }): ReturnType<typeof createPublishStage> {
  return createPublishStage(createLocalScm({ ...options, dirOf: () => dir }), stageOptions());
}

let dir: string;
let head: string;

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, encoding: "utf8" }).trim();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "terrafix-local-"));
  git("init", "--quiet", "--initial-branch=main");
  writeFileSync(join(dir, "main.tf"), MAIN_TF);
  git("add", ".");
  git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "init");
  head = git("rev-parse", "HEAD");
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function localRequest(variant?: string): ReturnType<typeof request> {
  const req = request(variant === undefined ? {} : { variant });
  req.checkout = { ...req.checkout, dir, headSha: head };
  return req;
}

describe("local publisher", () => {
  it("commits the change on the branch with the key trailer and returns to the default branch", async () => {
    const req = localRequest();

    const outcome = await createLocalPublisher({ logger: silentLogger() }).publish(req);

    expect(outcome).toEqual({ type: "committed", branch: req.branch });
    expect(git("rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(readFileSync(join(dir, "main.tf"), "utf8")).toBe(MAIN_TF);
    expect(git("rev-parse", `${req.branch}~1`)).toBe(head);
    expect(git("show", `${req.branch}:encryption-acme-logs.tf`)).toContain("AES256");
    expect(git("log", "-1", "--format=%B", req.branch)).toContain(`TerraFix-Key: ${req.key}`);
    expect(git("log", "-1", "--format=%an", req.branch)).toBe("TerraFix");
  });

  it("reruns onto the same branch with one commit on top of the base", async () => {
    const publisher = createLocalPublisher({ logger: silentLogger() });
    await publisher.publish(localRequest());

    await publisher.publish(localRequest("aws:kms"));

    const req = localRequest();
    expect(git("rev-list", "--count", `${head}..${req.branch}`)).toBe("1");
    expect(git("show", `${req.branch}:encryption-acme-logs.tf`)).toContain("aws:kms");
    expect(git("branch", "--list", "terrafix/*").split("\n")).toHaveLength(1);
  });

  it("refuses a path outside the checkout and still returns to the branch", async () => {
    const req = localRequest();
    req.change.files = [{ path: "../escape.tf", before: "", after: "x" }];

    await expect(createLocalPublisher({ logger: silentLogger() }).publish(req)).rejects.toMatchObject({ kind: "permanent" });
    expect(git("rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
  });

  it("reports a git failure as a TerraFixError", async () => {
    const req = localRequest();
    req.checkout = { ...req.checkout, headSha: "f".repeat(40) };
    await expect(createLocalPublisher({ logger: silentLogger() }).publish(req)).rejects.toMatchObject({ kind: "permanent", stage: "publish" });
    expect(await createLocalPublisher({ logger: silentLogger() }).resolve({ key: req.key, failure: req.failure, repo: req.repo, branch: req.branch })).toEqual({ closed: false });
  });
});

describe("local Scm reads", () => {
  it("reads a file at a commit as at a branch (a SHA is never taken for a branch name), and lists the paths two commits differ in", async () => {
    const scm = createLocalScm({ logger: silentLogger(), dirOf: () => dir });
    const repo = { owner: "acme", name: "infra" };
    const req = localRequest();
    await createLocalPublisher({ logger: silentLogger() }).publish(req);
    const tip = git("rev-parse", req.branch);
    // A branch named like the base commit, holding something else: a commit read must not see it.
    git("branch", head, tip);

    expect(await scm.readFile(repo, { commit: head }, "main.tf")).toBe(MAIN_TF);
    expect(await scm.readFile(repo, { commit: head }, "encryption-acme-logs.tf")).toBeUndefined();
    expect(await scm.readFile(repo, { commit: tip }, "encryption-acme-logs.tf")).toContain("AES256");
    expect(await scm.readFile(repo, { branch: req.branch }, "main.tf")).toBe(req.change.files[0]!.after);
    expect(await scm.readFile(repo, { commit: "f".repeat(40) }, "main.tf")).toBeUndefined();
    expect((await scm.changedPaths(repo, head, tip)).sort()).toEqual(["encryption-acme-logs.tf", "main.tf"]);
    expect(await scm.changedPaths(repo, head, head)).toEqual([]);
  });
});

describe("local publisher with an origin", () => {
  let root: string;
  let origin: string;
  let clone: string;
  const run = (cwd: string, ...args: string[]): string => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "terrafix-local-origin-"));
    origin = join(root, "origin.git");
    clone = join(root, "clone");
    execFileSync("git", ["init", "--bare", "--quiet", "--initial-branch=main", origin]);
    execFileSync("git", ["clone", "--quiet", dir, clone]);
    run(clone, "remote", "set-url", "origin", origin);
    run(clone, "push", "--quiet", "origin", "main");
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function publisherAt(): ReturnType<typeof createPublishStage> {
    return createPublishStage(createLocalScm({ logger: silentLogger(), dirOf: () => clone }), stageOptions());
  }

  function requestFor(name: string, variant?: string): ReturnType<typeof request> {
    const req = request({ failure: { ...request().failure, displayName: name, arn: `arn:aws:s3:::${name}` }, ...(variant === undefined ? {} : { variant }) });
    req.checkout = { ...req.checkout, dir: clone, headSha: head };
    return req;
  }

  it("at the default concurrency (4), each job's commit lands on its own branch on the origin and the checkout is untouched", async () => {
    const publisher = publisherAt();
    const requests = ["b0", "b1", "b2", "b3"].map((name) => requestFor(name));

    const outcomes = await Promise.all(requests.map((r) => publisher.publish(r)));

    expect(outcomes.map((o) => o.type)).toEqual(["committed", "committed", "committed", "committed"]);
    for (const req of requests) {
      expect(run(origin, "rev-list", "--count", `${head}..${req.branch}`)).toBe("1");
      expect(run(origin, "show", `${req.branch}:encryption-${req.failure.displayName}.tf`)).toContain("AES256");
      expect(run(origin, "log", "-1", "--format=%B", req.branch)).toContain(`TerraFix-Key: ${req.key}`);
      expect(run(origin, "ls-tree", "--name-only", req.branch).split("\n").filter((f) => f.startsWith("encryption-"))).toEqual([`encryption-${req.failure.displayName}.tf`]);
    }
    expect(run(clone, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(run(clone, "status", "--porcelain")).toBe("");
  });

  it("never discards a human commit pushed to the branch, and updates its own branch with a compare-and-swap", async () => {
    const publisher = publisherAt();
    const req = requestFor("b0");
    await publisher.publish(req);
    await publisher.publish(requestFor("b0", "aws:kms"));
    expect(run(origin, "show", `${req.branch}:encryption-b0.tf`)).toContain("aws:kms");

    const work = join(root, "human");
    execFileSync("git", ["clone", "--quiet", "--branch", req.branch, origin, work]);
    writeFileSync(join(work, "notes.md"), "reviewed\n");
    run(work, "add", ".");
    run(work, "-c", "user.name=Dana", "-c", "user.email=dana@example.com", "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "review notes");
    run(work, "push", "--quiet", "origin", req.branch);
    const human = run(origin, "rev-parse", req.branch);

    expect((await publisher.publish(requestFor("b0", "AES256"))).type).toBe("committed");
    expect(run(origin, "rev-parse", req.branch)).toBe(human);
  });
});
