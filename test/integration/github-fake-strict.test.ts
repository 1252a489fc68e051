import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github-server.js";
import { MAIN_TF, publisherFor, request, seedRepo } from "../adapters/github/fixtures.js";

/**
 * The fake refuses what GitHub refuses (reference/github-api.md §3-4), with GitHub's status and
 * text, so TerraFix's tests cannot pass against a laxer GitHub than the real one.
 */
let fake: FakeGitHub;
let gitDir: string;

beforeEach(async () => {
  gitDir = mkdtempSync(join(tmpdir(), "terrafix-fakegh-strict-"));
  fake = await startFakeGitHub({ gitDir });
  seedRepo(fake);
});
afterEach(async () => {
  await fake.close();
  rmSync(gitDir, { recursive: true, force: true });
});

const headers = { authorization: "token ghp_x", "content-type": "application/json" };
function api(path: string, method = "GET", body?: unknown): Promise<Response> {
  return fetch(`${fake.url}${path}`, { method, headers, redirect: "manual", ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}
async function answer(response: Promise<Response>): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await response;
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe("labels", () => {
  it("refuses a description longer than 100 characters with 422 Validation Failed", async () => {
    const long = await answer(api("/repos/acme/infra/labels", "POST", { name: "x", color: "ededed", description: "d".repeat(101) }));
    expect(long).toMatchObject({ status: 422, body: { message: "Validation Failed", errors: [{ resource: "Label", field: "description" }] } });
    expect((await api("/repos/acme/infra/labels", "POST", { name: "x", color: "ededed", description: "d".repeat(100) })).status).toBe(201);
  });

  it("treats names case-insensitively: already_exists, lookups, and labels added by another casing", async () => {
    expect((await api("/repos/acme/infra/labels", "POST", { name: "terrafix", color: "5319e7" })).status).toBe(201);

    const again = await answer(api("/repos/acme/infra/labels", "POST", { name: "Terrafix", color: "5319e7" }));
    expect(again).toMatchObject({ status: 422, body: { errors: [{ code: "already_exists" }] } });
    expect(await answer(api("/repos/acme/infra/labels/TerraFix"))).toMatchObject({ status: 200, body: { name: "terrafix" } });

    await publisherFor(fake, { labels: [] }).publish(request());
    const added = await answer(api("/repos/acme/infra/issues/1/labels", "POST", { labels: ["TERRAFIX", "New-One"] }));
    expect((added.body as unknown as { name: string }[]).map((l) => l.name)).toEqual(["terrafix", "New-One"]);
    expect([...fake.repo("acme", "infra").labels.values()].map((l) => l.name)).toEqual(["terrafix", "New-One"]);
  });
});

describe("issues disabled", () => {
  it("answers 410 on the issue routes and keeps pull requests (and their issue routes) working", async () => {
    const issue = await answer(api("/repos/acme/infra/issues", "POST", { title: "before" }));
    fake.disableIssues("acme", "infra");
    const gone = { status: 410, body: { message: "Issues are disabled for this repo" } };

    expect(await answer(api("/repos/acme/infra/issues", "POST", { title: "dashboard" }))).toMatchObject(gone);
    expect(await answer(api("/repos/acme/infra/issues?state=open"))).toMatchObject(gone);
    expect(await answer(api(`/repos/acme/infra/issues/${issue.body["number"] as number}`, "PATCH", { body: "x" }))).toMatchObject(gone);
    expect(await answer(api(`/repos/acme/infra/issues/${issue.body["number"] as number}/comments`, "POST", { body: "x" }))).toMatchObject(gone);

    expect((await publisherFor(fake).publish(request())).type).toBe("pr-opened");
    const pull = fake.pulls("acme", "infra")[0]!;
    expect(pull.labels).toEqual(["terrafix", "compliance"]);
    expect((await api(`/repos/acme/infra/issues/${pull.number}/comments`, "POST", { body: "on a PR" })).status).toBe(201);
    expect((await answer(api("/repos/acme/infra"))).body).toMatchObject({ has_issues: false });
  });
});

describe("a renamed repository", () => {
  it("redirects the old name to /repositories/{id}: 301 for GET, 307 for writes, with GitHub's body", async () => {
    const id = fake.repo("acme", "infra").id;
    fake.renameRepo("acme", "infra", "acme", "infra-core");

    const get = await api("/repos/acme/infra/pulls?state=all");
    const location = `${fake.url}/repositories/${id}/pulls?state=all`;
    expect([get.status, get.headers.get("location")]).toEqual([301, location]);
    expect(await get.json()).toEqual({ message: "Moved Permanently", url: location, documentation_url: "https://docs.github.com/v3/#http-redirects" });
    const post = await answer(api("/repos/acme/infra/issues", "POST", { title: "t" }));
    expect(post).toMatchObject({ status: 307, body: { message: "Temporary Redirect", url: `${fake.url}/repositories/${id}/issues` } });

    // The new location, and the new name, are the repository itself.
    expect(await answer(api(`/repositories/${id}`))).toMatchObject({ status: 200, body: { full_name: "acme/infra-core" } });
    expect((await api(`/repositories/${id}/issues`, "POST", { title: "t" })).status).toBe(201);
    expect((await api("/repos/acme/infra-core/issues/1")).status).toBe(200);
    // Clones of the old URL keep working, as GitHub redirects git too.
    const heads = (path: string): string => execFileSync("git", ["ls-remote", "--heads", `file://${path}`], { encoding: "utf8" });
    expect(heads(join(gitDir, "acme", "infra.git"))).toBe(heads(join(gitDir, "acme", "infra-core.git")));
    expect(heads(join(gitDir, "acme", "infra-core.git"))).toContain("refs/heads/main");
  });
});

describe("merging through the API", () => {
  it("refuses a `sha` that is not the head with 409, and merges with the right one", async () => {
    await publisherFor(fake).publish(request());
    const head = fake.pulls("acme", "infra")[0]!;
    const tip = fake.repo("acme", "infra").refs.get(head.head)!;

    const stale = await answer(api("/repos/acme/infra/pulls/1/merge", "PUT", { sha: "0".repeat(40) }));
    expect(stale).toMatchObject({ status: 409, body: { message: "Head branch was modified. Review and try the merge again." } });
    expect(await answer(api("/repos/acme/infra/pulls/1/merge", "PUT", { sha: tip }))).toMatchObject({ status: 200, body: { merged: true } });
  });

  it("refuses a PR that is behind under up-to-date protection until its branch is updated", async () => {
    await publisherFor(fake).publish(request());
    fake.pushHumanCommit("acme", "infra", "main", { "README.md": "unrelated\n" });
    fake.repo("acme", "infra").requireUpToDate = true;

    const behind = await answer(api("/repos/acme/infra/pulls/1/merge", "PUT", {}));
    expect(behind).toMatchObject({ status: 409, body: { message: "Head branch is out of date. Review and try the merge again." } });
    expect(() => fake.mergePr("acme", "infra", 1)).toThrow("Head branch is out of date");

    expect((await api("/repos/acme/infra/pulls/1/update-branch", "PUT", {})).status).toBe(202);
    expect(await answer(api("/repos/acme/infra/pulls/1"))).toMatchObject({ body: { mergeable_state: "clean" } });
    expect(fake.mergePr("acme", "infra", 1)).toMatch(/^[0-9a-f]{40}$/);
    expect(fake.files("acme", "infra")["README.md"]).toBe("unrelated\n");
  });
});

describe("maintainer_can_modify on a same-repository PR", () => {
  it("is refused on create and on update with GitHub's 422 text", async () => {
    fake.pushHumanCommit("acme", "infra", "main", {}, "base");
    const branch = fake.repo("acme", "infra").refs.get("main")!;
    fake.repo("acme", "infra").refs.set("feature", branch);
    fake.pushHumanCommit("acme", "infra", "feature", { "main.tf": `${MAIN_TF}# edit\n` });
    const refused = { status: 422, body: { message: "Validation Failed", errors: [{ message: "Fork collab can only be enabled on cross-repo pull requests" }] } };

    expect(await answer(api("/repos/acme/infra/pulls", "POST", { title: "t", head: "feature", base: "main", maintainer_can_modify: true }))).toMatchObject(refused);
    expect(fake.pulls("acme", "infra")).toHaveLength(0);
    expect((await api("/repos/acme/infra/pulls", "POST", { title: "t", head: "feature", base: "main" })).status).toBe(201);
    expect(await answer(api("/repos/acme/infra/pulls/1", "PATCH", { title: "t2", maintainer_can_modify: true }))).toMatchObject(refused);
    expect(fake.pulls("acme", "infra")[0]!.title).toBe("t");
  });
});
