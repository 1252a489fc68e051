import { afterEach, describe, expect, it } from "vitest";
import type { FakeGitHubOptions } from "../fakes/github-server.js";
import { runTerrafix } from "../support/cli.js";
import { startE2e, type E2eEnvironment } from "../support/e2e.js";

/**
 * TERRAFIX_REBASE_WHEN against the merge status the fake GitHub computes with git as GitHub
 * does: `dirty` on a conflict, `behind` only under "require branches to be up to date", `clean`
 * otherwise, and (lazyMergeability) null while it is being computed. One `process-once` per cycle.
 */
let e2e: E2eEnvironment | undefined;
afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

async function setup(overrides: NodeJS.ProcessEnv = {}, github: Omit<FakeGitHubOptions, "gitDir"> = {}): Promise<{ env: NodeJS.ProcessEnv; e: E2eEnvironment }> {
  e2e = await startE2e(1, { github });
  const env = e2e.env({ VANTA_FULL_RESYNC_HOURS: "0", ...overrides });
  const first = await runTerrafix(["process-once"], env);
  expect(first.out).toMatch(/^pr-opened /m);
  return { e: e2e, env };
}

async function cycle(env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runTerrafix(["process-once"], env);
  expect(result.code, result.err).toBe(0);
  return result.out;
}

async function status(e: E2eEnvironment, number: number): Promise<{ mergeable: boolean | null; mergeable_state: string }> {
  const response = await fetch(`${e.github.url}/repos/acme/infra/pulls/${number}`, { headers: { authorization: "token ghp_e2e_token_value" } });
  return (await response.json()) as { mergeable: boolean | null; mergeable_state: string };
}

const head = (e: E2eEnvironment): string => e.github.repo("acme", "infra").refs.get(e.github.pulls("acme", "infra")[0]!.head)!;
const main = (e: E2eEnvironment): string => e.github.repo("acme", "infra").refs.get("main")!;

function conflictOnMain(e: E2eEnvironment): void {
  const file = e.github.files("acme", "infra")["buckets.tf"]!;
  // Upstream adds a block right where the fix inserts: git cannot merge the two.
  e.github.pushHumanCommit("acme", "infra", "main", { "buckets.tf": `${file}\nresource "aws_s3_bucket_versioning" "b0" {\n  bucket = aws_s3_bucket.b0.id\n}\n` });
}

describe("rebaseWhen: conflicted (default) reads GitHub's merge status", () => {
  it("moves a PR that GitHub reports `behind` (the base requires up-to-date branches) onto the new base", async () => {
    const { e, env } = await setup();
    e.github.repo("acme", "infra").requireUpToDate = true;
    e.github.pushHumanCommit("acme", "infra", "main", { "README.md": "unrelated\n" });
    expect(await status(e, 1)).toMatchObject({ mergeable: true, mergeable_state: "behind" });

    expect(await cycle(env)).toMatch(/^pr-updated /m);

    expect(e.github.state.store.commit(head(e)).parents).toEqual([main(e)]);
    expect(await status(e, 1)).toMatchObject({ mergeable: true, mergeable_state: "clean" });
  });

  it("leaves a PR that is behind but `clean` (no up-to-date protection) where it is", async () => {
    const { e, env } = await setup();
    const before = head(e);
    e.github.pushHumanCommit("acme", "infra", "main", { "README.md": "unrelated\n" });
    expect(await status(e, 1)).toMatchObject({ mergeable: true, mergeable_state: "clean" });

    const out = await cycle(env);

    expect(out).not.toMatch(/^pr-updated /m);
    expect(head(e)).toBe(before);
  });

  it("rebases a conflicted PR in the same cycle when GitHub answers null (still computing) on the first read", async () => {
    const { e, env } = await setup({}, { lazyMergeability: true });
    conflictOnMain(e);

    expect(await cycle(env)).toMatch(/^pr-updated /m);

    expect(e.github.state.store.commit(head(e)).parents).toEqual([main(e)]);
    await status(e, 1); // the first read after the push starts the computation
    expect(await status(e, 1)).toMatchObject({ mergeable: true, mergeable_state: "clean" });
  });
});

describe("rebaseWhen: never", () => {
  it("never moves the branch, even when it conflicts", async () => {
    const { e, env } = await setup({ TERRAFIX_REBASE_WHEN: "never" });
    const before = head(e);
    conflictOnMain(e);

    const out = await cycle(env);

    expect(out).not.toMatch(/^pr-updated /m);
    expect(head(e)).toBe(before);
    expect(await status(e, 1)).toMatchObject({ mergeable: false, mergeable_state: "dirty" });
  });
});
