import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github-server.js";
import { failure, publisherFor, request, seedRepo } from "../adapters/github/fixtures.js";

const run = promisify(execFile);
let fake: FakeGitHub;
let gitDir: string;

beforeEach(async () => {
  gitDir = mkdtempSync(join(tmpdir(), "terrafix-fakegit-"));
  fake = await startFakeGitHub({ gitDir });
  seedRepo(fake);
});
afterEach(async () => {
  await fake.close();
  rmSync(gitDir, { recursive: true, force: true });
});

describe("GitHub publisher under concurrency (real HTTP, real Octokit)", () => {
  it("20 concurrent publishes of 20 keys give 20 PRs", async () => {
    const publisher = publisherFor(fake);
    const requests = Array.from({ length: 20 }, (_, i) => request({ failure: failure({ displayName: `bucket-${i}`, arn: `arn:aws:s3:::bucket-${i}` }) }));

    const outcomes = await Promise.all(requests.map((r) => publisher.publish(r)));

    expect(outcomes.map((o) => o.type)).toEqual(Array(20).fill("pr-opened"));
    const pulls = fake.pulls("acme", "infra");
    expect(pulls).toHaveLength(20);
    expect(new Set(pulls.map((p) => p.head))).toEqual(new Set(requests.map((r) => r.branch)));
  });

  it("20 concurrent publishes of one key from 20 independent publishers give one PR", async () => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => publisherFor(fake).publish(request())));

    expect(fake.pulls("acme", "infra")).toHaveLength(1);
    expect(outcomes.filter((o) => o.type === "pr-opened")).toHaveLength(1);
    expect(outcomes.filter((o) => o.type === "pr-exists")).toHaveLength(19);
  });

  it("20 concurrent publishes of one key through one publisher give one PR", async () => {
    const publisher = publisherFor(fake);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => publisher.publish(request())));

    expect(fake.pulls("acme", "infra")).toHaveLength(1);
    expect(outcomes.filter((o) => o.type === "pr-opened")).toHaveLength(1);
  });
});

describe("fake GitHub clones", () => {
  it("serves a real bare repository that follows branches and merges", async () => {
    const clone = join(gitDir, "clone");
    const url = fake.gitUrlTemplate!.replace("{owner}", "acme").replace("{repo}", "infra");
    await run("git", ["clone", "--quiet", url, clone]);
    expect(readFileSync(join(clone, "variables.tf"), "utf8")).toContain("us-east-1");

    const req = request();
    await publisherFor(fake).publish(req);
    fake.mergePr("acme", "infra", 1);
    await run("git", ["-C", clone, "pull", "--quiet", "--ff-only"]);

    expect(readFileSync(join(clone, "encryption-acme-logs.tf"), "utf8")).toContain("AES256");
    expect(execFileSync("git", ["-C", clone, "log", "--format=%s", "-3"], { encoding: "utf8" })).toContain("Merge pull request #1");
    await run("git", ["-C", join(gitDir, "acme", "infra.git"), "fsck", "--strict"]);
    const branches = execFileSync("git", ["-C", join(gitDir, "acme", "infra.git"), "branch", "--list"], { encoding: "utf8" });
    expect(branches).toContain(req.branch);
  });

  it("runs standalone, seeds repositories from folders and prints its URL", async () => {
    const seedDir = join(gitDir, "seed");
    mkdirSync(join(seedDir, "modules"), { recursive: true });
    writeFileSync(join(seedDir, "modules", "main.tf"), "# seeded\n");
    const child = spawn(process.execPath, ["--import", "tsx", "test/fakes/github-server.ts", "--port", "0", "--git-dir", gitDir, "--repo", `acme/seeded=${seedDir}`], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("\n")) resolve(out.split("\n")[0]!);
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      const response = await fetch(`${url}/user`, { headers: { authorization: "token ghp_x" } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ login: "terrafix-bot" });
      const repo = await fetch(`${url}/repos/acme/seeded`, { headers: { authorization: "token ghp_x" } });
      expect(await repo.json()).toMatchObject({ full_name: "acme/seeded", default_branch: "main" });
      expect(execFileSync("git", ["-C", join(gitDir, "acme", "seeded.git"), "rev-parse", "main"], { encoding: "utf8" })).toMatch(/^[0-9a-f]{40}/);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
