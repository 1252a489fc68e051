import { describe, expect, it } from "vitest";
import { allControls, controlById, controlsForResourceType, controlsForTest, parseTestMappings } from "../../src/controls/catalogue.js";
import { detectAwsProviderMajor } from "../../src/controls/context.js";
import type { CheckResult } from "../../src/controls/types.js";
import { parseHclFile } from "../../src/terraform/parse.js";
import { contextOf, resource } from "./helpers.js";

const SG = (ingress: string): string => `resource "aws_security_group" "sg" {\n  name = "sg"\n  ${ingress}\n}\n`;

const CASES: [string, string, string, CheckResult][] = [
  ["s3-versioning", "aws_s3_bucket.b", `resource "aws_s3_bucket" "b" {\n  versioning {\n    enabled = var.on\n  }\n}\n`, "unknown"],
  ["s3-versioning", "aws_s3_bucket.b", `resource "aws_s3_bucket" "b" {\n  bucket = "lit"\n}\nresource "aws_s3_bucket_versioning" "v" {\n  bucket = "lit"\n  versioning_configuration {\n    status = "Enabled"\n  }\n}\n`, "pass"],
  ["s3-versioning", "aws_s3_bucket.b", `resource "aws_s3_bucket" "b" {\n  for_each = toset(["a"])\n}\nresource "aws_s3_bucket_versioning" "v" {\n  for_each = aws_s3_bucket.b\n  bucket   = each.value.id\n  versioning_configuration {\n    status = "Enabled"\n  }\n}\n`, "pass"],
  ["s3-versioning", "aws_s3_bucket.b", `resource "aws_s3_bucket" "b" {\n  count = 2\n}\nresource "aws_s3_bucket_versioning" "v" {\n  count  = 2\n  bucket = aws_s3_bucket.b[count.index].id\n  versioning_configuration {\n    status = "Enabled"\n  }\n}\n`, "pass"],
  ["s3-encryption", "aws_s3_bucket.b", `resource "aws_s3_bucket" "b" {\n  server_side_encryption_configuration {\n    rule {\n      apply_server_side_encryption_by_default {\n        sse_algorithm = "aws:kms"\n      }\n    }\n  }\n}\n`, "pass"],
  ["s3-encryption-kms", "aws_s3_bucket.b", `resource "aws_s3_bucket" "b" {\n  server_side_encryption_configuration {\n    rule {\n      apply_server_side_encryption_by_default {\n        sse_algorithm = "AES256"\n      }\n    }\n  }\n}\n`, "fail"],
  ["s3-public-access-block", "aws_s3_bucket.b", `resource "aws_s3_bucket" "b" {}\nresource "aws_s3_bucket_public_access_block" "p" {\n  bucket              = aws_s3_bucket.b.id\n  block_public_acls   = true\n  block_public_policy = var.x\n}\n`, "unknown"],
  ["s3-public-access-block", "aws_s3_bucket.b", `resource "aws_s3_bucket" "b" {}\nresource "aws_s3_bucket_public_access_block" "p" {\n  bucket = aws_s3_bucket.other.id\n  block_public_acls   = true\n  block_public_policy = true\n}\n`, "fail"],
  ["s3-access-logging", "aws_s3_bucket.b", `resource "aws_s3_bucket" "b" {}\nresource "aws_s3_bucket_logging" "l" {\n  bucket        = aws_s3_bucket.b.id\n  target_bucket = "logs"\n}\n`, "pass"],
  ["rds-not-public", "aws_db_instance.d", `resource "aws_db_instance" "d" {}\n`, "pass"],
  ["rds-storage-encrypted", "aws_db_instance.d", `resource "aws_db_instance" "d" {\n  storage_encrypted = var.enc\n}\n`, "unknown"],
  ["rds-storage-encrypted", "aws_db_instance.d", `resource "aws_db_instance" "d" {\n  storage_encrypted = "true"\n}\n`, "pass"],
  ["rds-backup-retention", "aws_db_instance.d", `resource "aws_db_instance" "d" {\n  backup_retention_period = 14\n}\n`, "pass"],
  ["log-group-retention", "aws_cloudwatch_log_group.g", `resource "aws_cloudwatch_log_group" "g" {\n  retention_in_days = 0\n}\n`, "pass"],
  ["kms-rotation", "aws_kms_key.k", `resource "aws_kms_key" "k" {\n  customer_master_key_spec = "RSA_2048"\n}\n`, "unknown"],
  ["kms-rotation", "aws_kms_key.k", `resource "aws_kms_key" "k" {\n  customer_master_key_spec = "SYMMETRIC_DEFAULT"\n  enable_key_rotation      = true\n}\n`, "pass"],
  ["ec2-imdsv2", "aws_instance.i", `resource "aws_instance" "i" {\n  metadata_options {\n    http_endpoint = "disabled"\n  }\n}\n`, "pass"],
  ["ec2-imdsv2", "aws_instance.i", `resource "aws_instance" "i" {}\n`, "fail"],
  ["ec2-imdsv2", "aws_instance.i", `resource "aws_instance" "i" {\n  metadata_options {\n    http_tokens = var.t\n  }\n}\n`, "unknown"],
  ["ec2-imdsv2", "aws_instance.i", `resource "aws_instance" "i" {\n  metadata_options {\n    http_endpoint = var.e\n    http_tokens   = "optional"\n  }\n}\n`, "unknown"],
  ["alb-https-redirect", "aws_lb_listener.l", `resource "aws_lb_listener" "l" {\n  protocol = "HTTPS"\n}\n`, "pass"],
  ["alb-https-redirect", "aws_lb_listener.l", `resource "aws_lb_listener" "l" {\n  protocol = var.p\n}\n`, "unknown"],
  ["alb-https-redirect", "aws_lb_listener.l", `resource "aws_lb_listener" "l" {\n  default_action {\n    type = "redirect"\n    redirect {\n      protocol = "HTTPS"\n    }\n  }\n}\n`, "pass"],
  ["alb-https-redirect", "aws_alb_listener.l", `resource "aws_alb_listener" "l" {\n  protocol = "HTTP"\n  default_action {\n    type = "forward"\n  }\n}\n`, "fail"],
  ["alb-https-redirect", "aws_lb_listener.l", `resource "aws_lb_listener" "l" {\n  protocol = "SMTP"\n}\n`, "fail"],
  ["iam-password-policy", "aws_iam_account_password_policy.p", `resource "aws_iam_account_password_policy" "p" {\n  minimum_password_length      = 14\n  require_lowercase_characters = true\n  require_uppercase_characters = true\n  require_numbers              = true\n  require_symbols              = true\n  password_reuse_prevention    = 24\n  max_password_age             = 90\n}\n`, "pass"],
  ["sg-ssh-restricted", "aws_security_group.sg", SG(`ingress {\n    from_port        = 0\n    to_port          = 65535\n    protocol         = "tcp"\n    ipv6_cidr_blocks = ["::/0"]\n  }`), "fail"],
  ["sg-ssh-restricted", "aws_security_group.sg", SG(`ingress {\n    from_port   = 0\n    to_port     = 0\n    protocol    = "-1"\n    cidr_blocks = ["0.0.0.0/0"]\n  }`), "fail"],
  ["sg-ssh-restricted", "aws_security_group.sg", SG(`ingress {\n    from_port   = 0\n    to_port     = 0\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }`), "fail"],
  ["sg-ssh-restricted", "aws_security_group.sg", SG(`ingress {\n    from_port   = 8\n    to_port     = 0\n    protocol    = "icmp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }`), "pass"],
  ["sg-ssh-restricted", "aws_security_group.sg", SG(`ingress {\n    from_port       = 22\n    to_port         = 22\n    protocol        = "tcp"\n    cidr_blocks     = ["0.0.0.0/0"]\n    prefix_list_ids = ["pl-1"]\n  }`), "fail"],
  ["sg-ssh-restricted", "aws_security_group.sg", SG(`ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = var.cidrs\n  }`), "unknown"],
  ["sg-ssh-restricted", "aws_security_group.sg", SG(`ingress {\n    from_port   = var.port\n    to_port     = var.port\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }`), "unknown"],
  ["sg-ssh-restricted", "aws_security_group.sg", SG(`dynamic "ingress" {\n    for_each = var.rules\n    content {\n      from_port = ingress.value\n    }\n  }`), "unknown"],
  ["sg-ssh-restricted", "aws_security_group.sg", SG(`ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]\n  }`), "pass"],
  ["sg-ports-restricted", "aws_security_group.sg", SG(`ingress {\n    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }`), "pass"],
  ["sg-ports-restricted", "aws_security_group.sg", SG(`ingress {\n    from_port   = 80\n    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }`), "fail"],
  ["sg-rdp-restricted", "aws_security_group_rule.r", `resource "aws_security_group_rule" "r" {\n  type        = "egress"\n  from_port   = 3389\n  to_port     = 3389\n  protocol    = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n}\n`, "pass"],
  ["sg-rdp-restricted", "aws_vpc_security_group_ingress_rule.r", `resource "aws_vpc_security_group_ingress_rule" "r" {\n  cidr_ipv6   = "::/0"\n  ip_protocol = "-1"\n}\n`, "fail"],
];

describe("control checks (Checkov semantics)", () => {
  it.each(CASES.map(([c, a, t, e], i) => [`${c} on ${a} → ${e} (#${i})`, c, a, t, e] as const))("%s", async (_title, controlId, address, text, expected) => {
    const ctx = await contextOf({ "main.tf": text });
    expect(controlById(controlId)?.check(resource(ctx, address), ctx)).toBe(expected);
  });

  it("is unknown for every control when the file does not parse", async () => {
    const ctx = await contextOf({ "bad.tf": `resource "aws_s3_bucket" "b" {\n  bucket = \n}\n` });
    // tree-sitter still locates the broken block; only its body is unknown.
    const bucket = resource(ctx, "aws_s3_bucket.b");
    const controls = controlsForResourceType("aws_s3_bucket");
    expect(controls.length).toBeGreaterThan(0);
    expect(controls.map((c) => [c.id, c.check(bucket, ctx)])).toEqual(controls.map((c) => [c.id, "unknown"]));
  });
});

describe("catalogue", () => {
  it("has every control the issue lists, each with a title, types and Checkov ids", () => {
    const ids = allControls().map((c) => c.id);
    expect(ids).toHaveLength(23);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of allControls()) {
      expect(c.title.length).toBeGreaterThan(5);
      expect(c.resourceTypes.length).toBeGreaterThan(0);
      expect(c.checkovIds.length).toBeGreaterThan(0);
    }
  });

  it.each([
    ["aws-s3-public-access-blocked", ["s3-public-access-block"]],
    ["firewall-config-server", ["sg-ssh-restricted"]],
    ["aws-ec2instances-ports-restricted", ["sg-ports-restricted"]],
    ["internal-password-policy-config", ["iam-password-policy"]],
    ["s3-versioning", ["s3-versioning"]],
    ["no-such-test", []],
  ])("maps %s", (test, ids) => {
    expect(controlsForTest(test).map((c) => c.id)).toEqual(ids);
  });

  it("takes extra mappings from configuration", () => {
    const mappings = parseTestMappings(["my-s3-test=s3-versioning", "broken", " other = rds-multi-az "]);
    expect(mappings).toEqual({ "my-s3-test": "s3-versioning", other: "rds-multi-az" });
    expect(controlsForTest("my-s3-test", mappings).map((c) => c.id)).toEqual(["s3-versioning"]);
  });

  it("finds controls by resource type", () => {
    expect(controlsForResourceType("aws_db_instance").map((c) => c.id)).toEqual(["rds-storage-encrypted", "rds-not-public", "rds-backup-retention", "rds-deletion-protection", "rds-multi-az"]);
    expect(controlsForResourceType("aws_vpc_security_group_ingress_rule")).toHaveLength(3);
  });

  it.each([
    ['terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.30"\n    }\n  }\n}\n', 5],
    ['terraform {\n  required_providers {\n    aws = {\n      version = ">= 3.74, < 4.0"\n    }\n  }\n}\n', 3],
    ['provider "aws" {}\n', undefined],
  ])("reads the AWS provider major version", async (text, major) => {
    expect(detectAwsProviderMajor([await parseHclFile("versions.tf", text)])).toBe(major);
  });
});
