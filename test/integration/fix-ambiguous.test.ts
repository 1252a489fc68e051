import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runTerrafix } from "../support/cli.js";

/** Two security groups without Name tags, and two buckets whose names only a variable decides. */
const MAIN_TF = `resource "aws_security_group" "web" {
  description = "web"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "db" {
  description = "db"
}

resource "aws_s3_bucket" "a" {
  bucket = "\${var.env}-logs"
}

resource "aws_s3_bucket" "b" {
  bucket = "\${var.team}-logs"
}

variable "env" {}
variable "team" {}
`;

let repo = "";
beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "tf-fix-ambiguous-"));
  writeFileSync(join(repo, "main.tf"), MAIN_TF);
});

function fix(identity: string[], test: string): ReturnType<typeof runTerrafix> {
  return runTerrafix(["fix", "--repo", repo, "--test", test, ...identity, "--generator", "rules"], { LOG_LEVEL: "silent", PATH: process.env["PATH"] });
}

/** The `  candidate: ADDRESS  FILE:LINE  confidence N  (WHY)` lines. */
function candidates(out: string): { address: string; at: string; why: string }[] {
  return out
    .split("\n")
    .map((l) => /^ {2}candidate: (\S+) {2}(\S+:\d+) {2}confidence [\d.]+ {2}\((.+)\)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ address: m[1] ?? "", at: m[2] ?? "", why: m[3] ?? "" }));
}

describe("terrafix fix on an ambiguous match", () => {
  it("lists every candidate with file:line, address and why, and proposes no change (exit 1)", async () => {
    const r = await fix(["--name", "prod-logs", "--type", "S3 bucket"], "aws-s3-public-access-blocked");
    expect(r.code).toBe(1);
    expect(r.out.split("\n")[0]).toMatch(/^ambiguous: /);
    expect(candidates(r.out)).toEqual([
      { address: "aws_s3_bucket.a", at: "main.tf:15", why: expect.stringContaining("other blocks can also produce this name: aws_s3_bucket.b") },
      { address: "aws_s3_bucket.b", at: "main.tf:19", why: expect.stringContaining("other blocks can also produce this name: aws_s3_bucket.a") },
    ]);
    expect(r.out).not.toContain("---");
  });

  it("tells a name-only query what identifies a resource with a generated id, without blaming an ARN it was not given", async () => {
    const byName = await fix(["--name", "acme-web-sg", "--type", "Security group"], "firewall-config-server");
    expect(byName.code).toBe(1);
    const reason = byName.out.split("\n")[0] ?? "";
    expect(reason).toMatch(/^ambiguous: aws_security_group resources have a generated id, not a name: .*--tag Name=VALUE or --state/);
    expect(reason).not.toContain("ARN");
    expect(candidates(byName.out).map((c) => `${c.address} ${c.at}`)).toEqual(["aws_security_group.web main.tf:1", "aws_security_group.db main.tf:11"]);
    for (const c of candidates(byName.out)) expect(c.why).toContain("no Name tag, trace tag or state entry identifies it");

    // Given an ARN, the ARN is what holds the generated id.
    const byArn = await fix(["--arn", "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0a1b2c3d4e5f60718"], "firewall-config-server");
    expect(byArn.code).toBe(1);
    expect(byArn.out.split("\n")[0]).toBe("ambiguous: the ARN holds a generated id: a Name tag, trace tags or --state are needed to tell these apart");
    expect(candidates(byArn.out)).toHaveLength(2);
  });
});
