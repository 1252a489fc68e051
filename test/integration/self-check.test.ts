import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { createHandlers } from "../../src/composition/handlers.js";

async function check(repo: string): Promise<{ code: number; json: { findings: { control: string; address: string; result: string }[] } }> {
  const stdout = new PassThrough();
  const chunks: string[] = [];
  stdout.on("data", (c: Buffer) => chunks.push(c.toString()));
  const code = await runCli(["check", "--repo", repo, "--json"], createHandlers(), { stdout, stderr: new PassThrough(), env: {} });
  return { code, json: JSON.parse(chunks.join("")) as { findings: { control: string; address: string; result: string }[] } };
}

describe("TerraFix checks itself", () => {
  it("terrafix check --repo infra reports no failing control", async () => {
    const { code, json } = await check("infra");
    expect(json.findings.filter((f) => f.result === "fail")).toEqual([]);
    expect(code).toBe(0);
  });

  it("the same check does find the demo repository's planted failures", async () => {
    const { code, json } = await check("demo/repo");
    expect(code).toBe(1);
    const failing = new Set(json.findings.filter((f) => f.result === "fail").map((f) => `${f.control} ${f.address}`));
    expect(failing).toContain("rds-multi-az aws_db_instance.main");
    expect(failing).toContain("sg-ssh-restricted aws_security_group.bastion");
  });
});
