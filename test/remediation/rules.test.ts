import { describe, expect, it } from "vitest";
import { generateRuleFix } from "../../src/remediation/rules.js";
import { verifyChange } from "../../src/remediation/verify.js";
import { contextOf, formatter, resource } from "../controls/helpers.js";

const BUCKET = `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket" "other" {
  bucket = "acme-other"
}
`;

describe("generateRuleFix", () => {
  it("combines several controls on one bucket into one change, in the repository's v4+ style", async () => {
    const ctx = await contextOf({ "main.tf": BUCKET });
    expect(ctx.awsProviderMajor).toBe(5);
    const result = generateRuleFix({ controlIds: ["s3-versioning", "s3-encryption", "s3-public-access-block"], target: resource(ctx, "aws_s3_bucket.data"), ctx });
    expect(result.type).toBe("change");
    if (result.type !== "change") return;
    expect(result.applied).toEqual(["s3-versioning", "s3-encryption", "s3-public-access-block"]);
    const after = result.change.files[0]?.after ?? "";
    // Inserted right after the target, before the next bucket; the other bucket is untouched.
    const data = after.indexOf('resource "aws_s3_bucket" "data"');
    const other = after.indexOf('resource "aws_s3_bucket" "other"');
    for (const t of ["aws_s3_bucket_versioning", "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_public_access_block"]) {
      const at = after.indexOf(`resource "${t}" "data"`);
      expect(at).toBeGreaterThan(data);
      expect(at).toBeLessThan(other);
    }
    expect(after.endsWith('resource "aws_s3_bucket" "other" {\n  bucket = "acme-other"\n}\n')).toBe(true);
    const report = await verifyChange({ change: result.change, controlIds: result.applied, targetAddress: "aws_s3_bucket.data", files: ctx.files }, formatter === undefined ? {} : { formatter });
    expect(report.passed).toBe(true);
  });

  it("repeats count on a split companion so every bucket instance gets one", async () => {
    const ctx = await contextOf({ "main.tf": `resource "aws_s3_bucket" "b" {\n  count  = length(var.names)\n  bucket = var.names[count.index]\n}\n` });
    const result = generateRuleFix({ controlIds: ["s3-versioning"], target: resource(ctx, "aws_s3_bucket.b"), ctx });
    expect(result.type === "change" && result.change.files[0]?.after).toContain("  count  = length(var.names)\n  bucket = aws_s3_bucket.b[count.index].id\n");
  });

  it("uses for_each over the bucket for a for_each bucket, and a free name when the bucket's is taken", async () => {
    const ctx = await contextOf({
      "main.tf": `resource "aws_s3_bucket" "b" {\n  for_each = toset(["x"])\n  bucket   = each.key\n}\n\nresource "aws_s3_bucket_versioning" "b" {\n  bucket = aws_s3_bucket.other.id\n  versioning_configuration {\n    status = "Enabled"\n  }\n}\n`,
    });
    const result = generateRuleFix({ controlIds: ["s3-versioning"], target: resource(ctx, "aws_s3_bucket.b"), ctx });
    const after = result.type === "change" ? (result.change.files[0]?.after ?? "") : "";
    expect(after).toContain('resource "aws_s3_bucket_versioning" "b_2" {\n  for_each = aws_s3_bucket.b\n  bucket   = each.value.id\n');
  });

  it("adds an account password policy when the account has none", async () => {
    const ctx = await contextOf({ "infra/providers.tf": 'provider "aws" {\n  region = "us-east-1"\n}\n' });
    const result = generateRuleFix({ controlIds: ["internal-password-policy-config"], ctx });
    expect(result.type).toBe("change");
    if (result.type !== "change") return;
    const file = result.change.files[0];
    expect(file?.path).toBe("infra/iam-password-policy.tf");
    expect(file?.before).toBe("");
    expect(file?.after).toContain('resource "aws_iam_account_password_policy" "this" {\n  minimum_password_length      = 14\n');
    const report = await verifyChange({ change: result.change, controlIds: ["iam-password-policy"], targetAddress: "aws_iam_account_password_policy.this", files: ctx.files });
    expect(report.checks.filter((c) => c.status === "fail")).toEqual([]);
    const fixed = await contextOf({ "infra/providers.tf": 'provider "aws" {}\n', "infra/iam-password-policy.tf": file?.after ?? "" });
    expect(generateRuleFix({ controlIds: ["iam-password-policy"], ctx: fixed }).type).toBe("already-compliant");
  });

  it("appends the password policy to an existing file of that name", async () => {
    const ctx = await contextOf({ "iam-password-policy.tf": "# account settings\n" });
    const result = generateRuleFix({ controlIds: ["iam-password-policy"], ctx });
    expect(result.type === "change" && result.change.files[0]?.after.startsWith("# account settings\n\nresource")).toBe(true);
  });

  it.each([
    [["no-such-control"], "aws_s3_bucket.data", "unsupported", "no rule-based control covers no-such-control"],
    [["rds-multi-az"], "aws_s3_bucket.data", "unsupported", "rds-multi-az does not apply to aws_s3_bucket"],
    [["s3-access-logging"], "aws_s3_bucket.data", "unsupported", "no log destination bucket"],
    [["s3-encryption"], "aws_s3_bucket.enc", "already-compliant", "already has default encryption"],
    [["s3-versioning"], "aws_s3_bucket.varv", "unsupported", "from an expression"],
  ])("%s on %s → %s", async (controlIds, address, type, reason) => {
    const ctx = await contextOf({
      "main.tf": `${BUCKET}\nresource "aws_s3_bucket" "enc" {\n  server_side_encryption_configuration {\n    rule {\n      apply_server_side_encryption_by_default {\n        sse_algorithm = "AES256"\n      }\n    }\n  }\n}\n\nresource "aws_s3_bucket" "varv" {\n  versioning {\n    enabled = var.versioning\n  }\n}\n`,
    });
    const result = generateRuleFix({ controlIds, target: resource(ctx, address), ctx });
    expect(result.type).toBe(type);
    expect(result.type !== "change" && result.reason).toContain(reason);
  });

  it("never fixes a data source", async () => {
    const ctx = await contextOf({ "main.tf": 'data "aws_s3_bucket" "d" {\n  bucket = "x"\n}\n' });
    const result = generateRuleFix({ controlIds: ["s3-versioning"], target: resource(ctx, "data.aws_s3_bucket.d"), ctx });
    expect(result.type === "unsupported" && result.reason).toContain("is a data source");
  });

  it("reports a control it skipped next to the ones it applied", async () => {
    const ctx = await contextOf({ "main.tf": BUCKET });
    const result = generateRuleFix({ controlIds: ["s3-versioning", "s3-access-logging"], target: resource(ctx, "aws_s3_bucket.data"), ctx });
    expect(result.type === "change" && result.skipped.map((s) => s.controlId)).toEqual(["s3-access-logging"]);
  });

  it("skips a control whose edit overlaps an earlier one", async () => {
    const ctx = await contextOf({
      "sg.tf": `resource "aws_security_group" "sg" {\n  name = "sg"\n\n  ingress {\n    from_port   = 0\n    to_port     = 65535\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0", "10.0.0.0/8"]\n  }\n}\n`,
    });
    // Both controls rewrite the same cidr_blocks value: identical edits are merged, not doubled.
    const result = generateRuleFix({ controlIds: ["sg-ssh-restricted", "sg-rdp-restricted"], target: resource(ctx, "aws_security_group.sg"), ctx });
    expect(result.type).toBe("change");
    if (result.type !== "change") return;
    expect(result.applied).toEqual(["sg-ssh-restricted", "sg-rdp-restricted"]);
    expect(result.change.files[0]?.after).toContain('cidr_blocks = ["10.0.0.0/8"]');
  });

  it("keeps every other rule of the group when it removes an open one", async () => {
    const ctx = await contextOf({
      "sg.tf": `resource "aws_security_group" "sg" {\n  name = "sg"\n\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n\n  ingress {\n    from_port       = 22\n    to_port         = 22\n    protocol        = "tcp"\n    security_groups = [aws_security_group.bastion.id]\n  }\n\n  ingress {\n    from_port        = 3389\n    to_port          = 3389\n    protocol         = "tcp"\n    ipv6_cidr_blocks = ["::/0"]\n    cidr_blocks      = ["0.0.0.0/0"]\n    security_groups  = [aws_security_group.bastion.id]\n  }\n}\n`,
    });
    const result = generateRuleFix({ controlIds: ["sg-ssh-restricted", "sg-rdp-restricted"], target: resource(ctx, "aws_security_group.sg"), ctx });
    expect(result.type).toBe("change");
    if (result.type !== "change") return;
    const after = result.change.files[0]?.after ?? "";
    expect(after).toBe(
      `resource "aws_security_group" "sg" {\n  name = "sg"\n\n  ingress {\n    from_port       = 22\n    to_port         = 22\n    protocol        = "tcp"\n    security_groups = [aws_security_group.bastion.id]\n  }\n\n  ingress {\n    from_port       = 3389\n    to_port         = 3389\n    protocol        = "tcp"\n    security_groups = [aws_security_group.bastion.id]\n  }\n}\n`,
    );
  });
});

describe.skipIf(formatter === undefined)("rule fixes and terraform fmt (needs terraform on PATH)", () => {
  const SG = `resource "aws_security_group" "sg" {\n  name = "sg"\n\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n\n  ingress {\n    from_port       = 22\n    to_port         = 22\n    protocol        = "tcp"\n    security_groups = [aws_security_group.bastion.id]\n  }\n}\n`;
  it.each([
    ["companions of a v4+ bucket", { "main.tf": BUCKET }, ["s3-versioning", "s3-encryption", "s3-public-access-block"], "aws_s3_bucket.data"],
    ["a new password policy file", { "infra/providers.tf": 'provider "aws" {}\n' }, ["internal-password-policy-config"], undefined],
    ["a security group with an open rule removed", { "sg.tf": SG }, ["sg-ssh-restricted"], "aws_security_group.sg"],
  ] as const)("writes %s as terraform fmt would", async (_title, files, controlIds, address) => {
    const ctx = await contextOf(files);
    const result = generateRuleFix({ controlIds: [...controlIds], ...(address === undefined ? {} : { target: resource(ctx, address) }), ctx });
    const changed = result.type === "change" ? result.change.files : [];
    expect(changed.length).toBeGreaterThan(0);
    for (const file of changed) expect(await formatter?.(file.after)).toBe(file.after);
  });
});
