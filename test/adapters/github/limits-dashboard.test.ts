import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../../fakes/github-server.js";
import { DASHBOARD_TITLE, renderDashboard, type DashboardItem } from "../../../src/adapters/github/dashboard.js";
import { createGitHubClient } from "../../../src/adapters/github/client.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { failure, publisherFor, request, seedRepo } from "./fixtures.js";

let fake: FakeGitHub;

beforeEach(async () => {
  fake = await startFakeGitHub();
  seedRepo(fake);
});
afterEach(async () => {
  await fake.close();
});

function requestFor(name: string): ReturnType<typeof request> {
  return request({ failure: failure({ displayName: name, arn: `arn:aws:s3:::${name}` }) });
}

describe("PR limits counted from GitHub", () => {
  it("defers over the open-PR limit and counts only TerraFix branches", async () => {
    const publisher = publisherFor(fake, { maxOpenPrs: 2 });
    expect((await publisher.publish(requestFor("b1"))).type).toBe("pr-opened");
    expect((await publisher.publish(requestFor("b2"))).type).toBe("pr-opened");

    const third = await publisherFor(fake, { maxOpenPrs: 2 }).publish(requestFor("b3"));

    expect(third).toEqual({ type: "deferred", reason: expect.stringContaining("open pull request limit") });
    expect(fake.pulls("acme", "infra")).toHaveLength(2);
    expect(fake.repo("acme", "infra").refs.size).toBe(3);

    fake.closePr("acme", "infra", 1);
    expect((await publisher.publish(requestFor("b3"))).type).toBe("pr-opened");
  });

  it("does not count pull requests that people opened", async () => {
    const client = createGitHubClient({ apiUrl: fake.url, auth: { token: "ghp_human_token" }, logger: silentLogger() });
    const main = fake.repo("acme", "infra").refs.get("main")!;
    await client.octokit.rest.git.createRef({ owner: "acme", repo: "infra", ref: "refs/heads/feature/x", sha: main });
    fake.pushHumanCommit("acme", "infra", "feature/x", { "extra.tf": "# x\n" });
    await client.octokit.rest.pulls.create({ owner: "acme", repo: "infra", head: "feature/x", base: "main", title: "Human work" });

    const outcome = await publisherFor(fake, { maxOpenPrs: 1, maxPrsPerHour: 1 }).publish(requestFor("c1"));

    expect(outcome.type).toBe("pr-opened");
    expect(fake.pulls("acme", "infra")).toHaveLength(2);
  });

  it("defers over the hourly limit until the oldest PR leaves the window", async () => {
    const publisher = publisherFor(fake, { maxPrsPerHour: 2 });
    await publisher.publish(requestFor("h1"));
    await publisher.publish(requestFor("h2"));
    fake.closePr("acme", "infra", 1);
    fake.closePr("acme", "infra", 2);

    const outcome = await publisher.publish(requestFor("h3"));

    expect(outcome.type).toBe("deferred");
    const first = Date.parse(fake.pulls("acme", "infra")[0]!.createdAt);
    expect(Date.parse((outcome as { until: string }).until)).toBe(first + 3600_000);

    const later = publisherFor(fake, { maxPrsPerHour: 2, now: () => new Date(Date.now() + 2 * 3600_000) });
    expect((await later.publish(requestFor("h3"))).type).toBe("pr-opened");
  });
});

describe("resolve", () => {
  it("closes TerraFix's open PR with a comment when the failure is resolved", async () => {
    const req = request();
    await publisherFor(fake).publish(req);

    const result = await publisherFor(fake).resolve({ key: req.key, failure: req.failure, repo: req.repo, branch: req.branch });

    expect(result).toEqual({ closed: true, url: expect.stringContaining("/pull/1") });
    expect(fake.pulls("acme", "infra")[0]!.state).toBe("closed");
    expect(fake.repo("acme", "infra").comments[0]!.body).toContain("passing");
    expect(await publisherFor(fake).resolve({ key: req.key, failure: req.failure, repo: req.repo, branch: req.branch })).toEqual({ closed: false });
  });

  it("leaves the PR open when closing resolved PRs is off", async () => {
    const req = request();
    await publisherFor(fake).publish(req);

    const result = await publisherFor(fake, { closeResolved: false }).resolve({ key: req.key, failure: req.failure, repo: req.repo, branch: req.branch });

    expect(result).toEqual({ closed: false });
    expect(fake.pulls("acme", "infra")[0]!.state).toBe("open");
  });
});

describe("dashboard", () => {
  const items: DashboardItem[] = [
    { key: "a", status: "open", testId: "t1", testName: "Encrypted", resource: "acme-logs", url: "https://github.com/acme/infra/pull/1" },
    { key: "b", status: "deferred", testId: "t1", testName: "Encrypted", resource: "acme-data", reason: "hourly limit" },
    { key: "c", status: "unmatched", testId: "t2", testName: "Versioned", resource: "ghost", reason: "no resource named ghost" },
  ];

  it("creates one issue per repository, then updates it in place", async () => {
    const publisher = publisherFor(fake);

    const created = await publisher.updateDashboard({ owner: "acme", name: "infra" }, items);
    const unchanged = await publisherFor(fake).updateDashboard({ owner: "acme", name: "infra" }, items);
    const updated = await publisherFor(fake).updateDashboard({ owner: "acme", name: "infra" }, [...items, { key: "d", status: "failed", testId: "t3", testName: "Logging", resource: "x", reason: "verification" }]);

    expect([created?.action, unchanged?.action, updated?.action]).toEqual(["created", "unchanged", "updated"]);
    const issues = fake.repo("acme", "infra").issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ title: DASHBOARD_TITLE });
    expect((issues[0] as { body: string }).body).toContain("## Failed (1)");
  });

  it("does nothing when the dashboard is off", async () => {
    expect(await publisherFor(fake, { dashboard: false }).updateDashboard({ owner: "acme", name: "infra" }, items)).toBeUndefined();
    expect(fake.repo("acme", "infra").issues).toHaveLength(0);
  });

  it("renders every section with counts", () => {
    const body = renderDashboard(items);
    expect(body).toMatch(/## Open pull requests \(1\)[\s\S]*acme-logs[\s\S]*## Deferred[^\n]*\(1\)[\s\S]*hourly limit[\s\S]*## Declined[^\n]*\(0\)\n\n_None._/);
  });
});
