import { afterEach, describe, expect, it } from "vitest";
import { controlsForTest } from "../../src/controls/catalogue.js";
import { generateChange, type GenerateDeps } from "../../src/pipeline/generate.js";
import { matchFailure } from "../../src/pipeline/match.js";
import { silentLogger } from "../../src/observability/logger.js";
import { ACCOUNT_FAILURE, BUCKET_FAILURE, PipelineFixture } from "../support/pipeline-fixture.js";
import { BUCKET_TF, NO_POLICY_TF } from "../support/terraform-repo.js";

let fixture: PipelineFixture | undefined;
afterEach(() => fixture?.remove());
const live = (): AbortSignal => new AbortController().signal;
const DEPS: GenerateDeps = { logger: silentLogger(), model: undefined, llm: { prices: {}, maxRounds: 3, maxModelRetries: 1, maxTokens: 4096, promptBudgetTokens: 50_000 } };

/** The workspace, index and match stages on one repository, as run-job calls them. */
async function matched(files: Record<string, string>, failure = BUCKET_FAILURE) {
  fixture = new PipelineFixture({ "acme/infra": files });
  const controls = controlsForTest(failure.testId);
  const repos = await fixture.indexed(failure);
  const match = await matchFailure({ failure, repos, controls }, {}, live());
  if (match.status !== "matched" && match.status !== "missing") throw new Error(JSON.stringify(match));
  return { failure, controls, target: match.target, index: match.repo.index };
}

describe("generateChange (generate stage)", () => {
  it("writes the rule fix, verifies it, and reports the time spent verifying", async () => {
    const m = await matched({ "main.tf": BUCKET_TF });
    const out = await generateChange({ ...m, generator: "rules" }, DEPS, live());
    expect(out.type).toBe("change");
    if (out.type !== "change") throw new Error(JSON.stringify(out));
    expect(out.change.generator).toBe("rules");
    expect(out.change.files[0]?.after).toContain('resource "aws_s3_bucket_public_access_block" "logs"');
    expect(out.verification.passed).toBe(true);
    expect(out.verifyMs).toBeGreaterThan(0);
    expect(out.llm).toBeUndefined();
  });

  it("adds the account-wide resource of a missing match, in a new file", async () => {
    const m = await matched({ "providers.tf": NO_POLICY_TF }, ACCOUNT_FAILURE);
    const out = await generateChange({ ...m, generator: "rules" }, DEPS, live());
    expect(out.type === "change" && out.change.files.map((f) => [f.path, f.before])).toEqual([["iam-password-policy.tf", ""]]);
    expect(out.type === "change" && out.change.files[0]?.after).toContain('resource "aws_iam_account_password_policy" "this"');
  });

  it("answers already-compliant as a value for a block that passes", async () => {
    const fixed = `${BUCKET_TF}\nresource "aws_s3_bucket_public_access_block" "logs" {\n  bucket                  = aws_s3_bucket.logs.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n`;
    const m = await matched({ "main.tf": fixed });
    const out = await generateChange({ ...m, generator: "rules" }, DEPS, live());
    expect(out).toMatchObject({ type: "already-compliant", verifyMs: 0 });
  });

  it("answers unsupported when no control covers the test and no model may write it", async () => {
    const m = await matched({ "main.tf": BUCKET_TF });
    const out = await generateChange({ ...m, controls: [], generator: "rules" }, DEPS, live());
    expect(out).toMatchObject({ type: "unsupported", reason: `no rule-based control covers test ${BUCKET_FAILURE.testId}` });
  });

  it("honours the abort signal", async () => {
    const m = await matched({ "main.tf": BUCKET_TF });
    const controller = new AbortController();
    controller.abort(new Error("shutdown"));
    await expect(generateChange({ ...m, generator: "rules" }, DEPS, controller.signal)).rejects.toThrow("shutdown");
  });
});
