import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github-server.js";
import { failure, MAIN_TF, publisherFor, request, seedRepo } from "../adapters/github/fixtures.js";

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

describe("the fake GitHub tells the truth", () => {
  const token = { authorization: "token ghp_x", "content-type": "application/json" };
  const api = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${fake.url}${path}`, { ...init, headers: token });

  it("computes mergeable / mergeable_state with git and refuses to merge a conflict (405)", async () => {
    const req = request();
    await publisherFor(fake).publish(req);
    expect(await (await api("/repos/acme/infra/pulls/1")).json()).toMatchObject({ mergeable: true, mergeable_state: "clean" });

    fake.pushHumanCommit("acme", "infra", "main", { "main.tf": `${MAIN_TF}# a conflicting edit on main\n` });
    expect(await (await api("/repos/acme/infra/pulls/1")).json()).toMatchObject({ mergeable: false, mergeable_state: "dirty" });
    const merge = await api("/repos/acme/infra/pulls/1/merge", { method: "PUT", body: "{}" });
    expect(merge.status).toBe(405);
    expect(await merge.json()).toMatchObject({ message: "Pull Request is not mergeable" });
  });

  it("reports a PR behind its base as `behind` only under up-to-date protection, else `clean` (a conflict stays `dirty`)", async () => {
    await publisherFor(fake).publish(request());
    fake.pushHumanCommit("acme", "infra", "main", { "README.md": "unrelated\n" });
    expect(await (await api("/repos/acme/infra/pulls/1")).json()).toMatchObject({ mergeable: true, mergeable_state: "clean" });

    fake.repo("acme", "infra").requireUpToDate = true;
    expect(await (await api("/repos/acme/infra/pulls/1")).json()).toMatchObject({ mergeable: true, mergeable_state: "behind" });

    fake.pushHumanCommit("acme", "infra", "main", { "main.tf": `${MAIN_TF}# a conflicting edit on main\n` });
    expect(await (await api("/repos/acme/infra/pulls/1")).json()).toMatchObject({ mergeable: false, mergeable_state: "dirty" });
  });

  it("with lazyMergeability answers null / unknown on the first read after the base moves, then the status", async () => {
    const lazyDir = mkdtempSync(join(tmpdir(), "terrafix-fakegit-lazy-"));
    const lazy = await startFakeGitHub({ gitDir: lazyDir, lazyMergeability: true });
    try {
      seedRepo(lazy);
      await publisherFor(lazy).publish(request());
      const read = async (): Promise<unknown> => (await fetch(`${lazy.url}/repos/acme/infra/pulls/1`, { headers: token })).json();
      expect(await read()).toMatchObject({ mergeable: null, mergeable_state: "unknown" });
      expect(await read()).toMatchObject({ mergeable: true, mergeable_state: "clean" });
      lazy.pushHumanCommit("acme", "infra", "main", { "main.tf": `${MAIN_TF}# a conflicting edit on main\n` });
      expect(await read()).toMatchObject({ mergeable: null, mergeable_state: "unknown" });
      expect(await read()).toMatchObject({ mergeable: false, mergeable_state: "dirty" });
    } finally {
      await lazy.close();
      rmSync(lazyDir, { recursive: true, force: true });
    }
  });

  it("merges non-overlapping edits of one file as git does", async () => {
    await publisherFor(fake).publish(request());
    fake.pushHumanCommit("acme", "infra", "main", { "main.tf": `# header on main\n${MAIN_TF}` });
    fake.mergePr("acme", "infra", 1);
    const merged = fake.files("acme", "infra")["main.tf"]!;
    expect(merged.startsWith("# header on main\n")).toBe(true);
    expect(merged).toContain("# encrypted: acme-logs");
  });

  it("validates reviewers against collaborators and teams with GitHub's 422 text", async () => {
    await publisherFor(fake).publish(request());
    const outsider = await api("/repos/acme/infra/pulls/1/requested_reviewers", { method: "POST", body: JSON.stringify({ reviewers: ["alice", "mallory"] }) });
    expect(outsider.status).toBe(422);
    expect(JSON.stringify(await outsider.json())).toContain("Reviews may only be requested from collaborators.");
    expect(fake.pulls("acme", "infra")[0]!.requestedReviewers).toEqual([]);
    const team = await api("/repos/acme/infra/pulls/1/requested_reviewers", { method: "POST", body: JSON.stringify({ team_reviewers: ["platform-team"] }) });
    expect(team.status).toBe(422);
    fake.addTeam("acme", "infra", "platform-team");
    expect((await api("/repos/acme/infra/pulls/1/requested_reviewers", { method: "POST", body: JSON.stringify({ team_reviewers: ["platform-team"] }) })).status).toBe(201);
    expect(fake.pulls("acme", "infra")[0]!.requestedTeams).toEqual(["platform-team"]);
  });

  it("enforces the content-creation limit with a secondary-limit answer", async () => {
    const limited = await startFakeGitHub({ contentLimits: { perMinute: 2, perHour: 500, retryAfter: 7 } });
    try {
      limited.createRepo("acme", "infra", { "main.tf": MAIN_TF });
      const post = (): Promise<Response> => fetch(`${limited.url}/repos/acme/infra/issues`, { method: "POST", headers: token, body: JSON.stringify({ title: "x" }) });
      expect([(await post()).status, (await post()).status]).toEqual([201, 201]);
      const third = await post();
      expect(third.status).toBe(403);
      expect(third.headers.get("retry-after")).toBe("7");
      expect(((await third.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    } finally {
      await limited.close();
    }
  });
});
