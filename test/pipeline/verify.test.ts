import { afterEach, describe, expect, it } from "vitest";
import { controlsForTest } from "../../src/controls/catalogue.js";
import type { ProposedChange } from "../../src/domain/change.js";
import { verifyProposal } from "../../src/pipeline/verify.js";
import { BUCKET_FAILURE, PipelineFixture } from "../support/pipeline-fixture.js";
import { BUCKET_TF } from "../support/terraform-repo.js";

let fixture: PipelineFixture | undefined;
afterEach(() => fixture?.remove());
const controls = controlsForTest(BUCKET_FAILURE.testId);
const BLOCK = `

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket = aws_s3_bucket.logs.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
`;

function change(after: string): ProposedChange {
  return { files: [{ path: "main.tf", before: BUCKET_TF, after }], generator: "llm", rationale: "test", confidence: 0.9 };
}

async function index() {
  fixture = new PipelineFixture({ "acme/infra": { "main.tf": BUCKET_TF } });
  const [repo] = await fixture.indexed();
  if (repo === undefined) throw new Error("no repository");
  return repo.index;
}

describe("verifyProposal (verify stage)", () => {
  it("passes a change that makes the job's controls pass, gate by gate", async () => {
    const report = await verifyProposal({ change: change(BUCKET_TF.trimEnd() + BLOCK), targetAddress: "aws_s3_bucket.logs", index: await index(), controls }, {});
    expect(report.passed).toBe(true);
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([["parse", "pass"], ["fmt", "skipped"], ["control", "pass"], ["no-new-findings", "pass"], ["scope", "pass"], ["guardrails", "pass"]]);
  });

  it("fails a change that leaves the control failing, naming the control", async () => {
    const report = await verifyProposal({ change: change(BUCKET_TF.replace('"acme-logs"', '"acme-logs-2"')), targetAddress: "aws_s3_bucket.logs", index: await index(), controls }, {});
    expect(report.passed).toBe(false);
    expect(report.checks.find((c) => c.name === "control")).toMatchObject({ status: "fail", detail: expect.stringContaining("s3-public-access-block") as string });
  });

  it("runs the formatter it is given as the fmt gate", async () => {
    const rewrites = (text: string) => Promise.resolve(text.replace("block_public_acls       = true", "block_public_acls = true"));
    const report = await verifyProposal({ change: change(BUCKET_TF.trimEnd() + BLOCK), targetAddress: "aws_s3_bucket.logs", index: await index(), controls }, { formatter: rewrites });
    expect(report.checks.find((c) => c.name === "fmt")).toMatchObject({ status: "fail", passed: false });
    expect(report.passed).toBe(false);
  });

  it("honours the abort signal before running any gate", async () => {
    const controller = new AbortController();
    controller.abort(new Error("shutdown"));
    await expect(verifyProposal({ change: change(BUCKET_TF), targetAddress: "aws_s3_bucket.logs", index: {} as never, controls }, {}, controller.signal)).rejects.toThrow("shutdown");
  });
});
