import { afterEach, describe, expect, it } from "vitest";
import { parseMarker } from "../../src/domain/proposal.js";
import type { FakePull } from "../fakes/github-state.js";
import { runTerrafix } from "../support/cli.js";
import { diffBlock, gitNumstat, tableRows } from "../support/pr-body.js";
import { startE2e, type E2eEnvironment } from "../support/e2e.js";

/**
 * A pull request that groups two failing tests on one resource, over its life: it closes only
 * when every test it fixes passes (its body says which pass meanwhile), and it is rebuilt on a
 * new base when it conflicts, each member's regenerated change merged back in. Fake Vanta and
 * GitHub (real git), real SQLite, one `process-once` per cycle.
 */
let e2e: E2eEnvironment | undefined;
afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

const PUBLIC = "aws-s3-public-access-blocked";
const VERSIONING = "aws-s3-versioning-enabled";
const bucket = { id: "0".repeat(24), displayName: "bulk-bucket-0", responseType: "S3 bucket" };

async function grouped(): Promise<{ e: E2eEnvironment; env: NodeJS.ProcessEnv; pull: FakePull }> {
  e2e = await startE2e(1);
  const env = e2e.env({ VANTA_FULL_RESYNC_HOURS: "0", TERRAFIX_TEST_MAPPINGS: `${VERSIONING}=s3-versioning` });
  e2e.vanta.setTests([
    { id: PUBLIC, name: "S3 buckets block public access", entities: [bucket] },
    { id: VERSIONING, name: "S3 buckets have versioning enabled", entities: [bucket] },
  ]);
  await cycle(env);
  const pulls = e2e.github.pulls("acme", "infra");
  expect(pulls).toHaveLength(1);
  expect(parseMarker(pulls[0]!.body)!.also).toHaveLength(1);
  // The body shows what the branch holds: both tests' blocks, base to head.
  expectBodyShowsBranch(e2e, pulls[0]!);
  expect(diffBlock(pulls[0]!.body)).toMatch(/^\+resource "aws_s3_bucket_public_access_block" "b0" \{$/m);
  expect(diffBlock(pulls[0]!.body)).toMatch(/^\+resource "aws_s3_bucket_versioning" "b0" \{$/m);
  return { e: e2e, env, pull: pulls[0]! };
}

/** The body's table is git's `diff --numstat` from the group's base to the branch, and the diff covers every path. */
function expectBodyShowsBranch(e: E2eEnvironment, pull: FakePull): void {
  const repo = e.github.repo("acme", "infra");
  const base = parseMarker(pull.body)!.base!;
  const changed = gitNumstat(repo.mirror!.path, base, repo.refs.get(pull.head)!);
  expect(changed.length).toBeGreaterThan(0);
  expect(tableRows(pull.body)).toEqual(changed);
  for (const { path } of changed) expect(diffBlock(pull.body)).toContain(`+++ b/${path}\n`);
}

const STALE_NOTE = "**Being rebuilt:**";
const TESTS = {
  [PUBLIC]: { id: PUBLIC, name: "S3 buckets block public access", block: "aws_s3_bucket_public_access_block" },
  [VERSIONING]: { id: VERSIONING, name: "S3 buckets have versioning enabled", block: "aws_s3_bucket_versioning" },
};

/** The body between its marker line and the table (where the stale note goes). */
function introOf(body: string | null): string {
  const text = body ?? "";
  return text.slice(text.indexOf("\n"), text.indexOf("### What changes"));
}

async function cycle(env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runTerrafix(["process-once"], env);
  expect(result.code, result.err).toBe(0);
  return result.out;
}

function passes(e: E2eEnvironment, testId: string, after: number): void {
  e.vanta.updateTest(testId, { lastTestRunDate: new Date(Date.now() + after).toISOString(), entities: [] });
}

async function mergeStatus(e: E2eEnvironment, number: number): Promise<{ mergeable: boolean | null; mergeable_state: string }> {
  const response = await fetch(`${e.github.url}/repos/acme/infra/pulls/${number}`, { headers: { authorization: "token ghp_e2e_token_value" } });
  return (await response.json()) as { mergeable: boolean | null; mergeable_state: string };
}

describe("a grouped PR when its tests pass", () => {
  it("stays open with a note while one test passes, and TerraFix closes it (as resolved) when every test passes", async () => {
    const { e, env, pull } = await grouped();

    passes(e, VERSIONING, 1000);
    expect(await cycle(env)).toContain("1 resolved");

    expect(pull.state).toBe("open");
    expect(pull.body).toContain("Vanta now reports **S3 buckets have versioning enabled** passing");
    const marker = parseMarker(pull.body)!;
    expect(marker.passing).toHaveLength(1);
    expect(e.github.repo("acme", "infra").comments).toEqual([]);

    passes(e, PUBLIC, 2000);
    expect(await cycle(env)).toContain("1 resolved");

    expect(pull).toMatchObject({ state: "closed", merged: false });
    expect(pull.labels).toContain("terrafix:resolved");
    const comments = e.github.repo("acme", "infra").comments.map((c) => c.body);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain("every test this pull request fixes passing");
  });
});

describe("a grouped PR that conflicts with its base", () => {
  it("is rebuilt on the new base, and the other member's regenerated edits are merged back in the next cycle", async () => {
    const { e, env, pull } = await grouped();
    // Which test opened the PR depends on which job ran first: the other one is the member.
    const [own, member] = pull.title.includes(TESTS[PUBLIC].name) ? [TESTS[PUBLIC], TESTS[VERSIONING]] : [TESTS[VERSIONING], TESTS[PUBLIC]];
    const intro = introOf(pull.body);
    const main = e.github.files("acme", "infra")["buckets.tf"]!;
    // Upstream appends a block at the end of the file, where the fixes insert: git cannot merge.
    e.github.pushHumanCommit("acme", "infra", "main", { "buckets.tf": `${main}\nresource "aws_s3_bucket_logging" "b0" {\n  bucket        = aws_s3_bucket.b0.id\n  target_bucket = "acme-logs"\n  target_prefix = "b0/"\n}\n` });
    expect(await mergeStatus(e, pull.number)).toMatchObject({ mergeable: false, mergeable_state: "dirty" });

    expect(await cycle(env)).toMatch(/^pr-updated /m);
    const rebuilt = parseMarker(pull.body)!;
    expect(rebuilt.stale).toHaveLength(1);
    expect(rebuilt.base).toBe(e.github.repo("acme", "infra").refs.get("main"));
    // Rebuilt with the PR's own test only: the body says whose edits are still to come back.
    const note = (pull.body ?? "").split("\n").filter((line) => line.includes(STALE_NOTE));
    expect(note).toHaveLength(1);
    expect(note[0]).toContain(`the edits for **${member.name}** (\`${member.id}\`) are not on it yet`);
    expect(pull.body!.indexOf(STALE_NOTE)).toBeLessThan(pull.body!.indexOf("### What changes"));
    expectBodyShowsBranch(e, pull);
    expect(diffBlock(pull.body)).toContain(`+resource "${own.block}" "b0" {`);
    expect(diffBlock(pull.body)).not.toContain(member.block);

    expect(await cycle(env)).toMatch(/^pr-updated /m);

    const marker = parseMarker(pull.body)!;
    expect(marker.stale ?? []).toEqual([]);
    expect(pull.body).not.toContain(STALE_NOTE);
    expect(introOf(pull.body)).toBe(intro);
    expectBodyShowsBranch(e, pull);
    expect(diffBlock(pull.body)).toContain(`+resource "${own.block}" "b0" {`);
    expect(diffBlock(pull.body)).toContain(`+resource "${member.block}" "b0" {`);
    expect(marker.also).toHaveLength(1);
    const file = e.github.files("acme", "infra", pull.head)["buckets.tf"]!;
    expect(file).toContain("aws_s3_bucket_logging");
    expect(file).toContain("aws_s3_bucket_public_access_block");
    expect(file).toContain("aws_s3_bucket_versioning");
    expect(await mergeStatus(e, pull.number)).toMatchObject({ mergeable: true, mergeable_state: "clean" });
    expect(e.github.pulls("acme", "infra")).toHaveLength(1);

    // Settled: the next cycle pushes nothing.
    const tip = e.github.repo("acme", "infra").refs.get(pull.head);
    expect(await cycle(env)).not.toMatch(/^pr-updated /m);
    expect(e.github.repo("acme", "infra").refs.get(pull.head)).toBe(tip);
  });
});
