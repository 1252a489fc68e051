import { afterEach, describe, expect, it } from "vitest";
import { controlsForTest } from "../../src/controls/catalogue.js";
import { matchFailure, targetOf } from "../../src/pipeline/match.js";
import { ACCOUNT_FAILURE, BUCKET_FAILURE, PipelineFixture } from "../support/pipeline-fixture.js";
import { BUCKET_TF, NO_POLICY_TF } from "../support/terraform-repo.js";

let fixture: PipelineFixture | undefined;
afterEach(() => fixture?.remove());
const live = (): AbortSignal => new AbortController().signal;
const bucketControls = controlsForTest(BUCKET_FAILURE.testId);
const accountControls = controlsForTest(ACCOUNT_FAILURE.testId);

describe("matchFailure (match stage)", () => {
  it("finds the block and the repository that defines the failing resource", async () => {
    fixture = new PipelineFixture({ "acme/network": { "sg.tf": 'resource "aws_security_group" "web" {\n  name = "web"\n}\n' }, "acme/infra": { "main.tf": BUCKET_TF } });
    const out = await matchFailure({ failure: BUCKET_FAILURE, repos: await fixture.indexed(), controls: bucketControls }, {}, live());
    expect(out.status).toBe("matched");
    if (out.status !== "matched") throw new Error(JSON.stringify(out));
    expect(out.repo.checkout.repo.name).toBe("infra");
    expect(out.target).toMatchObject({ address: "aws_s3_bucket.logs", file: "main.tf", startLine: 10, endLine: 12 });
    expect(out.target.confidence).toBeGreaterThan(0.9);
  });

  it("answers missing (a resource to add, no invented block) for an account without a password policy", async () => {
    fixture = new PipelineFixture({ "acme/infra": { "providers.tf": NO_POLICY_TF } });
    const out = await matchFailure({ failure: ACCOUNT_FAILURE, repos: await fixture.indexed(ACCOUNT_FAILURE), controls: accountControls }, {}, live());
    expect(out).toMatchObject({ status: "missing", target: { address: "aws_iam_account_password_policy.this", resourceType: "aws_iam_account_password_policy" } });
    expect(out.status === "missing" && out.target).not.toHaveProperty("file");
    expect(out.status === "missing" && out.repo.checkout.repo.name).toBe("infra");
  });

  it("answers no-match for a missing resource no control of the job can add", async () => {
    fixture = new PipelineFixture({ "acme/infra": { "providers.tf": NO_POLICY_TF } });
    const out = await matchFailure({ failure: ACCOUNT_FAILURE, repos: await fixture.indexed(ACCOUNT_FAILURE), controls: [] }, {}, live());
    expect(out).toMatchObject({ status: "no-match", reason: expect.stringContaining("no control of this test can add it") as string });
  });

  it("is ambiguous, naming repository, file and line of each candidate, when two repositories define it", async () => {
    fixture = new PipelineFixture({ "acme/a": { "main.tf": BUCKET_TF }, "acme/b": { "s3.tf": BUCKET_TF } });
    const out = await matchFailure({ failure: BUCKET_FAILURE, repos: await fixture.indexed(), controls: bucketControls }, {}, live());
    expect(out.status).toBe("ambiguous");
    expect(out.status === "ambiguous" && out.candidates.map((c) => c.replace(/ \(.*\)$/, "")).sort()).toEqual(["acme/a:aws_s3_bucket.logs at main.tf:10", "acme/b:aws_s3_bucket.logs at s3.tf:10"]);
  });

  it("answers no-match with the matcher's reason when nothing defines the resource", async () => {
    fixture = new PipelineFixture({ "acme/infra": { "main.tf": BUCKET_TF } });
    const out = await matchFailure({ failure: { ...BUCKET_FAILURE, displayName: "somebody-elses-bucket" }, repos: await fixture.indexed(), controls: bucketControls }, {}, live());
    expect(out.status).toBe("no-match");
    expect(out.status === "no-match" && out.reason.length).toBeGreaterThan(10);
  });

  it("reads the state once through its dependency, and honours the abort signal after it", async () => {
    fixture = new PipelineFixture({ "acme/infra": { "main.tf": BUCKET_TF } });
    const repos = await fixture.indexed();
    const controller = new AbortController();
    let reads = 0;
    const loadState = () => {
      reads += 1;
      controller.abort(new Error("shutdown"));
      return Promise.resolve(undefined);
    };
    await expect(matchFailure({ failure: BUCKET_FAILURE, repos, controls: bucketControls }, { loadState }, controller.signal)).rejects.toThrow("shutdown");
    expect(reads).toBe(1);
  });
});

describe("targetOf", () => {
  it("drops the candidate's repository and keeps the block it ranked", () => {
    const candidate = { repo: "acme/infra", address: "aws_s3_bucket.logs", file: "main.tf", startLine: 1, endLine: 3, confidence: 1, reasons: ["exact name"] };
    const found = targetOf({ status: "matched", reason: "exact", candidates: [candidate] } as never, bucketControls);
    expect(found).toEqual({ status: "matched", target: { address: "aws_s3_bucket.logs", file: "main.tf", startLine: 1, endLine: 3, confidence: 1, reasons: ["exact name"] } });
  });

  it("turns a matched answer without candidates into no-match instead of an undefined target", () => {
    expect(targetOf({ status: "matched", reason: "x", candidates: [] } as never, bucketControls)).toEqual({ status: "no-match", reason: "the matcher returned no candidate" });
  });

  it("keeps five candidates of an ambiguous answer", () => {
    const candidates = Array.from({ length: 7 }, (_, i) => ({ address: `aws_s3_bucket.b${i}`, file: "main.tf", startLine: i + 1, endLine: i + 1, confidence: 0.5, reasons: [] }));
    const found = targetOf({ status: "ambiguous", reason: "tie", candidates } as never, bucketControls);
    expect(found.status === "ambiguous" && found.candidates).toEqual(candidates.slice(0, 5).map((c) => `${c.address} at main.tf:${c.startLine} (0.50)`));
  });
});
