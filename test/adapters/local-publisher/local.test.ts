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
