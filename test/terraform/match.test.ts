import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ResourceIdentity } from "../../src/domain/failure.js";
import { indexRepository, type RepositoryIndex } from "../../src/terraform/index.js";
import { matchAcrossRepositories, matchResource, matchResourceValidated } from "../../src/terraform/match.js";
import { loadTerraformState, type TerraformState } from "../../src/terraform/state.js";
import { FIXTURES } from "./helpers.js";

const ACCOUNT = "123456789012";
const arn = (service: string, resource: string, region = "us-east-1"): string => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;

let index: RepositoryIndex;
let lazy: RepositoryIndex;
let noAccount: RepositoryIndex;
let showState: TerraformState;
let rawState: TerraformState;

beforeAll(async () => {
  index = await indexRepository(join(FIXTURES, "basic"));
  lazy = await indexRepository(join(FIXTURES, "basic"), { validation: "lazy" });
  noAccount = await indexRepository(join(FIXTURES, "no-account"));
  showState = loadTerraformState(await readFile(join(FIXTURES, "states", "show.json"), "utf8"));
  rawState = loadTerraformState(await readFile(join(FIXTURES, "states", "raw.tfstate"), "utf8"));
});

const MATCHED: [string, ResourceIdentity, string, RegExp][] = [
    ["name through locals and tfvars", { arn: "arn:aws:s3:::acme-prod-logs" }, "aws_s3_bucket.logs", /bucket = "acme-prod-logs"/],
    ["kind text and name", { kind: "S3 bucket", name: "acme-prod-logs" }, "aws_s3_bucket.logs", /bucket =/],
    ["CloudFormation type", { kind: "AWS::S3::Bucket", name: "data-0" }, "aws_s3_bucket.counted", /instance \[0\]/],
    ["count.index", { arn: "arn:aws:s3:::data-1" }, "aws_s3_bucket.counted", /instance \[1\]/],
    ["for_each over a set", { arn: "arn:aws:s3:::replica-eu-west-1" }, "aws_s3_bucket.regional", /instance \["eu-west-1"\]/],
    ["for_each over a map with format()", { arn: "arn:aws:s3:::map-beta" }, "aws_s3_bucket.by_map", /instance \["b"\]/],
    ["bucket_prefix", { arn: "arn:aws:s3:::tmp-prod-20261202070501123400000001" }, "aws_s3_bucket.prefixed", /bucket_prefix "tmp-prod-<generated>"/],
    ["lower/replace/join/upper", { arn: "arn:aws:s3:::shaped-x-bucket" }, "aws_s3_bucket.shaped", /shaped-x-bucket/],
    ["data source hole filled by the account", { arn: "arn:aws:s3:::audit-123456789012", account: ACCOUNT }, "aws_s3_bucket.audit", /with the account id/],
    ["legacy 0.11 interpolation", { arn: "arn:aws:s3:::legacy-bucket" }, "aws_s3_bucket.legacy", /legacy-bucket/],
    ["local module input", { arn: "arn:aws:s3:::app-prod-logs" }, "module.logging.aws_s3_bucket.this", /module\.logging/],
    ["nested local modules", { arn: "arn:aws:s3:::app-prod-archive" }, "module.logging.module.archive.aws_s3_bucket.this", /app-prod-archive/],
    ["three deep with upper()", { arn: arn("sns", "APP-PROD-ARCHIVE-topic") }, "module.logging.module.archive.module.deep.aws_sns_topic.this", /name =/],
    ["explicit tfvars variant", { arn: "arn:aws:s3:::staging-app-data" }, "aws_s3_bucket.data", /with staging\.tfvars/],
    ["RDS instance via variable default overridden by tfvars", { arn: arn("rds", "db:main-prod") }, "aws_db_instance.main", /identifier/],
    ["DocumentDB cluster in the rds namespace", { arn: arn("rds", "cluster:catalog") }, "aws_docdb_cluster.catalog", /cluster_identifier/],
    ["Neptune cluster", { arn: arn("rds", "cluster:graph") }, "aws_neptune_cluster.graph", /graph/],
    ["shared name told apart by kind", { arn: arn("rds", "cluster:shared"), kind: "DocumentDB cluster" }, "aws_docdb_cluster.shared", /shared/],
    ["shared name told apart by Terraform type", { arn: arn("rds", "cluster:shared"), kind: "aws_rds_cluster" }, "aws_rds_cluster.shared", /shared/],
    ["Name tag inside merge()", { arn: arn("ec2", "security-group/sg-0abc"), name: "web-sg" }, "aws_security_group.web", /Name tag = "web-sg"/],
    ["security group by its name attribute", { kind: "AWS::EC2::SecurityGroup", name: "db" }, "aws_security_group.db", /name = "db"/],
    ["yor_trace", { kind: "EC2 instance", name: "i-1", tags: { yor_trace: "6f1c2f0e-1111-4a55-9d3c-4b1f0a0b0c0d" } }, "aws_instance.app", /yor_trace/],
    ["git_file + git_repo only (one block carries them)", { kind: "EC2 instance", tags: { git_file: "network.tf", git_repo: "infra" } }, "aws_instance.worker", /git_file\/git_repo tags/],
    ["git_file + git_repo + yor_name", { kind: "AWS::EC2::Instance", tags: { git_file: "network.tf", git_repo: "infra", yor_name: "worker" } }, "aws_instance.worker", /git_file/],
    [".tf.json", { arn: arn("sqs", "jobs-prod") }, "aws_sqs_queue.jobs", /jobs-prod/],
    ["log group after non-ASCII comments", { arn: arn("logs", "log-group:/app/prod:*") }, "aws_cloudwatch_log_group.app", /\/app\/prod/],
    ["IAM policy after a heredoc", { arn: `arn:aws:iam::${ACCOUNT}:policy/reader` }, "aws_iam_policy.reader", /reader/],
    ["registry s3-bucket module", { arn: "arn:aws:s3:::acme-assets" }, "module.assets", /terraform-aws-modules\/s3-bucket\/aws input bucket/],
    ["registry security-group module", { kind: "Security group", name: "web-public" }, "module.web_sg", /input name/],
    ["registry rds module", { arn: arn("rds", "db:orders-db") }, "module.db", /input identifier/],
    ["registry vpc module from git", { kind: "VPC", name: "main" }, "module.vpc", /input name/],
    ["registry iam-user submodule", { arn: `arn:aws:iam::${ACCOUNT}:user/deployer` }, "module.deployer", /iam-user input name/],
    ["account-level password policy", { kind: "AWS account", name: `account-${ACCOUNT}` }, "aws_iam_account_password_policy.strict", /account-level/],
];

describe("matchResource: matched", () => {
  it.each(MATCHED)("%s", (_label, identity, address, reason) => {
    const result = matchResource(index, identity);
    expect(result.status).toBe("matched");
    expect(result.candidates[0]?.address).toBe(address);
    expect(result.candidates[0]?.reasons.join("\n")).toMatch(reason);
    expect(result.candidates[0]?.confidence).toBeGreaterThanOrEqual(0.75);
  });

  it("carries the module call for registry modules and the resource otherwise", () => {
    const viaModule = matchResource(index, { arn: "arn:aws:s3:::acme-assets" }).candidates[0];
    expect(viaModule?.moduleCall?.source).toBe("terraform-aws-modules/s3-bucket/aws");
    expect(viaModule?.resource).toBeUndefined();
    const direct = matchResource(index, { arn: "arn:aws:s3:::acme-prod-logs" }).candidates[0];
    expect(direct).toMatchObject({ file: "s3.tf", startLine: 1, endLine: 4 });
    expect(direct?.resource?.type).toBe("aws_s3_bucket");
  });
});

describe("lazy validation: tree-sitter index, hcl2json on the files used", () => {
  it.each(MATCHED)("%s", async (_label, identity, address, reason) => {
    const result = await matchResourceValidated(lazy, identity);
    expect(result.status).toBe("matched");
    expect(result.candidates[0]?.address).toBe(address);
    expect(result.candidates[0]?.reasons.join("\n")).toMatch(reason);
  });
});

describe("matchResource: ambiguous and no-match", () => {
  it.each<[string, ResourceIdentity, "ambiguous" | "no-match", string[], RegExp]>([
    ["same name in RDS and DocumentDB", { arn: arn("rds", "cluster:shared") }, "ambiguous", ["aws_docdb_cluster.shared", "aws_rds_cluster.shared"], /close evidence/],
    ["security group without tags or state", { arn: arn("ec2", "security-group/sg-0abc") }, "ambiguous", ["aws_security_group.db", "aws_security_group.web"], /generated id/],
    ["an account-id hole needs 12 digits", { arn: "arn:aws:s3:::audit-999" }, "no-match", [], /no Terraform block/],
    ["nothing of that name", { arn: "arn:aws:s3:::nothing-here" }, "no-match", [], /no Terraform block/],
    ["broken file is never matched", { arn: "arn:aws:s3:::never-indexed" }, "no-match", [], /no Terraform block/],
    ["conflicting trace tag rules a block out", { kind: "EC2 instance", tags: { yor_trace: "other" } }, "ambiguous", ["aws_instance.worker"], /generated id/],
    ["conflicting ordinary tag", { kind: "S3 bucket", name: "acme-prod-logs", tags: { team: "data" } }, "no-match", [], /no Terraform block/],
    ["garbage ARN", { arn: "arn:aws:nope" }, "no-match", [], /invalid ARN/],
    ["ARN and kind disagree", { arn: "arn:aws:s3:::acme-prod-logs", kind: "Lambda function" }, "no-match", [], /disagree/],
    ["unknown kind", { kind: "Flux capacitor", name: "x" }, "no-match", [], /unknown resource kind/],
  ])("%s", (_label, identity, status, addresses, reason) => {
    const result = matchResource(index, identity);
    expect(result.status).toBe(status);
    expect(result.candidates.map((c) => c.address).sort()).toEqual(addresses);
    expect(result.reason).toMatch(reason);
  });

  it("answers missing (to be added), not no-match, when no account-level resource exists", () => {
    const result = matchResource(noAccount, { kind: "AWS account", name: "account-1" });
    expect(result).toMatchObject({ status: "missing", candidates: [], missing: ["aws_iam_account_password_policy"] });
    expect(result.reason).toMatch(/no account-level resource \(aws_iam_account_password_policy\) is defined in this repository: it must be added/);
  });

  it("gives ambiguous, not a guess, for several account-level blocks", () => {
    const twice = { ...index, resources: [...index.resources, ...index.resources.filter((r) => r.type === "aws_iam_account_password_policy").map((r) => ({ ...r, file: "other.tf" }))] };
    expect(matchResource(twice, { kind: "AWS account" }).status).toBe("ambiguous");
  });

  it("takes a Terraform type as the kind, and any aws_ type by its name attribute", () => {
    expect(matchResource(index, { kind: "aws_security_group", name: "db-sg" }).candidates[0]?.address).toBe("aws_security_group.db");
    const other = matchResource(index, { kind: "aws_s3_bucket_versioning", name: "nothing" });
    expect(other.status).toBe("no-match");
  });
});

describe("matchResource with state", () => {
  it.each<[string, TerraformState | "show" | "raw", ResourceIdentity, string, RegExp]>([
    ["show -json: security group by ARN", "show", { arn: arn("ec2", "security-group/sg-0123456789abcdef0") }, "aws_security_group.web", /state: aws_security_group.web has this arn/],
    ["show -json: registry module resource", "show", { arn: "arn:aws:s3:::acme-assets-x1" }, "module.assets", /inside module terraform-aws-modules\/s3-bucket/],
    ["raw tfstate: instance id", "raw", { arn: arn("ec2", "instance/i-0abc") }, "aws_instance.worker", /state: aws_instance.worker/],
    ["raw tfstate: module instance keys stripped", "raw", { arn: "arn:aws:s3:::app-prod-logs" }, "module.logging.aws_s3_bucket.this", /module.logging\["a"\].aws_s3_bucket.this\["k"\]/],
  ])("%s", (_label, which, identity, address, reason) => {
    const state = which === "show" ? showState : which === "raw" ? rawState : which;
    const result = matchResource(index, identity, { state });
    expect(result.status).toBe("matched");
    expect(result.candidates[0]?.address).toBe(address);
    expect(result.candidates[0]?.reasons.join("\n")).toMatch(reason);
  });

  it("reads both formats", () => {
    expect(showState.instances.map((i) => i.fullAddress)).toEqual(["aws_security_group.web", "data.aws_caller_identity.current", "module.assets.aws_s3_bucket.this[0]"]);
    expect(rawState.instances[1]).toMatchObject({ address: "module.logging.aws_s3_bucket.this", indexKey: "k", mode: "managed" });
  });

  it.each([["not json", /not JSON/], ["[]", /not a JSON object/], ['{"version": 4}', /neither/]])("rejects %s", (text, message) => {
    expect(() => loadTerraformState(text)).toThrow(message);
  });
});

describe("matchAcrossRepositories", () => {
  it("matches in the one repository that defines the resource", () => {
    const result = matchAcrossRepositories([{ repo: "acme/basic", index }, { repo: "acme/other", index: noAccount }], { arn: "arn:aws:s3:::acme-prod-logs" });
    expect(result).toMatchObject({ status: "matched", conflicts: [] });
    expect(result.candidates[0]).toMatchObject({ repo: "acme/basic", address: "aws_s3_bucket.logs" });
  });

  it("reports a conflict when several repositories match", () => {
    const result = matchAcrossRepositories([{ repo: "a/one", index }, { repo: "a/two", index }], { arn: "arn:aws:s3:::acme-prod-logs" });
    expect(result.status).toBe("ambiguous");
    expect(result.conflicts).toEqual(["a/one", "a/two"]);
    expect(result.reason).toMatch(/2 repositories/);
  });

  it("passes ambiguity and no-match through", () => {
    expect(matchAcrossRepositories([{ repo: "a/one", index }], { arn: arn("rds", "cluster:shared") }).status).toBe("ambiguous");
    expect(matchAcrossRepositories([{ repo: "a/one", index }, { repo: "a/two", index: noAccount }], { arn: "arn:aws:s3:::zzz-none" })).toMatchObject({ status: "no-match", candidates: [] });
  });
});

describe("regions from provider blocks", () => {
  let regions: RepositoryIndex;
  beforeAll(async () => {
    regions = await indexRepository(join(FIXTURES, "regions"));
  });

  it.each([
    ["us-east-1", "envs/us/main.tf", "aws_sqs_queue.jobs"],
    ["us-west-2", "envs/us/main.tf", "aws_sqs_queue.replica"],
    ["eu-west-1", "envs/eu/main.tf", "aws_sqs_queue.jobs"],
  ])("the same name in %s is told apart by the provider's region", (region, file, address) => {
    const result = matchResource(regions, { arn: `arn:aws:sqs:${region}:${ACCOUNT}:jobs` });
    expect(result.status).toBe("matched");
    expect(result.candidates).toHaveLength(1);
    expect(result.candidates[0]).toMatchObject({ file, address });
  });

  it("is ambiguous without a region and finds nothing in a region no provider uses", () => {
    expect(matchResource(regions, { kind: "SQS queue", name: "jobs" }).candidates).toHaveLength(3);
    expect(matchResource(regions, { arn: `arn:aws:sqs:ap-south-1:${ACCOUNT}:jobs` }).status).toBe("no-match");
  });
});
