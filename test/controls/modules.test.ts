import { describe, expect, it } from "vitest";
import { checkModuleCall, fixModuleCall, moduleControlIds, moduleKind } from "../../src/controls/modules.js";
import type { ModuleCallRef } from "../../src/controls/types.js";
import { generateRuleFix } from "../../src/remediation/rules.js";
import { verifyChange } from "../../src/remediation/verify.js";
import { contextOf, formatter } from "./helpers.js";

const MODULES = `module "assets" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "~> 4.1"

  bucket = "acme-assets"
}

module "db" {
  source  = "terraform-aws-modules/rds/aws"
  version = "6.5.0"

  identifier = "orders"
  engine     = "postgres"
}

module "web_sg" {
  source = "terraform-aws-modules/security-group/aws"

  name                = "web"
  ingress_cidr_blocks = ["0.0.0.0/0"]
  ingress_rules       = ["https-443-tcp", "ssh-tcp", "http-80-tcp"]
}

module "versioned" {
  source = "terraform-aws-modules/s3-bucket/aws"

  bucket = "acme-versioned"
  versioning = {
    enabled    = false
    mfa_delete = false
  }
}

module "local" {
  source = "./modules/thing"
}
`;

async function call(address: string) {
  const ctx = await contextOf({ "main.tf": MODULES });
  const found = ctx.moduleCalls?.find((m) => m.address === address);
  if (found === undefined) throw new Error(address);
  return { ctx, call: found };
}

const FIXES: [string, string, string[]][] = [
    ["module.assets", "s3-versioning", ["versioning = {", "enabled = true"]],
    ["module.assets", "s3-encryption", ['sse_algorithm = "AES256"']],
    ["module.assets", "s3-encryption-kms", ['sse_algorithm = "aws:kms"', "bucket_key_enabled = true"]],
    ["module.assets", "s3-public-access-block", ["block_public_acls       = true", "restrict_public_buckets = true"]],
    ["module.db", "rds-multi-az", ["multi_az   = true"]],
    ["module.db", "rds-deletion-protection", ["deletion_protection = true"]],
    ["module.db", "rds-backup-retention", ["backup_retention_period = 7"]],
    ["module.web_sg", "sg-ssh-restricted", ['ingress_rules       = ["https-443-tcp", "http-80-tcp"]']],
    ["module.versioned", "s3-versioning", ["    enabled    = true\n    mfa_delete = false"]],
];

describe("registry module inputs", () => {
  it.each([
    ["terraform-aws-modules/s3-bucket/aws", "s3-bucket"],
    ["git::https://github.com/terraform-aws-modules/terraform-aws-s3-bucket.git?ref=v4.1.0", "s3-bucket"],
    ["terraform-aws-modules/rds/aws", "rds"],
    ["terraform-aws-modules/rds-aurora/aws", "rds-aurora"],
    ["terraform-aws-modules/security-group/aws//modules/ssh", "security-group"],
    ["./modules/s3", undefined],
  ])("knows %s as %s", (source, kind) => {
    expect(moduleKind(source)).toBe(kind);
  });

  it.each(FIXES)("%s: %s is fixed through the module input", async (address, controlId, contains) => {
    const { ctx, call: target } = await call(address);
    expect(checkModuleCall(controlId, target)).toBe("fail");
    const result = generateRuleFix({ controlIds: [controlId], moduleCall: target, ctx });
    expect(result.type).toBe("change");
    if (result.type !== "change") return;
    const after = result.change.files[0]?.after ?? "";
    for (const s of contains) expect(after).toContain(s);
    const fixed = await contextOf({ "main.tf": after });
    const again = fixed.moduleCalls?.find((m) => m.address === address);
    expect(again && checkModuleCall(controlId, again)).toBe("pass");
    expect(fixModuleCall(controlId, again as ModuleCallRef, fixed).kind).toBe("compliant");
    const report = await verifyChange({ change: result.change, controlIds: [controlId], targetAddress: address, files: ctx.files }, formatter === undefined ? {} : { formatter });
    expect(report.checks.filter((c) => c.status === "fail")).toEqual([]);
  });

  it.skipIf(formatter === undefined).each(FIXES)("%s: the %s fix is terraform fmt clean (needs terraform on PATH)", async (address, controlId) => {
    const { ctx, call: target } = await call(address);
    const result = generateRuleFix({ controlIds: [controlId], moduleCall: target, ctx });
    const after = result.type === "change" ? (result.change.files[0]?.after ?? "") : "";
    expect(after).not.toBe("");
    expect(await formatter?.(after)).toBe(after);
  });

  it("passes inputs whose module defaults are safe and reports what it cannot fix", async () => {
    const { ctx, call: db } = await call("module.db");
    expect(checkModuleCall("rds-storage-encrypted", db)).toBe("pass");
    expect(checkModuleCall("rds-not-public", db)).toBe("pass");
    expect(fixModuleCall("rds-not-public", db, ctx).kind).toBe("compliant");
    const local = ctx.moduleCalls?.find((m) => m.name === "local") as ModuleCallRef;
    expect(moduleControlIds(local)).toEqual([]);
    expect(checkModuleCall("s3-versioning", local)).toBeUndefined();
    const plan = fixModuleCall("s3-versioning", local, ctx);
    expect(plan.kind).toBe("unsupported");
    expect(plan.kind === "unsupported" && plan.reason).toContain("module.local");
    expect(moduleControlIds(db)).toContain("rds-multi-az");
  });

  it("is unknown when inputs come from variables", async () => {
    const ctx = await contextOf({
      "main.tf": `module "sg" {\n  source              = "terraform-aws-modules/security-group/aws"\n  ingress_cidr_blocks = var.cidrs\n  ingress_rules       = ["ssh-tcp"]\n}\n\nmodule "b" {\n  source     = "terraform-aws-modules/s3-bucket/aws"\n  versioning = var.versioning\n}\n`,
    });
    const [sg, b] = ctx.moduleCalls ?? [];
    expect(checkModuleCall("sg-ssh-restricted", sg as ModuleCallRef)).toBe("unknown");
    expect(checkModuleCall("s3-versioning", b as ModuleCallRef)).toBe("unknown");
    expect(fixModuleCall("s3-versioning", b as ModuleCallRef, ctx).kind).toBe("unsupported");
  });

  it("rebuilds a one-line versioning map keeping its other keys", async () => {
    const ctx = await contextOf({ "main.tf": `module "b" {\n  source     = "terraform-aws-modules/s3-bucket/aws"\n  versioning = { mfa_delete = false }\n}\n` });
    const b = ctx.moduleCalls?.[0] as ModuleCallRef;
    const result = generateRuleFix({ controlIds: ["s3-versioning"], moduleCall: b, ctx });
    expect(result.type === "change" && result.change.files[0]?.after).toContain("versioning = { enabled = true, mfa_delete = false }");
  });

  it("replaces a weaker algorithm inside an existing encryption input", async () => {
    const ctx = await contextOf({
      "main.tf": `module "b" {\n  source = "terraform-aws-modules/s3-bucket/aws"\n  server_side_encryption_configuration = {\n    rule = {\n      apply_server_side_encryption_by_default = {\n        sse_algorithm = "AES256"\n      }\n    }\n  }\n}\n`,
    });
    const b = ctx.moduleCalls?.[0] as ModuleCallRef;
    const plan = fixModuleCall("s3-encryption-kms", b, ctx);
    expect(plan.kind).toBe("edits");
    const result = generateRuleFix({ controlIds: ["s3-encryption-kms"], moduleCall: b, ctx });
    expect(result.type === "change" && result.change.files[0]?.after).toContain('sse_algorithm = "aws:kms"');
  });
});
