import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../../fakes/github-server.js";
import { plainIssuesOf } from "../../fakes/github-state.js";
import { SqliteStateStore } from "../../../src/adapters/sqlite/state-store.js";
import { TerraFixError } from "../../../src/errors.js";
import { createLogger, silentLogger, type Logger } from "../../../src/observability/logger.js";
import { createPublishCycle } from "../../../src/pipeline/publish/cycle.js";
import { DASHBOARD_TITLE, upsertDashboard } from "../../../src/pipeline/publish/dashboard.js";
import { UNDO_DECLINE_LABEL } from "../../../src/pipeline/publish/lineage.js";
import { publisherFor, request, scmFor, seedRepo } from "./fixtures.js";

/** TerraFix's real publisher, dashboard and cycle against the GitHub rules the fake now enforces. */
let fake: FakeGitHub;
const repo = { owner: "acme", name: "infra" };

beforeEach(async () => {
  fake = await startFakeGitHub();
  seedRepo(fake);
});
afterEach(async () => {
  await fake.close();
});

interface Line {
  level: number;
  msg: string;
  repo?: string;
  location?: string;
  err?: { message?: string };
}
function capture(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Line);
      done();
    },
  });
  return { logger: createLogger({ level: "info", destination: stream }), lines };
}
const warnings = (lines: Line[]): Line[] => lines.filter((l) => l.level === 40);

describe("label names are case-insensitive", () => {
  it("uses the labels people made with other casing instead of failing or duplicating them", async () => {
    for (const name of ["TerraFix", "Compliance"]) {
      await fetch(`${fake.url}/repos/acme/infra/labels`, { method: "POST", headers: { authorization: "token ghp_x" }, body: JSON.stringify({ name, color: "000000" }) });
    }

    expect((await publisherFor(fake).publish(request())).type).toBe("pr-opened");

    expect(fake.pulls("acme", "infra")[0]!.labels).toEqual(["TerraFix", "Compliance"]);
    expect([...fake.repo("acme", "infra").labels.values()].map((l) => [l.name, l.color])).toEqual([["TerraFix", "000000"], ["Compliance", "000000"]]);
  });

  it("reads an undone decline when the undo label exists with other casing", async () => {
    await fetch(`${fake.url}/repos/acme/infra/labels`, { method: "POST", headers: { authorization: "token ghp_x" }, body: JSON.stringify({ name: "TerraFix:Undo-Decline", color: "000000" }) });
    const req = request();
    await publisherFor(fake).publish(req);
    fake.closePr("acme", "infra", 1);
    expect((await publisherFor(fake).publish(req)).type).toBe("declined");

    // The dashboard's "undo decline" box: the cycle labels the declined PR.
    await scmFor(fake).addLabels(repo, 1, [UNDO_DECLINE_LABEL]);

    expect(fake.pulls("acme", "infra")[0]!.labels).toContain("TerraFix:Undo-Decline");
    expect((await publisherFor(fake).publish(req)).type).toBe("pr-opened");
    expect(fake.pulls("acme", "infra")).toHaveLength(2);
  });
});

describe("Issues disabled in the repository", () => {
  let dir: string;
  let store: SqliteStateStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "terrafix-noissues-"));
    store = new SqliteStateStore({ path: join(dir, "state.db"), retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 }, logger: silentLogger() });
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("still opens pull requests; the dashboard fails as a config error", async () => {
    fake.disableIssues("acme", "infra");

    expect((await publisherFor(fake).publish(request())).type).toBe("pr-opened");
    expect(fake.pulls("acme", "infra")[0]!.labels).toEqual(["terrafix", "compliance"]);

    const error = await upsertDashboard(scmFor(fake), repo, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TerraFixError);
    expect(error).toMatchObject({ kind: "config", status: 410, message: expect.stringContaining("Issues are disabled for this repo") });
  });

  it("says so once, then leaves the dashboard alone while the cycle goes on re-checking the PRs", async () => {
    await publisherFor(fake).publish(request());
    fake.disableIssues("acme", "infra");
    const from = fake.state.requests.length;
    const { logger, lines } = capture();
    const cycle = createPublishCycle({ scm: scmFor(fake), store, repositories: [repo], maxOpenPrs: 10, rebaseWhen: "conflicted", dashboard: true, logger });

    for (let i = 0; i < 3; i += 1) {
      await cycle.beforeJobs();
      await cycle.afterJobs();
    }

    const said = warnings(lines);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ repo: "acme/infra", msg: expect.stringContaining("enable Issues"), err: { message: expect.stringContaining("Issues are disabled for this repo") } });
    const requests = fake.state.requests.slice(from).map((r) => `${r.method} ${r.path}`);
    // One read of the issue list (the 410), then no more issue requests; the open PRs were listed every cycle.
    expect(requests.filter((r) => r.includes("/issues")).length).toBe(1);
    expect(requests.filter((r) => r === "GET /repos/acme/infra/pulls").length).toBe(3);
  });
});

describe("a renamed repository", () => {
  it("follows GitHub's redirects (reads and writes) and warns once to update the configuration", async () => {
    fake.renameRepo("acme", "infra", "acme", "infra-core");
    const { logger, lines } = capture();

    const outcome = await publisherFor(fake, { logger, scm: { logger } }).publish(request());
    const dashboard = await upsertDashboard(scmFor(fake, { logger }), repo, []);

    expect(outcome).toMatchObject({ type: "pr-opened", url: expect.stringContaining("/acme/infra-core/pull/1") });
    expect(fake.pulls("acme", "infra-core")).toHaveLength(1);
    expect(plainIssuesOf(fake.repo("acme", "infra-core")).map((i) => i.title)).toEqual([DASHBOARD_TITLE]);
    expect(dashboard.action).toBe("created");
    // Every write went through a 307 (method and body kept), never a 301 turned into a GET.
    const statuses = fake.state.requests.filter((r) => r.path.startsWith("/repos/acme/infra/")).map((r) => `${r.method} ${r.status}`);
    expect(statuses).toContain("POST 307");
    expect(statuses.every((s) => (s.startsWith("GET") ? s === "GET 301" : s.endsWith(" 307")))).toBe(true);
    const moved = warnings(lines).filter((l) => l.msg.includes("redirects this repository"));
    // Once per client: the publisher's and the dashboard's.
    expect(moved).toHaveLength(2);
    expect(moved[0]).toMatchObject({ repo: "acme/infra", location: expect.stringMatching(/\/repositories\/\d+/) });
  });
});
