import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notImplementedHandlers, type CommandHandlers } from "../../../src/cli/context.js";
import { matchCommand } from "../../../src/cli/commands/match.js";
import { runTerrafix, type CliResult } from "../../support/cli.js";
import { FIXTURES } from "../../terraform/helpers.js";

const REPO = join(FIXTURES, "basic");
const handlers: CommandHandlers = { ...notImplementedHandlers(), match: matchCommand };

function run(args: string[]): Promise<CliResult> {
  return runTerrafix(args, {}, handlers);
}

describe("terrafix match", () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "terrafix-match-"));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it("prints the JSON contract and exits 0 on a match", async () => {
    const r = await run(["match", "--repo", REPO, "--arn", "arn:aws:s3:::acme-prod-logs", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.status).toBe("matched");
    expect(json.candidates[0]).toEqual({ address: "aws_s3_bucket.logs", root: "", file: "s3.tf", startLine: 1, endLine: 4, confidence: 0.95, reasons: ['bucket = "acme-prod-logs" (with terraform.tfvars)'] });
  });

  it("prints file:line, address, confidence and reasons for humans", async () => {
    const r = await run(["match", "--repo", REPO, "--name", "app-prod-archive", "--type", "AWS::S3::Bucket"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("modules/archive/main.tf:5  module.logging.module.archive.aws_s3_bucket.this  confidence 0.95");
    expect(r.out).toContain('    - bucket = "app-prod-archive"');
    expect(r.out).toContain("warning: skipped broken.tf");
  });

  it.each([
    [["--arn", "arn:aws:rds:us-east-1:123456789012:cluster:shared"], "ambiguous", 2],
    [["--arn", "arn:aws:s3:::nothing-here"], "no-match", 0],
  ])("exits 1 for %j (%s)", async (args, status, count) => {
    const r = await run(["match", "--repo", REPO, ...args, "--json"]);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.status).toBe(status);
    expect(json.candidates).toHaveLength(count);
  });

  it("uses --state and --tag", async () => {
    const r = await run(["match", "--repo", REPO, "--arn", "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0", "--state", join(FIXTURES, "states", "show.json"), "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).candidates[0].address).toBe("aws_security_group.web");
    const t = await run(["match", "--repo", REPO, "--type", "EC2 instance", "--tag", "yor_trace=6f1c2f0e-1111-4a55-9d3c-4b1f0a0b0c0d"]);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^matched: yor_trace/);
  });

  it.each([
    [["--arn", "garbage"], /invalid ARN "garbage"/],
    [["--name", "x", "--type", "Flux capacitor"], /unknown --type "Flux capacitor"/],
    [["--arn", "arn:aws:s3:::xyz-bucket", "--state", "/nonexistent/state.json"], /cannot read/],
  ])("exits 2 with a clear message for %j", async (args, message) => {
    const r = await run(["match", "--repo", REPO, ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe("");
  });

  it("exits 2 for a missing repository or a state file that is not state", async () => {
    expect((await run(["match", "--repo", join(tmp, "nope"), "--arn", "arn:aws:s3:::xyz-bucket"])).code).toBe(2);
    await writeFile(join(tmp, "bad.json"), "{}");
    const r = await run(["match", "--repo", REPO, "--arn", "arn:aws:s3:::xyz-bucket", "--state", join(tmp, "bad.json")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/neither/);
  });
});
