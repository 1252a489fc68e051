import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../../fakes/github-server.js";
import { checkedActions, DASHBOARD_TITLE, renderDashboard, upsertDashboard, type DashboardItem } from "../../../src/pipeline/publish/dashboard.js";
import { createGitHubClient } from "../../../src/adapters/github/client.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { failure, publisherFor, request, scmFor, seedRepo } from "./fixtures.js";

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

    // Looked at again in the next cycle (recheckMs), not after a fixed hour.
    expect(third).toEqual({ type: "deferred", reason: expect.stringContaining("open pull request limit"), until: expect.any(String) });
    expect(Date.parse((third as { until: string }).until) - Date.now()).toBeLessThanOrEqual(60_000);
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
    // Marked as TerraFix's own close, so it is never read as a decline.
    expect(fake.pulls("acme", "infra")[0]!.labels).toContain("terrafix:resolved");
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
  const KEY = (c: string): string => c.repeat(64);
  const items: DashboardItem[] = [
    { key: KEY("a"), status: "open", testId: "t1", testName: "Encrypted", resource: "acme-logs", url: "https://github.com/acme/infra/pull/1" },
    { key: KEY("b"), status: "deferred", testId: "t1", testName: "Encrypted", resource: "acme-data", reason: "hourly limit" },
    { key: KEY("c"), status: "unmatched", testId: "t2", testName: "Versioned", resource: "ghost", reason: "no resource named ghost" },
    { key: KEY("e"), status: "ambiguous", testId: "t2", testName: "Versioned", resource: "twin", reason: "2 candidates", candidates: ["acme/infra:aws_s3_bucket.a at s3.tf:1 (0.50)", "acme/infra:aws_s3_bucket.b at s3.tf:9 (0.50)"] },
    { key: KEY("f"), status: "declined", testId: "t2", testName: "Versioned", resource: "logs", url: "https://github.com/acme/infra/pull/3", reason: "closed without merging" },
  ];
  const repo = { owner: "acme", name: "infra" };

  it("creates one issue per repository, then updates it in place", async () => {
    const created = await upsertDashboard(scmFor(fake), repo, items);
    const unchanged = await upsertDashboard(scmFor(fake), repo, items);
    const updated = await upsertDashboard(scmFor(fake), repo, [...items, { key: KEY("d"), status: "failed", testId: "t3", testName: "Logging", resource: "x", reason: "verification\nsecond line" }]);

    expect([created.action, unchanged.action, updated.action]).toEqual(["created", "unchanged", "updated"]);
    const issues = fake.repo("acme", "infra").issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ title: DASHBOARD_TITLE });
    expect((issues[0] as { body: string }).body).toContain("## Failed (1)");
    expect((issues[0] as { body: string }).body).not.toContain("second line");
  });

  it("finds its issue by title and author, not another user's issue with the same title", async () => {
    const human = scmFor(fake, { auth: { token: "ghp_other" } });
    fake.addUser("someone", "ghp_other");
    await human.createIssue(repo, DASHBOARD_TITLE, "a human's notes");

    await upsertDashboard(scmFor(fake), repo, items);

    expect(fake.repo("acme", "infra").issues).toHaveLength(2);
    expect((fake.repo("acme", "infra").issues[0] as { body: string }).body).toBe("a human's notes");
  });

  it("keeps a human's edits outside the managed section", async () => {
    await upsertDashboard(scmFor(fake), repo, items);
    const issue = fake.repo("acme", "infra").issues[0] as { body: string };
    issue.body = `Team notes: ping #infra before merging.\n\n${issue.body}\n\n_Edited by Dana._`;

    await upsertDashboard(scmFor(fake), repo, items.slice(0, 1));

    expect(issue.body.startsWith("Team notes: ping #infra before merging.")).toBe(true);
    expect(issue.body.endsWith("_Edited by Dana._")).toBe(true);
    expect(issue.body).toContain("## Deferred".replace("Deferred", "Awaiting a free slot"));
    expect(issue.body).not.toContain("ghost");
  });

  it("renders every section with counts, keys, candidates and checkboxes", () => {
    const body = renderDashboard(items);
    expect(body).toMatch(/## Open pull requests \(1\)[\s\S]*acme-logs[\s\S]*## Awaiting a free slot[^\n]*\(1\)[\s\S]*hourly limit[\s\S]*## Declined[^\n]*\(1\)/);
    expect(body).toContain(`key \`${KEY("a").slice(0, 12)}\``);
    expect(body).toContain("candidate `acme/infra:aws_s3_bucket.b at s3.tf:9 (0.50)`");
    expect(body).toContain(`- [ ] <!-- terrafix:undo-decline key=${KEY("f")} -->`);
    expect(body).toContain(`- [ ] <!-- terrafix:retry key=${KEY("c")} -->`);
    expect(checkedActions(body)).toEqual([]);
    const ticked = body.replace(`- [ ] <!-- terrafix:retry key=${KEY("c")}`, `- [x] <!-- terrafix:retry key=${KEY("c")}`);
    expect(checkedActions(ticked)).toEqual([{ action: "retry", key: KEY("c") }]);
  });
});
