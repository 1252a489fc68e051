import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parseMarker } from "../../src/domain/proposal.js";
import { plainIssuesOf, type FakePull } from "../fakes/github-state.js";
import { runTerrafix } from "../support/cli.js";
import { startE2e, type E2eEnvironment } from "../support/e2e.js";

/**
 * The scenarios of issue 15, each against the fake Vanta and GitHub (real HTTP, real git on bare
 * repositories, a real SQLite file), one `process-once` per cycle: what a user of Renovate or
 * Dependabot would try after the first pull request.
 */
let e2e: E2eEnvironment | undefined;
afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

const TEST = "aws-s3-public-access-blocked";
const entity = (i: number): { id: string; displayName: string; responseType: string } => ({ id: i.toString(16).padStart(24, "0"), displayName: `bulk-bucket-${i}`, responseType: "S3 bucket" });

async function setup(buckets: number, overrides: NodeJS.ProcessEnv = {}): Promise<{ env: NodeJS.ProcessEnv; e: E2eEnvironment }> {
  e2e = await startE2e(buckets);
  return { e: e2e, env: e2e.env({ VANTA_FULL_RESYNC_HOURS: "0", ...overrides }) };
}

async function cycle(env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runTerrafix(["process-once"], env);
  expect(result.code, result.err).toBe(0);
  return result.out;
}

function pulls(e: E2eEnvironment): FakePull[] {
  return e.github.pulls("acme", "infra");
}

/** Vanta runs the test again (a later lastTestRunDate) with these failing entities. */
function vantaRuns(e: E2eEnvironment, entities: ReturnType<typeof entity>[], at = new Date(Date.now() + 1000)): void {
  e.vanta.updateTest(TEST, { lastTestRunDate: at.toISOString(), entities });
}

describe("TerraFix's own close is not a decline", () => {
  it("auto-closes when the test passes, and proposes again (generation 2) when it fails again", async () => {
    const { e, env } = await setup(1, { TERRAFIX_DASHBOARD: "true" });
    expect(await cycle(env)).toMatch(/^pr-opened /m);

    vantaRuns(e, []);
    expect(await cycle(env)).toContain("1 resolved");
    const [first] = pulls(e);
    expect(first).toMatchObject({ state: "closed", merged: false });
    expect(first!.labels).toContain("terrafix:resolved");

    vantaRuns(e, [entity(0)], new Date(Date.now() + 5000));
    const again = await cycle(env);

    expect(again).toMatch(/^pr-opened /m);
    expect(again).not.toMatch(/^declined /m);
    const [, second] = pulls(e);
    expect(second).toMatchObject({ state: "open", head: `${first!.head}-2` });
    expect(parseMarker(second!.body)).toMatchObject({ key: parseMarker(first!.body)!.key, generation: 2 });
    expect(second!.body).toContain(`Replaces #${first!.number}, which TerraFix closed when the test passed`);
    const dashboard = plainIssuesOf(e.github.repo("acme", "infra"))[0]!.body!;
    expect(dashboard).toMatch(/## Declined[^\n]*\(0\)/);
    expect(dashboard).toMatch(/## Open pull requests \(1\)/);
  });
});

describe("a merged fix that is reverted", () => {
  it("is proposed again after Vanta reports the test failing after the merge, saying it replaces the merged one", async () => {
    const { e, env } = await setup(1);
    await cycle(env);
    e.github.mergePr("acme", "infra", 1);
    const merge = e.github.repo("acme", "infra").refs.get("main")!;
    vantaRuns(e, []);
    await cycle(env);

    e.github.revertMerge("acme", "infra", merge);
    expect(e.github.files("acme", "infra")["buckets.tf"]).not.toContain("aws_s3_bucket_public_access_block");
    vantaRuns(e, [entity(0)], new Date(Date.now() + 5000));
    const out = await cycle(env);

    expect(out).toMatch(/^pr-opened /m);
    const [merged, second] = pulls(e);
    expect(merged!.merged).toBe(true);
    expect(second).toMatchObject({ state: "open", head: `${merged!.head}-2` });
    expect(second!.body).toContain(`Replaces #${merged!.number}, merged on`);
  });

  it("is proposed again when the merge is reverted before Vanta ever saw it pass", async () => {
    const { e, env } = await setup(1);
    await cycle(env);
    const merge = e.github.mergePr("acme", "infra", 1);
    e.github.revertMerge("acme", "infra", merge);
    vantaRuns(e, [entity(0)], new Date(Date.now() + 5000));

    expect(await cycle(env)).toMatch(/^pr-opened /m);
    expect(pulls(e).map((p) => p.state)).toEqual(["closed", "open"]);
  });

  it("stays merged while Vanta has not run the test since the merge", async () => {
    const { e, env } = await setup(1);
    await cycle(env);
    e.github.mergePr("acme", "infra", 1);
    rmSync(env["TERRAFIX_STATE_URL"]!, { force: true });

    // A lost database: the job runs again, but the code already holds the merged fix.
    const out = await cycle(env);
    expect(out).not.toMatch(/^pr-opened /m);
    expect(pulls(e)).toHaveLength(1);
  });
});

describe("enrichment outage", () => {
  it("changes nothing: same key, no false resolve, no duplicate PR, no decline", async () => {
    const { e, env } = await setup(2, { VANTA_ENRICH: "true", TERRAFIX_DASHBOARD: "true" });
    e.vanta.setResources([0, 1].map((i) => ({ resourceKind: "S3Bucket", resourceId: `arn:aws:s3:::bulk-bucket-${i}`, displayName: `bulk-bucket-${i}` })));
    expect((await cycle(env)).match(/^pr-opened /gm)).toHaveLength(2);
    expect(pulls(e)[0]!.body).toContain("arn:aws:s3:::bulk-bucket-");

    e.vanta.setFault({ route: "resources", status: 500, times: 100 });
    const outage = await cycle(env);
    e.vanta.clearFaults();
    const recovered = await cycle(env);

    for (const out of [outage, recovered]) {
      expect(out).toContain("0 new, 0 resolved");
      expect(out).toContain("0 job(s), 0 errored");
    }
    expect(pulls(e).map((p) => p.state)).toEqual(["open", "open"]);
    expect(e.github.repo("acme", "infra").comments).toEqual([]);
  });
});

describe("an unrelated upstream edit to the same file", () => {
  it("keeps a declined fix declined after the database is lost", async () => {
    const { e, env } = await setup(2);
    await cycle(env);
    e.github.closePr("acme", "infra", 1);
    const main = e.github.files("acme", "infra")["buckets.tf"]!;
    e.github.pushHumanCommit("acme", "infra", "main", { "buckets.tf": `# Owned by the platform team.\n${main}\n# trailing note\n` });
    rmSync(env["TERRAFIX_STATE_URL"]!, { force: true });

    const out = await cycle(env);

    expect(out).toMatch(/^declined /m);
    expect(out).not.toMatch(/^pr-opened /m);
    expect(pulls(e)).toHaveLength(2);
  });

  it("does not push the open PR's branch again, and a human's title edit survives", async () => {
    const { e, env } = await setup(1, { TERRAFIX_REBASE_WHEN: "behind-base" });
    await cycle(env);
    const [pull] = pulls(e);
    pull!.title = "Block public access on the logs bucket (reviewed by Dana)";
    const main = e.github.files("acme", "infra")["buckets.tf"]!;
    e.github.pushHumanCommit("acme", "infra", "main", { "buckets.tf": `# Owned by the platform team.\n${main}`, "README.md": "infra\n" });
    const tip = e.github.repo("acme", "infra").refs.get(pull!.head);
    rmSync(env["TERRAFIX_STATE_URL"]!, { force: true });

    // behind-base moves the branch onto the new base: same edits, so the same change.
    const rebased = await cycle(env);
    expect(rebased).toMatch(/^pr-updated /m);
    const after = e.github.repo("acme", "infra").refs.get(pull!.head)!;
    expect(after).not.toBe(tip);
    expect(e.github.state.store.commit(after).parents).toEqual([e.github.repo("acme", "infra").refs.get("main")]);
    expect(pull!.title).toBe("Block public access on the logs bucket (reviewed by Dana)");

    // Nothing changed since: no push, no edit.
    rmSync(env["TERRAFIX_STATE_URL"]!, { force: true });
    expect(await cycle(env)).toMatch(/^pr-exists /m);
    expect(e.github.repo("acme", "infra").refs.get(pull!.head)).toBe(after);
    expect(pull!.title).toBe("Block public access on the logs bucket (reviewed by Dana)");
  });
});

describe("open PRs kept healthy (rebaseWhen: conflicted)", () => {
  it("regenerates a conflicted PR on the new base when its last commit is TerraFix's", async () => {
    const { e, env } = await setup(1);
    await cycle(env);
    const [pull] = pulls(e);
    const branchFile = e.github.files("acme", "infra", pull!.head)["buckets.tf"]!;
    const main = e.github.files("acme", "infra")["buckets.tf"]!;
    // Upstream adds its own block right where the fix inserts: git cannot merge the two.
    e.github.pushHumanCommit("acme", "infra", "main", { "buckets.tf": `${main}\nresource "aws_s3_bucket_versioning" "b0" {\n  bucket = aws_s3_bucket.b0.id\n}\n` });
    expect(branchFile).not.toBe(main);
    expect(await mergeable(e, pull!.number)).toBe(false);

    const out = await cycle(env);

    expect(out).toMatch(/^pr-updated /m);
    expect(await mergeable(e, pull!.number)).toBe(true);
    const merged = e.github.files("acme", "infra", pull!.head)["buckets.tf"]!;
    expect(merged).toContain("aws_s3_bucket_versioning");
    expect(merged).toContain("aws_s3_bucket_public_access_block");
  });

  it("comments once and never pushes when the conflicted branch has a human commit", async () => {
    const { e, env } = await setup(1);
    await cycle(env);
    const [pull] = pulls(e);
    const human = e.github.pushHumanCommit("acme", "infra", pull!.head, { "notes.md": "reviewed\n" });
    const main = e.github.files("acme", "infra")["buckets.tf"]!;
    e.github.pushHumanCommit("acme", "infra", "main", { "buckets.tf": `${main}\nresource "aws_s3_bucket_versioning" "b0" {\n  bucket = aws_s3_bucket.b0.id\n}\n` });

    await cycle(env);
    await cycle(env);

    expect(e.github.repo("acme", "infra").refs.get(pull!.head)).toBe(human);
    const comments = e.github.repo("acme", "infra").comments.filter((c) => c.body.includes("terrafix:conflicted"));
    expect(comments).toHaveLength(1);
  });
});

describe("limits that react", () => {
  it("runs work held back by the open-PR limit in the next cycle once a slot is freed", async () => {
    const { e, env } = await setup(2, { TERRAFIX_MAX_OPEN_PRS: "1" });
    const first = await cycle(env);
    expect(first).toMatch(/^pr-opened /m);
    expect(first).toMatch(/^deferred /m);

    e.github.mergePr("acme", "infra", 1);
    const second = await cycle(env);

    expect(second).toMatch(/^pr-opened /m);
    expect(pulls(e).map((p) => p.state)).toEqual(["closed", "open"]);
  });
});

describe("the dashboard a human acts on", () => {
  it("undo decline: a ticked box in the managed section proposes the declined fix again", async () => {
    const { e, env } = await setup(1, { TERRAFIX_DASHBOARD: "true" });
    await cycle(env);
    e.github.closePr("acme", "infra", 1);
    rmSync(env["TERRAFIX_STATE_URL"]!, { force: true });
    expect(await cycle(env)).toMatch(/^declined /m);
    const issue = plainIssuesOf(e.github.repo("acme", "infra"))[0]!;
    expect(issue.body).toMatch(/## Declined[^\n]*\(1\)/);
    issue.body = `Notes from the team.\n\n${issue.body!.replace("- [ ] <!-- terrafix:undo-decline", "- [x] <!-- terrafix:undo-decline")}`;

    expect(await cycle(env)).toMatch(/^pr-opened /m);

    expect(pulls(e).map((p) => p.state)).toEqual(["closed", "open"]);
    expect(pulls(e)[1]!.body).toContain("its decline was undone from the dashboard");
    expect(issue.body.startsWith("Notes from the team.")).toBe(true);
    expect(issue.body).toMatch(/## Declined[^\n]*\(0\)/);
    expect(issue.body).not.toContain("- [x]");
  });

  it("retry: a ticked box runs a failed job again", async () => {
    const { e, env } = await setup(1, { TERRAFIX_DASHBOARD: "true", TERRAFIX_MAX_ATTEMPTS: "1" });
    e.github.setFault({ method: "POST", path: /\/pulls$/, type: "status", status: 422, times: 100 });
    await runTerrafix(["process-once"], env);
    e.github.clearFaults();
    const issue = plainIssuesOf(e.github.repo("acme", "infra"))[0]!;
    expect(issue.body).toMatch(/## Failed \(1\)/);
    issue.body = issue.body!.replace("- [ ] <!-- terrafix:retry", "- [x] <!-- terrafix:retry");

    expect(await cycle(env)).toMatch(/^pr-opened /m);
    expect(issue.body).toMatch(/## Failed \(0\)/);
  });
});

async function mergeable(e: E2eEnvironment, number: number): Promise<boolean | null> {
  const response = await fetch(`${e.github.url}/repos/acme/infra/pulls/${number}`, { headers: { authorization: "token ghp_e2e_token_value" } });
  return ((await response.json()) as { mergeable: boolean | null }).mergeable;
}

