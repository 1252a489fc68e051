import { afterEach, describe, expect, it } from "vitest";
import { failureKey, type Failure } from "../../src/domain/failure.js";
import { TerraFixError } from "../../src/errors.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { runPipeline, type RunJobDeps } from "../../src/pipeline/run-job.js";
import { capturingLogger } from "../support/daemon-harness.js";
import { MemoryPublisher } from "../support/memory-publisher.js";
import { ACCOUNT_FAILURE, BUCKET_FAILURE, PipelineFixture } from "../support/pipeline-fixture.js";
import { BUCKET_TF, NO_POLICY_TF } from "../support/terraform-repo.js";

let fixture: PipelineFixture | undefined;
afterEach(() => fixture?.remove());

function setup(files: Record<string, string>, extra: Partial<RunJobDeps> = {}) {
  fixture = new PipelineFixture({ "acme/infra": files });
  const publisher = new MemoryPublisher();
  const log = capturingLogger();
  const deps: RunJobDeps = {
    workspace: fixture.workspace,
    repositories: fixture.repositories,
    publisher,
    logger: log.logger,
    model: undefined,
    llm: { prices: {}, maxRounds: 3, maxModelRetries: 1, maxTokens: 4096, promptBudgetTokens: 50_000 },
    generator: "rules",
    testMappings: {},
    ...extra,
  };
  return { deps, publisher, workspace: fixture.workspace, log };
}

const run = (failure: Failure, deps: RunJobDeps, signal = new AbortController().signal) => runPipeline({ key: failureKey(failure), failure, attempt: 1 }, deps, signal);

describe("runPipeline", () => {
  it("runs every stage in order to a pull request, timing each, and releases the checkout", async () => {
    const metrics = createMetrics();
    const { deps, publisher, workspace, log } = setup({ "main.tf": BUCKET_TF }, { metrics });
    const report = await run(BUCKET_FAILURE, deps);
    expect(report.outcome).toMatchObject({ type: "pr-opened", url: expect.stringContaining("https://example.test/pulls/terrafix/") as string });
    expect(report.outcome.type === "pr-opened" && report.outcome.gates?.map((g) => [g.name, g.status])).toEqual([["parse", "pass"], ["fmt", "skipped"], ["control", "pass"], ["no-new-findings", "pass"], ["scope", "pass"], ["guardrails", "pass"]]);
    expect(Object.keys(report.timings)).toEqual(["workspace", "index", "match", "generate", "verify", "publish", "total"]);
    for (const ms of Object.values(report.timings)) expect(ms).toBeGreaterThanOrEqual(0);
    expect(report.timings["verify"]).toBeGreaterThan(0);
    expect(report.timings["total"]).toBeGreaterThanOrEqual(report.timings["generate"]! + report.timings["verify"]!);
    expect(report.detail).toMatchObject({ address: "aws_s3_bucket.logs", repo: "acme/infra", file: "main.tf", generator: "rules" });
    expect(publisher.requests).toHaveLength(1);
    expect(workspace.held).toBe(0);
    const finished = log.lines().filter((l) => l.msg === "job finished");
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ outcome: { type: "pr-opened" }, attempt: 1, timings: { workspace: expect.any(Number) as number } });
    expect(await metrics.registry.getSingleMetricAsString("terrafix_job_duration_seconds")).toContain('outcome="pr-opened"');
  });

  it("adds a missing account-wide resource and publishes it as the target", async () => {
    const { deps, publisher } = setup({ "providers.tf": NO_POLICY_TF });
    const report = await run(ACCOUNT_FAILURE, deps);
    expect(report.outcome.type).toBe("pr-opened");
    expect(report.detail).toMatchObject({ address: "aws_iam_account_password_policy.this", missing: true });
    expect(publisher.requests[0]?.request.target).toMatchObject({ address: "aws_iam_account_password_policy.this", file: "iam-password-policy.tf", startLine: 1 });
  });

  it("ends with no-match as a value, publishing nothing", async () => {
    const { deps, publisher, workspace } = setup({ "main.tf": BUCKET_TF });
    const report = await run({ ...BUCKET_FAILURE, displayName: "not-in-this-code" }, deps);
    expect(report.outcome.type).toBe("no-match");
    expect(report.timings).not.toHaveProperty("generate");
    expect(publisher.requests).toEqual([]);
    expect(workspace.held).toBe(0);
  });

  it("answers ignored for a resource .terrafix.yml ignores", async () => {
    const { deps, publisher } = setup({ "main.tf": BUCKET_TF, ".terrafix.yml": "ignoreResources: [aws_s3_bucket.logs]\n" });
    expect((await run(BUCKET_FAILURE, deps)).outcome).toEqual({ type: "ignored", reason: ".terrafix.yml ignores aws_s3_bucket.logs" });
    expect(publisher.requests).toEqual([]);
  });

  it("fails an unmapped test under the rules generator as configuration, before any checkout", async () => {
    const { deps, workspace } = setup({ "main.tf": BUCKET_TF });
    const report = await run({ ...BUCKET_FAILURE, testId: "acme-custom-test" }, deps);
    expect(report.outcome).toMatchObject({ type: "failed", kind: "config", retryable: false });
    expect(workspace.acquired).toEqual([]);
  });

  it("turns a publisher error into a failed outcome with its kind and stage, and still releases", async () => {
    const { deps, publisher, workspace } = setup({ "main.tf": BUCKET_TF });
    publisher.error = new TerraFixError("GitHub answered 502", { kind: "transient", stage: "publish", status: 502 });
    const report = await run(BUCKET_FAILURE, deps);
    expect(report.outcome).toMatchObject({ type: "failed", kind: "transient", message: "GitHub answered 502", retryable: true });
    expect(report.detail).toMatchObject({ stage: "publish", status: 502 });
    expect(workspace.held).toBe(0);
  });

  it("stops at the stage where the signal aborts: nothing is published and the checkout is released", async () => {
    const controller = new AbortController();
    const { deps, publisher, workspace } = setup({ "main.tf": BUCKET_TF }, {
      loadState: () => {
        controller.abort(new Error("shutdown"));
        return Promise.resolve(undefined);
      },
    });
    const report = await run(BUCKET_FAILURE, deps, controller.signal);
    expect(report.outcome).toMatchObject({ type: "failed", message: "shutdown" });
    expect(report.timings).toHaveProperty("index");
    expect(report.timings).not.toHaveProperty("generate");
    expect(publisher.requests).toEqual([]);
    expect(workspace.acquired).toEqual(["acme/infra"]);
    expect(workspace.held).toBe(0);
  });
});
