import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkCommand } from "../../../src/cli/commands/check.js";
import { runCatalogue } from "../../../src/controls/run-catalogue.js";
import { contextOf } from "../../controls/helpers.js";

const FIXTURES = fileURLToPath(new URL("../../fixtures/controls/", import.meta.url));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        into.push(chunk.toString());
        done();
      },
    });
  return { io: { stdout: sink(out), stderr: sink(err), env: {} }, out, err };
}

interface Finding {
  control: string;
  checkovIds: string[];
  address: string;
  root: string;
  file: string;
  startLine: number;
  result: string;
  reason?: string;
}

describe("terrafix check", () => {
  it("lists failing and unknown controls as JSON and exits 1", async () => {
    const { io: cli, out } = io();
    const code = await checkCommand({ repo: `${FIXTURES}check-repo`, json: true }, cli);
    expect(code).toBe(1);
    const parsed = JSON.parse(out.join("")) as { findings: Finding[]; summary: Record<string, number> };
    const pairs = parsed.findings.map((f) => `${f.result} ${f.control} ${f.address}`);
    expect(pairs).toContain("fail s3-versioning aws_s3_bucket.assets");
    expect(pairs).toContain("fail s3-public-access-block aws_s3_bucket.assets");
    expect(pairs).toContain("unknown rds-storage-encrypted aws_db_instance.orders");
    expect(pairs).toContain("fail rds-not-public aws_db_instance.orders");
    expect(pairs).toContain("fail sg-ssh-restricted module.web_sg");
    expect(pairs).not.toContain("fail sg-ssh-restricted aws_db_instance.orders");
    const versioning = parsed.findings.find((f) => f.control === "s3-versioning");
    expect(versioning).toEqual({ control: "s3-versioning", checkovIds: ["CKV_AWS_21"], address: "aws_s3_bucket.assets", root: "", file: "main.tf", startLine: 10, result: "fail" });
    expect(parsed.summary.failed).toBe(parsed.findings.filter((f) => f.result === "fail").length);
    expect(parsed.summary.unknown).toBe(1);
    expect(parsed.summary.parseErrors).toBe(0);
  });

  it("prints one line per finding and a summary, and exits 0 on a clean repository", async () => {
    const { io: cli, out } = io();
    expect(await checkCommand({ repo: `${FIXTURES}clean-repo`, json: false }, cli)).toBe(0);
    expect(out.join("")).toBe("2 checks on 2 resources: 2 passed, 0 failed, 0 unknown\n");
    const dirty = io();
    expect(await checkCommand({ repo: `${FIXTURES}check-repo`, json: false }, dirty.io)).toBe(1);
    expect(dirty.out.join("")).toMatch(/^FAIL {4}s3-versioning {14}aws_s3_bucket\.assets {2}main\.tf:10$/m);
  });

  it("exits 2 when --repo is not a directory", async () => {
    const { io: cli, err } = io();
    expect(await checkCommand({ repo: `${FIXTURES}missing`, json: true }, cli)).toBe(2);
    expect(err.join("")).toContain("is not a directory");
  });

  it("exits 2 when --repo holds no Terraform files, instead of a clean run", async () => {
    const empty = mkdtempSync(join(tmpdir(), "terrafix-check-empty-"));
    try {
      writeFileSync(join(empty, "README.md"), "# not terraform\n");
      const { io: cli, out, err } = io();
      expect(await checkCommand({ repo: empty, json: true }, cli)).toBe(2);
      expect(out.join("")).toBe("");
      expect(err.join("")).toContain("no Terraform files (.tf, .tf.json)");
      // Only variable values, no configuration: still nothing to check.
      writeFileSync(join(empty, "prod.tfvars"), 'region = "eu-west-1"\n');
      const again = io();
      expect(await checkCommand({ repo: empty, json: false }, again.io)).toBe(2);
      expect(again.err.join("")).toContain("no Terraform configuration");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("runs the catalogue over a context built without the index", async () => {
    const ctx = await contextOf({ "a.tf": 'resource "aws_ebs_volume" "v" {\n  size = 1\n}\n\ndata "aws_ebs_volume" "d" {}\n' });
    const { findings, summary } = runCatalogue(ctx);
    expect(findings.map((f) => f.control)).toEqual(["ebs-encryption"]);
    expect(summary).toEqual({ resources: 2, checks: 1, passed: 0, failed: 1, unknown: 0 });
  });
});
