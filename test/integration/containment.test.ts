import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { loadRepoConfig } from "../../src/config/repo-config.js";
import { createLocalScm } from "../../src/adapters/local-publisher/index.js";
import { silentLogger } from "../../src/observability/logger.js";
import { indexRepository } from "../../src/terraform/index.js";
import { ContainmentError, writeInsideCheckout } from "../../src/terraform/contained-path.js";
import { runTerrafix } from "../support/cli.js";

/**
 * Issue 16, attacks 2 and 3: a repository is untrusted and may commit symlinks that leave it.
 * Nothing outside the checkout is indexed, written or quoted.
 */
const SECRET = "ghp_FAKE0secret0for0containment0tests00";
const OUTSIDE_TF = 'resource "aws_s3_bucket" "outside" {\n  bucket = "outside-bucket"\n}\n';

let base: string;
let repo: string;
let outside: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "tf-contain-"));
  repo = join(base, "repo");
  outside = join(base, "outside");
  mkdirSync(repo);
  mkdirSync(outside);
  writeFileSync(join(outside, "main.tf"), OUTSIDE_TF);
  writeFileSync(join(outside, "credentials"), `[default]\naws_secret_access_key = ${SECRET}\n`);
  writeFileSync(join(repo, "main.tf"), 'resource "aws_s3_bucket" "inside" {\n  bucket = "inside-bucket"\n}\n');
});

describe("indexing stays inside the checkout", () => {
  it("skips, and reports, a module whose source is a symlink leaving the checkout", async () => {
    symlinkSync(outside, join(repo, "ext"));
    writeFileSync(join(repo, "mod.tf"), 'module "ext" {\n  source = "./ext"\n}\n');
    const index = await indexRepository(repo);
    expect(index.resources.map((r) => r.address)).toEqual(["aws_s3_bucket.inside"]);
    expect(index.skipped).toEqual([{ file: "ext", reason: "outside-checkout", message: "a symlink that leaves the checkout; not read" }]);
  });

  it("still follows a module symlink that stays inside the checkout", async () => {
    mkdirSync(join(repo, "shared"));
    writeFileSync(join(repo, "shared", "main.tf"), OUTSIDE_TF);
    symlinkSync(join(repo, "shared"), join(repo, "linked"));
    writeFileSync(join(repo, "mod.tf"), 'module "linked" {\n  source = "./linked"\n}\n');
    const index = await indexRepository(repo, { subPath: "" });
    expect(index.resources.map((r) => r.address)).toContain("module.linked.aws_s3_bucket.outside");
    expect(index.skipped).toEqual([]);
  });

  it("check and match report a `paths:` entry naming a symlinked folder outside, and index nothing there", async () => {
    symlinkSync(outside, join(repo, "infra"));
    writeFileSync(join(repo, ".terrafix.yml"), "paths: [infra]\n");
    // Only the outside folder was named: nothing to check, and the skipped folder is said.
    const check = await runTerrafix(["check", "--repo", repo, "--json"]);
    expect(check.code).toBe(2);
    expect(check.err).toContain("warning: skipped infra: a symlink that leaves the checkout; not read");
    expect(check.out).not.toContain("outside-bucket");
    // Beside real Terraform, the JSON lists it.
    mkdirSync(join(repo, "live"));
    writeFileSync(join(repo, "live", "main.tf"), 'resource "aws_s3_bucket" "live" {\n  bucket = "live-bucket"\n}\n');
    writeFileSync(join(repo, "live", "mod.tf"), 'module "infra" {\n  source = "../infra"\n}\n');
    writeFileSync(join(repo, ".terrafix.yml"), "paths: [live]\n");
    const json = JSON.parse((await runTerrafix(["check", "--repo", repo, "--json"])).out) as { findings: { file: string }[]; skipped: { file: string; reason: string }[] };
    expect(json.findings.length).toBeGreaterThan(0);
    expect(json.findings.filter((f) => f.file.startsWith("infra"))).toEqual([]);
    expect(json.skipped).toEqual([expect.objectContaining({ file: "infra", reason: "outside-checkout" })]);
    writeFileSync(join(repo, ".terrafix.yml"), "paths: [infra]\n");
    const match = await runTerrafix(["match", "--repo", repo, "--name", "outside-bucket", "--type", "aws_s3_bucket", "--json"]);
    const matched = JSON.parse(match.out) as { status: string; skipped: { file: string }[] };
    expect(matched.status).toBe("no-match");
    expect(matched.skipped.map((s) => s.file)).toEqual(["infra"]);
    expect(match.code).toBe(1);
  });
});

describe("writes stay inside the checkout", () => {
  it("fix --apply's writer refuses a folder or file symlinked outside and writes nothing, not even the good files", async () => {
    symlinkSync(outside, join(repo, "ext"));
    symlinkSync(join(outside, "main.tf"), join(repo, "linked.tf"));
    for (const path of ["ext/main.tf", "linked.tf", "../outside/main.tf", join(outside, "main.tf")]) {
      await expect(writeInsideCheckout(repo, [{ path: "main.tf", text: "changed" }, { path, text: "pwned" }])).rejects.toBeInstanceOf(ContainmentError);
    }
    expect(readFileSync(join(outside, "main.tf"), "utf8")).toBe(OUTSIDE_TF);
    expect(readFileSync(join(repo, "main.tf"), "utf8")).toContain("inside-bucket");
    await writeInsideCheckout(repo, [{ path: "main.tf", text: "changed" }]);
    expect(readFileSync(join(repo, "main.tf"), "utf8")).toBe("changed");
  });

  it("the local publisher refuses a change path the repository reaches through a committed symlink", async () => {
    const git = (...args: string[]): string => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
    symlinkSync(outside, join(repo, "ext"));
    git("init", "--quiet", "--initial-branch=main");
    git("add", ".");
    git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "init");
    const baseSha = git("rev-parse", "HEAD");
    const scm = createLocalScm({ logger: silentLogger(), dirOf: () => repo });
    const write = (path: string): Promise<{ sha: string }> =>
      scm.writeBranch({ owner: "acme", name: "infra" }, { branch: "terrafix/x/1", baseSha, message: "fix", files: [{ path, content: "pwned" }] });
    await expect(write("ext/main.tf")).rejects.toMatchObject({ kind: "permanent", message: "refusing to write ext/main.tf: ext is a symlink in the repository" });
    await expect(write("ext")).rejects.toMatchObject({ kind: "permanent" });
    expect(git("branch", "--list", "terrafix/*")).toBe("");
    expect(readFileSync(join(outside, "main.tf"), "utf8")).toBe(OUTSIDE_TF);
    // A plain path still commits.
    await write("main.tf");
    expect(git("show", "terrafix/x/1:main.tf")).toBe("pwned");
  });
});

describe(".terrafix.yml is a regular file inside the checkout, and its errors quote nothing", () => {
  it("refuses a symlink to a file outside without reading it; the secret reaches no output", async () => {
    symlinkSync(join(outside, "credentials"), join(repo, ".terrafix.yml"));
    await expect(loadRepoConfig(repo)).rejects.toMatchObject({ kind: "config", message: ".terrafix.yml is a symlink that leaves the repository; it was not read" });
    const check = await runTerrafix(["check", "--repo", repo]);
    expect(check.code).toBe(2);
    expect(`${check.out}${check.err}`).toContain("symlink that leaves the repository");
    expect(`${check.out}${check.err}`).not.toContain(SECRET);
  });

  it.each([
    ["a YAML syntax error", `paths: [infra\ntoken: "${SECRET}\n`, /is not valid YAML: YAML error [A-Z_]+ at line \d+, column \d+$/],
    ["an unknown field holding the secret", `paths: [infra]\n${SECRET}: yes\n`, /unknown field \(line 1\); the fields are paths, labels/],
    ["a wrong type holding the secret", `labels: "${SECRET}"\n`, /^\.terrafix\.yml is invalid: labels: [^;]+ \(line 1\)$/],
    ["a bad account id", `accounts:\n  - "123"\n  - "${SECRET}"\n`, /accounts\.1: must be a 12-digit AWS account id \(line 3\)/],
  ])("names the field and line of %s, never its text (symlink inside the checkout is followed)", async (_name, text, expected) => {
    mkdirSync(join(repo, "config"));
    writeFileSync(join(repo, "config", "terrafix.yml"), text);
    symlinkSync(join(repo, "config", "terrafix.yml"), join(repo, ".terrafix.yml"));
    const error = (await loadRepoConfig(repo).then(() => undefined, (e: unknown) => e)) as Error;
    expect(error).toMatchObject({ kind: "config" });
    expect(error.message).toMatch(expected);
    expect(error.message).not.toContain(SECRET);
  });

  it("refuses a file over the size cap and a folder", async () => {
    writeFileSync(join(repo, ".terrafix.yml"), `# ${"x".repeat(70 * 1024)}\n`);
    await expect(loadRepoConfig(repo)).rejects.toMatchObject({ message: ".terrafix.yml is larger than 65536 bytes; it was not read" });
    const other = join(base, "other");
    mkdirSync(join(other, ".terrafix.yml"), { recursive: true });
    await expect(loadRepoConfig(other)).rejects.toMatchObject({ message: ".terrafix.yml is not a regular file; it was not read" });
  });
});
