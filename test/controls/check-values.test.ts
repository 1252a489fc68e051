import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkCommand } from "../../src/cli/commands/check.js";
import { runCatalogue } from "../../src/controls/run-catalogue.js";
import { contextOf } from "./helpers.js";

/**
 * `check` on the value evaluator (issue 14), over test/fixtures/controls/check-envs: two root
 * modules (envs/prod, envs/staging) calling one local module with different inputs, and a root
 * (app) deployed with dev.tfvars or prod.tfvars.
 */
const REPO = fileURLToPath(new URL("../fixtures/controls/check-envs", import.meta.url));

interface Finding {
  control: string;
  address: string;
  root: string;
  file: string;
  result: string;
  reason?: string;
}

async function check(): Promise<{ code: number; findings: Finding[]; summary: Record<string, number> }> {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk.toString());
      done();
    },
  });
  const code = await checkCommand({ repo: REPO, json: true }, { stdout: sink, stderr: new Writable({ write: (_c, _e, done) => done() }), env: {} });
  const parsed = JSON.parse(out.join("")) as { findings: Finding[]; summary: Record<string, number> };
  return { code, ...parsed };
}

function find(findings: Finding[], control: string, address: string, root: string): Finding | undefined {
  return findings.filter((f) => f.control === control && f.address === address && f.root === root)[0];
}

describe("check resolves values the code decides", () => {
  it("resolves module inputs, conditionals and negations per root module", async () => {
    const { code, findings } = await check();
    expect(code).toBe(1);
    // `versioned = false` in staging reaches `var.versioned ? "Enabled" : "Suspended"`; prod passes.
    expect(find(findings, "s3-versioning", "module.receipts.aws_s3_bucket.this", "envs/staging")?.result).toBe("fail");
    expect(find(findings, "s3-versioning", "module.receipts.aws_s3_bucket.this", "envs/prod")).toBeUndefined();
    // `!var.allow_public` with the default false: every public access block setting is true.
    expect(findings.filter((f) => f.control === "s3-public-access-block")).toEqual([]);
    // `storage_encrypted = !var.ephemeral` and `var.ephemeral ? false : true` with ephemeral = true.
    expect(find(findings, "rds-storage-encrypted", "aws_db_instance.ledger", "envs/staging")?.result).toBe("fail");
    expect(find(findings, "rds-deletion-protection", "aws_db_instance.ledger", "envs/staging")?.result).toBe("fail");
  });

  it("keys findings by root module and address, so a pass in one root hides no fail in another", async () => {
    const { findings } = await check();
    const ledger = findings.filter((f) => f.address === "aws_db_instance.ledger" && f.control === "rds-storage-encrypted");
    expect(ledger.map((f) => `${f.root} ${f.file}`)).toEqual(["envs/staging envs/staging/main.tf"]);
    // The same module block, one finding per root that uses it.
    const s3 = findings.filter((f) => f.control === "s3-encryption" && f.address === "module.receipts.aws_s3_bucket.this");
    expect(s3.map((f) => f.root).sort()).toEqual(["envs/prod", "envs/staging"]);
  });

  it("checks each tfvars value set and names the ones that fail", async () => {
    const { findings } = await check();
    const multiAz = find(findings, "rds-multi-az", "aws_db_instance.sessions", "app");
    expect(multiAz).toMatchObject({ result: "fail", reason: "fails with dev.tfvars; passes with prod.tfvars" });
    expect(find(findings, "log-group-retention", "aws_cloudwatch_log_group.api", "app")?.reason).toBe("fails with dev.tfvars; passes with prod.tfvars");
    // `var.environment == "prod"` decides deletion protection; `!= "dev"` decides point-in-time recovery.
    expect(find(findings, "rds-deletion-protection", "aws_db_instance.sessions", "app")?.reason).toBe("fails with dev.tfvars; passes with prod.tfvars");
    expect(find(findings, "dynamodb-pitr", "aws_dynamodb_table.carts", "app")?.reason).toBe("fails with dev.tfvars; passes with prod.tfvars");
  });

  it("does not report blocks whose count is 0 in every value set", async () => {
    const { findings } = await check();
    // `count = var.audit_log ? 1 : 0`: staging leaves it false, prod sets it (retention 90 fails).
    expect(find(findings, "log-group-retention", "module.receipts.aws_cloudwatch_log_group.audit", "envs/staging")).toBeUndefined();
    expect(find(findings, "log-group-retention", "module.receipts.aws_cloudwatch_log_group.audit", "envs/prod")?.result).toBe("fail");
    // `count = var.replicas`: 0 by default (dev), 2 in prod.tfvars: it exists, in prod only.
    expect(find(findings, "rds-storage-encrypted", "aws_db_instance.sessions_replica", "app")).toMatchObject({ result: "fail" });
    expect(find(findings, "rds-storage-encrypted", "aws_db_instance.sessions_replica", "app")?.reason).toBeUndefined();
    // `for_each = var.tenant_log_groups`, an empty map in every value set: no instance, no finding.
    expect(findings.filter((f) => f.address === "aws_cloudwatch_log_group.tenant")).toEqual([]);
  });

  it("says why every unknown is unknown", async () => {
    const { findings, summary } = await check();
    const unknown = findings.filter((f) => f.result === "unknown");
    expect(unknown.map((f) => `${f.control} ${f.address}`)).toEqual(["kms-rotation aws_kms_key.sessions"]);
    expect(unknown[0]?.reason).toBe("enable_key_rotation = var.rotate_keys: var.rotate_keys has no default and no value is given (with dev.tfvars, prod.tfvars)");
    expect(summary.unknown).toBe(1);
  });
});

describe("unknown reasons from repository text", () => {
  it("carry no control characters (terminal escape sequences) from the expression", async () => {
    const ctx = await contextOf({ "kms.tf": 'resource "aws_kms_key" "k" {\n  enable_key_rotation = "${var.rotate}\\u001b[2J"\n}\n' });
    const finding = runCatalogue(ctx).findings.find((f) => f.control === "kms-rotation");
    expect(finding?.result).toBe("unknown");
    expect(finding?.reason).toBe("enable_key_rotation = ${var.rotate}?[2J is not known before plan");
  });

  it("name the key spec when rotation does not apply to an asymmetric key", async () => {
    const ctx = await contextOf({ "kms.tf": 'resource "aws_kms_key" "signing" {\n  customer_master_key_spec = "ECC_NIST_P256"\n  key_usage                = "SIGN_VERIFY"\n}\n' });
    expect(runCatalogue(ctx).findings.find((f) => f.control === "kms-rotation")?.reason).toBe(
      "customer_master_key_spec = ECC_NIST_P256: automatic rotation exists only for symmetric keys, so the control does not apply as written",
    );
  });
});
