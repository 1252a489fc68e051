import { afterEach, describe, expect, it } from "vitest";
import type { ProposedChange } from "../../src/domain/change.js";
import { branchName } from "../../src/domain/failure.js";
import { TerraFixError } from "../../src/errors.js";
import { publishChange } from "../../src/pipeline/publish/index.js";
import { MemoryPublisher } from "../support/memory-publisher.js";
import { ACCOUNT_FAILURE, BUCKET_FAILURE, PipelineFixture } from "../support/pipeline-fixture.js";
import { BUCKET_TF, NO_POLICY_TF } from "../support/terraform-repo.js";

let fixture: PipelineFixture | undefined;
afterEach(() => fixture?.remove());
const KEY = "ab".repeat(32);
const VERIFIED = { passed: true, checks: [] };
const POLICY = 'resource "aws_iam_account_password_policy" "this" {\n  minimum_password_length = 14\n}\n';

function generation(files: ProposedChange["files"]) {
  return { type: "change" as const, change: { files, generator: "rules" as const, rationale: "fix", confidence: 1 }, verification: VERIFIED, verifyMs: 3 };
}

async function repo(files: Record<string, string>, failure = BUCKET_FAILURE) {
  fixture = new PipelineFixture({ "acme/infra": files });
  const [checkout] = await fixture.checkouts(failure);
  if (checkout === undefined) throw new Error("no checkout");
  return checkout;
}

describe("publishChange (publish stage)", () => {
  it("publishes on the failure's branch with the .terrafix.yml labels and reviewers, and only the target's own fields", async () => {
    const publisher = new MemoryPublisher();
    const checkout = await repo({ "main.tf": BUCKET_TF, ".terrafix.yml": "labels: [security]\nreviewers: [alice]\n" });
    const target = { address: "aws_s3_bucket.logs", file: "main.tf", startLine: 10, endLine: 12, confidence: 1, reasons: ["exact"], resource: { huge: "indexed block" } };
    const controller = new AbortController();
    const outcome = await publishChange({ key: KEY, failure: BUCKET_FAILURE, repo: checkout, target, generation: generation([{ path: "main.tf", before: BUCKET_TF, after: `${BUCKET_TF}\n` }]) }, { publisher }, controller.signal);
    expect(outcome).toEqual({ type: "pr-opened", url: `https://example.test/pulls/${branchName(BUCKET_FAILURE.testId, KEY)}` });
    const [sent] = publisher.requests;
    expect(sent?.signal).toBe(controller.signal);
    expect(sent?.request).toMatchObject({ key: KEY, branch: branchName(BUCKET_FAILURE.testId, KEY), labels: ["security"], reviewers: ["alice"], repo: { owner: "acme", name: "infra" } });
    expect(sent?.request.target).toEqual({ address: "aws_s3_bucket.logs", file: "main.tf", startLine: 10, endLine: 12, confidence: 1, reasons: ["exact"] });
  });

  it("locates an added account-wide resource in the change as the pull request's target", async () => {
    const publisher = new MemoryPublisher();
    const checkout = await repo({ "providers.tf": NO_POLICY_TF }, ACCOUNT_FAILURE);
    const missing = { address: "aws_iam_account_password_policy.this", resourceType: "aws_iam_account_password_policy", reasons: ["none defined"] };
    await publishChange({ key: KEY, failure: ACCOUNT_FAILURE, repo: checkout, target: missing, generation: generation([{ path: "iam-password-policy.tf", before: "", after: POLICY }]) }, { publisher }, new AbortController().signal);
    expect(publisher.requests[0]?.request.target).toEqual({ address: missing.address, file: "iam-password-policy.tf", startLine: 1, endLine: 3, confidence: 1, reasons: ["none defined"] });
    expect(publisher.requests[0]?.request).not.toHaveProperty("labels");
  });

  it("passes the publisher's error on, classified, for the runner to record", async () => {
    const publisher = new MemoryPublisher();
    publisher.error = new TerraFixError("GitHub 502", { kind: "transient", stage: "publish", status: 502 });
    const checkout = await repo({ "main.tf": BUCKET_TF });
    const target = { address: "aws_s3_bucket.logs", file: "main.tf", startLine: 10, endLine: 12, confidence: 1, reasons: [] };
    await expect(publishChange({ key: KEY, failure: BUCKET_FAILURE, repo: checkout, target, generation: generation([]) }, { publisher }, new AbortController().signal)).rejects.toMatchObject({ kind: "transient", retryable: true });
  });
});
