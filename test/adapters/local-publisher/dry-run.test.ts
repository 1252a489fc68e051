import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDryRunScm, dryRunFileName } from "../../../src/adapters/local-publisher/dry-run.js";
import { createPublishStage } from "../../../src/pipeline/publish/index.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { parseMarker } from "../../../src/domain/proposal.js";
import { failure, request, stageOptions } from "../github/fixtures.js";

function createDryRunPublisher(options: { dir: string; logger: ReturnType<typeof silentLogger> }): ReturnType<typeof createPublishStage> {
  return createPublishStage(createDryRunScm(options), stageOptions());
}

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "terrafix-dry-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("dry-run publisher", () => {
  it("writes one JSON record with exactly the contract fields, plus the body as Markdown", async () => {
    const req = request();

    const outcome = await createDryRunPublisher({ dir: join(dir, "out"), logger: silentLogger() }).publish(req);

    const path = join(dir, "out", `${dryRunFileName(req.failure.testId, req.key)}.json`);
    expect(outcome).toEqual({ type: "dry-run", path });
    const record = JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
    expect(Object.keys(record)).toEqual(["key", "testId", "resource", "address", "file", "branch", "title", "body", "diff"]);
    expect(record).toMatchObject({ key: req.key, testId: "s3-bucket-encryption", resource: "arn:aws:s3:::acme-logs", address: "aws_s3_bucket.acme_logs", file: "main.tf", branch: req.branch, title: "fix(aws_s3_bucket.acme_logs): S3 buckets are encrypted at rest" });
    expect(parseMarker(record.body)?.key).toBe(req.key);
    expect(record.diff).toContain("+++ b/encryption-acme-logs.tf");
    expect(readFileSync(path.replace(/\.json$/, ".md"), "utf8")).toBe(`# ${record.title}\n\n${record.body}`);
  });

  it("is idempotent: the same key rewrites the same files, another key adds its own", async () => {
    const publisher = createDryRunPublisher({ dir, logger: silentLogger() });
    await publisher.publish(request());
    await publisher.publish(request({ variant: "aws:kms" }));
    expect(readdirSync(dir)).toHaveLength(2);

    await publisher.publish(request({ failure: failure({ displayName: "other", arn: "arn:aws:s3:::other" }) }));
    expect(readdirSync(dir).sort()).toHaveLength(4);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("is the policy over a recorder: it reads nothing and records the calls in order", async () => {
    const scm = createDryRunScm({ dir, logger: silentLogger() });
    await createPublishStage(scm, stageOptions()).publish(request());
    expect(scm.calls.map((c) => c.method)).toEqual(["base", "writeBranch", "openPull"]);
  });

  it("reports an unwritable folder as a configuration error", async () => {
    await createDryRunPublisher({ dir, logger: silentLogger() }).publish(request());
    const existingFile = join(dir, readdirSync(dir)[0]!);
    await expect(createDryRunPublisher({ dir: join(existingFile, "sub"), logger: silentLogger() }).publish(request())).rejects.toMatchObject({ kind: "config" });
  });
});
