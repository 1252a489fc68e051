import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeBedrock, type FakeBedrock } from "../fakes/bedrock-server.js";
import { runTerrafix, type CliResult } from "../support/cli.js";

function copyDemoRepo(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "tf-fix-")), "repo");
  cpSync("demo/repo", dir, { recursive: true });
  return dir;
}

function cli(argv: string[], env: NodeJS.ProcessEnv = { PATH: process.env["PATH"] }): Promise<CliResult> {
  return runTerrafix(argv, { LOG_LEVEL: "silent", ...env });
}

interface FixJson {
  match: { status: string; candidates: { address: string; file: string; startLine: number }[] };
  change: { files: { path: string; diff: string }[] } | null;
  verification: { passed: boolean; checks: { name: string; status: "pass" | "fail" | "skipped"; passed: boolean; detail: string }[] } | null;
  generator: string | null;
}

describe("terrafix fix", () => {
  let bedrock: FakeBedrock;
  beforeAll(async () => {
    bedrock = await startFakeBedrock();
  });
  afterAll(async () => {
    await bedrock.close();
  });

  it("prints the match, the diff and every verification gate as JSON, and --apply writes the change", async () => {
    const repo = copyDemoRepo();
    const args = ["fix", "--repo", repo, "--test", "aws-rds-multi-az-redundancy", "--name", "acme-prod-db", "--type", "RDS instance", "--generator", "rules", "--json"];
    const dry = await cli(args);
    expect(dry.code).toBe(0);
    const json = JSON.parse(dry.out) as FixJson;
    expect(json.match.status).toBe("matched");
    expect(json.match.candidates[0]).toMatchObject({ address: "aws_db_instance.main", file: "database.tf", startLine: 1 });
    expect(json.generator).toBe("rules");
    expect(json.verification?.passed).toBe(true);
    expect(json.verification?.checks.map((c) => c.name)).toEqual(["parse", "fmt", "control", "no-new-findings", "scope", "guardrails"]);
    expect(json.change?.files[0]?.diff).toContain("+  multi_az");
    expect(readFileSync(join(repo, "database.tf"), "utf8")).not.toContain("multi_az                    = true\n  backup");

    const applied = await cli([...args.filter((a) => a !== "--json"), "--apply"]);
    expect(applied.code).toBe(0);
    expect(applied.out).toContain("applied to the repository");
    expect(readFileSync(join(repo, "database.tf"), "utf8")).toMatch(/identifier\s+= "\$\{local\.prefix\}-db"[\s\S]*multi_az\s+= true/);
    // A second run finds nothing to fix.
    const again = await cli(args);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.out) as FixJson & { outcome: string }).outcome).toBe("already-compliant");
  });

  it("shows a gate that did not run as skipped with its reason, never as passed (text and JSON)", async () => {
    const env = { PATH: process.env["PATH"], TERRAFIX_TERRAFORM_BIN: "/nonexistent/terraform" };
    const args = ["fix", "--repo", copyDemoRepo(), "--test", "aws-rds-multi-az-redundancy", "--name", "acme-prod-db", "--type", "RDS instance", "--generator", "rules"];
    const json = JSON.parse((await cli([...args, "--json"], env)).out) as FixJson;
    expect(json.verification?.checks.find((c) => c.name === "fmt")).toEqual({ name: "fmt", status: "skipped", passed: false, detail: "no terraform binary to run terraform fmt" });
    expect(json.verification?.checks.find((c) => c.name === "parse")).toMatchObject({ status: "pass", passed: true });
    expect(json.verification?.passed).toBe(true);
    const text = await cli(args, env);
    expect(text.code).toBe(0);
    expect(text.out).toContain("[skipped] fmt: no terraform binary to run terraform fmt");
    expect(text.out).toContain("[pass] parse:");
    expect(text.out).not.toMatch(/\[pass\] fmt/);
  });

  it("exits 1 with the match status when nothing matches", async () => {
    const result = await cli(["fix", "--repo", copyDemoRepo(), "--test", "aws-rds-multi-az-redundancy", "--name", "no-such-db", "--type", "RDS instance", "--generator", "rules", "--json"]);
    expect(result.code).toBe(1);
    expect((JSON.parse(result.out) as FixJson).match.status).toBe("no-match");
  });

  it("exits 2 for an unknown test with the rules generator, a garbage ARN, or a missing repository", async () => {
    expect((await cli(["fix", "--repo", copyDemoRepo(), "--test", "no-such-test", "--name", "acme-prod-db", "--type", "RDS instance", "--generator", "rules"])).code).toBe(2);
    const garbage = await cli(["fix", "--repo", copyDemoRepo(), "--test", "rds-multi-az", "--arn", "arn:aws:rds:nowhere"]);
    expect(garbage.code).toBe(2);
    expect(garbage.err).toContain("invalid ARN");
    expect((await cli(["fix", "--repo", "/nonexistent/repo", "--test", "rds-multi-az", "--name", "x", "--type", "aws_db_instance"])).code).toBe(2);
  });

  it("with --generator llm asks the model, verifies its answer and reports the failing gate when it is wrong", async () => {
    bedrock.script([
      { type: "tool", input: { edits: [{ action: "replace_block", address: "aws_kms_key.app", file: "compute.tf", new_text: 'resource "aws_kms_key" "app" {\n  description             = "Application data key (rotated)"\n  deletion_window_in_days = 30\n  tags                    = merge(local.common_tags, { Name = "${local.prefix}-app-key" })\n}' }], rationale: "rotate", confidence: 0.9, risks: [] } },
    ]);
    const env = { PATH: process.env["PATH"], BEDROCK_ENDPOINT_URL: bedrock.url, AWS_ACCESS_KEY_ID: "AKIATEST", AWS_SECRET_ACCESS_KEY: "secret-test-key", TERRAFIX_LLM_MAX_ROUNDS: "1" };
    const result = await cli(["fix", "--repo", copyDemoRepo(), "--test", "kms-rotation", "--name", "acme-prod-app-key", "--type", "KMS key", "--generator", "llm", "--json"], env);
    const json = JSON.parse(result.out) as FixJson & { outcome: string; reason?: string };
    // The model's block leaves rotation off: the control gate rejects it, and with one round the job fails.
    expect(json.outcome).toBe("failed");
    expect(json.verification?.checks.find((c) => c.name === "control")).toMatchObject({ passed: false, detail: expect.stringContaining("kms-rotation") });
    expect(result.code).toBe(1);
    expect(bedrock.requests).toHaveLength(1);
  });
});
