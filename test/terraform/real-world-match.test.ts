import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ResourceIdentity } from "../../src/domain/failure.js";
import { indexRepository, type RepositoryIndex } from "../../src/terraform/index.js";
import { MATCH_THRESHOLD, matchResource } from "../../src/terraform/match.js";
import { FIXTURES } from "./helpers.js";

/**
 * Idioms of public Terraform (fixture written here in their style, no corpus code): names from
 * data sources and random_* resources, variables with validation, default_tags per alias,
 * listener/alias relations, the same module block in two root modules, count = 0, empty for_each.
 */
const A = "123456789012";
let index: RepositoryIndex;

beforeAll(async () => {
  index = await indexRepository(join(FIXTURES, "idioms"));
});

describe("typed unknowns make specific patterns matches when nothing else can produce the name", () => {
  it.each<[string, ResourceIdentity, string, RegExp]>([
    ["account id from aws_caller_identity (12 digits)", { kind: "S3 bucket", name: `${A}-acme-dev-data` }, "aws_s3_bucket.data", /<account id>-acme-dev-data/],
    ["the failure's account fills the hole", { arn: `arn:aws:s3:::${A}-acme-prod-data`, account: A }, "aws_s3_bucket.data", /with the account id from the failure \(with prod\.tfvars\)/],
    ["random_id hex of byte_length 4 = 8 hex digits", { kind: "S3 bucket", name: "app-artifacts-0a1b2c3d" }, "aws_s3_bucket.artifacts", /<random_id hex 8>/],
    ["random_string lower+digits, length 6", { arn: `arn:aws:sqs:us-east-1:${A}:jobs-a1b2c3` }, "aws_sqs_queue.jobs", /<random_string 6>/],
    ["random_pet of two words", { arn: `arn:aws:sns:us-east-1:${A}:alerts-brave-otter` }, "aws_sns_topic.alerts", /<random_pet 2>/],
    ["variable validated by regex", { arn: `arn:aws:dynamodb:us-east-1:${A}:table/sessions-0fa93c` }, "aws_dynamodb_table.sessions", /<var\.deploy_id>/],
    ["variable validated by contains()", { arn: `arn:aws:dynamodb:us-east-1:${A}:table/ledger-gold` }, "aws_dynamodb_table.ledger", /gold\|silver/],
    ["region from aws_region, filled by the ARN", { arn: `arn:aws:logs:us-east-1:${A}:log-group:/app/us-east-1/prod` }, "aws_cloudwatch_log_group.app", /with the region from the failure/],
    ["partition from aws_partition", { arn: `arn:aws:iam::${A}:role/ci-aws-deployer` }, "aws_iam_role.ci", /with the partition from the failure/],
    ["audit provider alias region", { kind: "S3 bucket", name: `audit-trail-${A}` }, "aws_s3_bucket.audit", /audit-trail-<account id>/],
  ])("%s", (_label, identity, address, reason) => {
    const result = matchResource(index, identity);
    expect(result.status).toBe("matched");
    expect(result.candidates[0]?.address).toBe(address);
    expect(result.candidates[0]?.reasons.join("\n")).toMatch(reason);
    expect(result.candidates[0]?.reasons.join("\n")).toMatch(/no other block in the repository/);
  });
});

describe("negative cases stay negative", () => {
  it.each<[string, ResourceIdentity]>([
    ["a name nobody defines", { kind: "S3 bucket", name: `${A}-acme-dev-backups` }],
    ["the account hole is 12 digits", { kind: "S3 bucket", name: "prod-acme-dev-data" }],
    ["random_id hex has 8 digits, not 6", { kind: "S3 bucket", name: "app-artifacts-0a1b2c" }],
    ["random_string has no upper case", { arn: `arn:aws:sqs:us-east-1:${A}:jobs-A1B2C3` }],
    ["random_pet gives two words, not three", { arn: `arn:aws:sns:us-east-1:${A}:alerts-very-brave-otter` }],
    ["regex validation rules out the value", { arn: `arn:aws:dynamodb:us-east-1:${A}:table/sessions-zzzzzz` }],
    ["contains() rules out the value", { arn: `arn:aws:dynamodb:us-east-1:${A}:table/ledger-bronze` }],
    ["same name on another kind", { kind: "SQS queue", name: `${A}-acme-dev-data` }],
    ["same module block in two root modules", { kind: "S3 bucket", name: "shared-logs" }],
    ["an untyped hole that swallows most of the name", { kind: "S3 bucket", name: "a-very-long-generated-name-x" }],
    ["count = 0 creates nothing", { kind: "S3 bucket", name: "disabled-bucket" }],
    ["empty for_each creates nothing", { kind: "S3 bucket", name: "team-core" }],
    ["the audit bucket is in eu-west-1", { arn: `arn:aws:s3:::audit-trail-${A}`, region: "us-east-1" }],
    ["a region hole filled by another region", { arn: `arn:aws:logs:eu-west-1:${A}:log-group:/app/us-east-1/prod` }],
  ])("%s", (_label, identity) => {
    const result = matchResource(index, identity);
    expect(result.status).not.toBe("matched");
    // Below the threshold, or tied with another candidate (two exact names): never one confident answer.
    const [top, second] = result.candidates;
    if (top !== undefined && top.confidence >= MATCH_THRESHOLD) expect(second?.confidence).toBe(top.confidence);
  });

  it("reports both root modules for the same address", () => {
    const result = matchResource(index, { kind: "S3 bucket", name: "shared-logs" });
    expect(result.status).toBe("ambiguous");
    expect(result.candidates.map((c) => c.root).sort()).toEqual(["envs/prod", "envs/staging"]);
  });
});

describe("environments, default_tags and related blocks", () => {
  it("matches under the variable defaults and names the value set of tfvars", () => {
    const dev = matchResource(index, { arn: `arn:aws:elasticloadbalancing:us-east-1:${A}:loadbalancer/app/web-dev/50dc6c495c0c9188` });
    expect(dev.candidates[0]?.reasons.join("\n")).toMatch(/name = "web-dev" \(with variable defaults\)/);
    const prod = matchResource(index, { arn: `arn:aws:elasticloadbalancing:us-east-1:${A}:loadbalancer/app/web-prod/50dc6c495c0c9188` });
    expect(prod.candidates[0]?.reasons.join("\n")).toMatch(/name = "web-prod" \(with prod\.tfvars\)/);
  });

  it.each<[string, Record<string, string>, "matched" | "no-match"]>([
    ["a default tag that agrees is evidence", { team: "payments" }, "matched"],
    ["a default tag that contradicts rules the block out", { team: "audit" }, "no-match"],
    ["a resource tag wins over the default tag", { owner: "ledger" }, "matched"],
  ])("%s", (_label, tags, status) => {
    expect(matchResource(index, { kind: "S3 bucket", name: `${A}-acme-dev-data`, tags }).status).toBe(status);
  });

  it("uses the alias's default_tags for resources on that provider", () => {
    expect(matchResource(index, { kind: "S3 bucket", name: `audit-trail-${A}`, tags: { team: "audit" } }).status).toBe("matched");
    expect(matchResource(index, { kind: "S3 bucket", name: `audit-trail-${A}`, tags: { team: "payments" } }).status).toBe("no-match");
  });

  it("finds a listener through the load balancer its ARN names", () => {
    const result = matchResource(index, { arn: `arn:aws:elasticloadbalancing:us-east-1:${A}:listener/app/web-prod/50dc6c495c0c9188/f2f7dc8efc522ab2` });
    expect(result.status).toBe("matched");
    expect(result.candidates[0]?.address).toBe("aws_lb_listener.http");
    expect(result.candidates[0]?.reasons[0]).toMatch(/listener of aws_lb\.web/);
  });

  it("finds a KMS key through its alias", () => {
    const result = matchResource(index, { kind: "KMS key", name: "alias/app-dev" });
    expect(result.status).toBe("matched");
    expect(result.candidates[0]?.address).toBe("aws_kms_key.main");
    expect(result.candidates[0]?.reasons[0]).toMatch(/aliased by aws_kms_alias\.main/);
  });
});
