import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contextFromFiles } from "../../src/controls/context.js";
import type { ControlContext } from "../../src/controls/types.js";
import { generateRuleFixWithSources } from "../../src/remediation/rules.js";
import { verifyChange } from "../../src/remediation/verify.js";
import { parseHclFile } from "../../src/terraform/parse.js";
import { formatter } from "../controls/helpers.js";
import { runTerrafix } from "../support/cli.js";

const BUCKET = `resource "aws_s3_bucket" "data" {
  bucket = "acme-data"

  versioning {
    enabled = var.versioning
  }
}
`;
const VERSIONING_VAR = `variable "versioning" {
  type    = bool
  default = false
}
`;
const DB_MODULE = `variable "name" {
  type = string
}

variable "multi_az" {
  type    = bool
  default = false
}

resource "aws_db_instance" "this" {
  identifier     = var.name
  engine         = "postgres"
  instance_class = "db.t3.micro"
  multi_az       = var.multi_az
}
`;

async function ctxOf(files: Record<string, string>): Promise<ControlContext> {
  const parsed = await Promise.all(Object.entries(files).map(([p, t]) => parseHclFile(p, t)));
  return contextFromFiles(parsed, { modulePathOf: (f) => (f.startsWith("modules/db/") ? ["db"] : []) });
}

async function fix(files: Record<string, string>, control: string, address: string) {
  const ctx = await ctxOf(files);
  const target = ctx.resources.find((r) => r.address === address);
  if (target === undefined) throw new Error(`no ${address}`);
  const result = await generateRuleFixWithSources({ controlIds: [control], target, ctx });
  if (result.type !== "change") return { result, after: {} as Record<string, string>, verification: undefined };
  const verification = await verifyChange(
    { change: result.change, controlIds: [control], targetAddress: address, files: ctx.files, resources: ctx.resources },
    formatter === undefined ? {} : { formatter },
  );
  return { result, after: Object.fromEntries(result.change.files.map((f) => [f.path, f.after])), verification };
}

describe("fixes where the value comes from", () => {
  it("changes the variable's default when the variable exists only for this attribute", async () => {
    const { result, after, verification } = await fix({ "variables.tf": VERSIONING_VAR, "main.tf": BUCKET }, "s3-versioning", "aws_s3_bucket.data");
    expect(result.type).toBe("change");
    expect(Object.keys(after)).toEqual(["variables.tf"]);
    expect(after["variables.tf"]).toContain("  default = true\n");
    expect(result.type === "change" && result.change.rationale).toContain("changed at source: variables.tf default of var.versioning");
    expect(verification?.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(verification?.checks.find((c) => c.name === "control")?.status).toBe("pass");
  });

  it("changes each tfvars environment that sets a failing value, and the default only when it fails too", async () => {
    const files = {
      "variables.tf": VERSIONING_VAR.replace("default = false", "default = true"),
      "main.tf": BUCKET,
      "prod.tfvars": 'versioning = false # audited\nregion     = "us-east-1"\n',
      "staging.tfvars": "versioning = true\n",
    };
    const { result, after, verification } = await fix(files, "s3-versioning", "aws_s3_bucket.data");
    expect(result.type).toBe("change");
    expect(after).toEqual({ "prod.tfvars": 'versioning = true # audited\nregion     = "us-east-1"\n' });
    expect(result.type === "change" && result.change.rationale).toContain("changed at source: prod.tfvars value of versioning");
    expect(verification?.passed).toBe(true);
  });

  it("changes the module call's input for a resource of a local module", async () => {
    const files = { "main.tf": 'module "db" {\n  source   = "./modules/db"\n  name     = "acme-db"\n  multi_az = false\n}\n', "modules/db/main.tf": DB_MODULE };
    const { result, after, verification } = await fix(files, "rds-multi-az", "module.db.aws_db_instance.this");
    expect(after).toEqual({ "main.tf": files["main.tf"].replace("multi_az = false", "multi_az = true") });
    expect(result.type === "change" && result.change.rationale).toContain("the multi_az input of module.db (main.tf)");
    expect(verification?.passed).toBe(true);
  });

  it("sets the input on the call, not the module's default, when the call leaves it unset", async () => {
    const files = { "main.tf": 'module "db" {\n  source = "./modules/db"\n  name   = "acme-db"\n}\n', "modules/db/main.tf": DB_MODULE };
    const { after, verification } = await fix(files, "rds-multi-az", "module.db.aws_db_instance.this");
    // A wider name than the call's aligned run starts its own run after a blank line (terraform fmt's layout).
    expect(after).toEqual({ "main.tf": 'module "db" {\n  source = "./modules/db"\n  name   = "acme-db"\n\n  multi_az = true\n}\n' });
    expect(verification?.passed).toBe(true);
  });

  it("follows a module input that is the caller's variable up to the caller's default", async () => {
    const files = {
      "main.tf": 'variable "db_multi_az" {\n  type    = bool\n  default = false\n}\n\nmodule "db" {\n  source   = "./modules/db"\n  name     = "acme-db"\n  multi_az = var.db_multi_az\n}\n',
      "modules/db/main.tf": DB_MODULE,
    };
    const { result, after, verification } = await fix(files, "rds-multi-az", "module.db.aws_db_instance.this");
    expect(result.type === "change" && result.change.rationale).toContain("main.tf default of var.db_multi_az");
    expect(after["main.tf"]).toContain("  default = true\n");
    expect(verification?.passed).toBe(true);
  });

  it("refuses, naming the other uses, when the variable also drives another resource", async () => {
    const files = { "variables.tf": VERSIONING_VAR, "main.tf": `${BUCKET}\nresource "aws_s3_bucket" "scratch" {\n  bucket = "acme-scratch"\n\n  versioning {\n    enabled = var.versioning\n  }\n}\n` };
    const { result } = await fix(files, "s3-versioning", "aws_s3_bucket.data");
    expect(result.type).toBe("unsupported");
    expect(result.type === "unsupported" && result.reason).toMatch(/var\.versioning, which also drives main\.tf:13; changing it at its source would change those too/);
  });

  it("refuses a variable whose value is an expression, with the reason", async () => {
    const files = { "variables.tf": 'variable "versioning" {\n  type    = bool\n  default = local.on\n}\n', "main.tf": BUCKET };
    const { result } = await fix(files, "s3-versioning", "aws_s3_bucket.data");
    expect(result.type === "unsupported" && result.reason).toContain("the default of var.versioning is an expression");
  });
});

describe("fixes where the value comes from: an expression of one bool variable", () => {
  const DB = (expr: string) => `resource "aws_db_instance" "orders" {\n  identifier        = "orders-db"\n  engine            = "postgres"\n  instance_class    = "db.t3.micro"\n  storage_encrypted = ${expr}\n}\n`;
  const FLAG = (name: string, value: string) => `variable "${name}" {\n  type    = bool\n  default = ${value}\n}\n`;

  it("flips the default of a negated variable, and the verify stage evaluates the expression", async () => {
    const files = { "variables.tf": FLAG("skip_encryption", "true"), "main.tf": DB("!var.skip_encryption") };
    const { result, after, verification } = await fix(files, "rds-storage-encrypted", "aws_db_instance.orders");
    expect(after).toEqual({ "variables.tf": FLAG("skip_encryption", "false") });
    expect(result.type === "change" && result.change.rationale).toContain("storage_encrypted = !var.skip_encryption");
    expect(verification?.checks.find((c) => c.name === "control")?.status).toBe("pass");
    expect(verification?.passed).toBe(true);
  });

  it("flips each failing tfvars value under a conditional, leaving a passing one", async () => {
    const files = {
      "variables.tf": FLAG("plaintext", "false"),
      "main.tf": DB("var.plaintext ? false : true"),
      "prod.tfvars": "plaintext = false\n",
      "dev.tfvars": "plaintext = true\n",
    };
    const { after, verification } = await fix(files, "rds-storage-encrypted", "aws_db_instance.orders");
    expect(after).toEqual({ "dev.tfvars": "plaintext = false\n" });
    expect(verification?.passed).toBe(true);
  });

  it("refuses a string input (an environment name says more than this attribute)", async () => {
    const files = { "variables.tf": 'variable "env" {\n  type    = string\n  default = "dev"\n}\n', "main.tf": DB('var.env == "prod"') };
    const { result } = await fix(files, "rds-storage-encrypted", "aws_db_instance.orders");
    expect(result.type === "unsupported" && result.reason).toContain('storage_encrypted = var.env == "prod"; TerraFix changes the input of such an expression at its source only when it is a bool');
  });

  it("refuses when no value of the variable passes, and leaves expressions of two inputs alone", async () => {
    const never = await fix({ "variables.tf": FLAG("x", "true"), "main.tf": DB("var.x && false") }, "rds-storage-encrypted", "aws_db_instance.orders");
    expect(never.result.type === "unsupported" && never.result.reason).toContain("no value of var.x makes it pass");
    const two = await fix({ "variables.tf": `${FLAG("x", "false")}\n${FLAG("y", "false")}`, "main.tf": DB("var.x || var.y") }, "rds-storage-encrypted", "aws_db_instance.orders");
    expect(two.result.type).toBe("unsupported");
    expect(two.after).toEqual({});
  });
});

describe("terrafix fix says where it changed the value", () => {
  const dir = mkdtempSync(join(tmpdir(), "terrafix-source-fix-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("in the human output and in --json", async () => {
    for (const [path, text] of Object.entries({ "variables.tf": VERSIONING_VAR, "main.tf": BUCKET })) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const args = ["fix", "--repo", dir, "--test", "s3-versioning", "--name", "acme-data", "--type", "S3 bucket", "--generator", "rules"];
    const human = await runTerrafix(args, { PATH: process.env.PATH ?? "" });
    expect(human.code).toBe(0);
    expect(human.out).toContain("change: S3 bucket versioning is enabled on aws_s3_bucket.data: changed at source: variables.tf default of var.versioning");
    const json = JSON.parse((await runTerrafix([...args, "--json"], { PATH: process.env.PATH ?? "" })).out) as { change: { rationale: string; files: { path: string }[] } };
    expect(json.change.files.map((f) => f.path)).toEqual(["variables.tf"]);
    expect(json.change.rationale).toContain("changed at source: variables.tf default of var.versioning");
  });
});
