import { describe, expect, it } from "vitest";
import { runTerrafix } from "../support/cli.js";

async function check(repo: string): Promise<{ code: number; json: { findings: { control: string; address: string; result: string }[] } }> {
  const { code, out } = await runTerrafix(["check", "--repo", repo, "--json"]);
  return { code, json: JSON.parse(out) as { findings: { control: string; address: string; result: string }[] } };
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
