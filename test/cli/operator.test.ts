import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStateStore } from "../../src/adapters/state/open-state-store.js";
import { silentLogger } from "../../src/observability/logger.js";
import { failures, RETRY, at } from "../adapters/state/harness.js";
import { runTerrafix } from "../support/cli.js";

function lines(text: string): string[] {
  return text.split("\n").filter(Boolean);
}

async function storeWithJobs(): Promise<{ path: string; keys: string[] }> {
  const path = join(mkdtempSync(join(tmpdir(), "terrafix-cli-")), "state.db");
  const store = await openStateStore(path, { retry: RETRY, logger: silentLogger() });
  await store.upsertFailures(failures(2), at(0));
  const jobs = await store.list({});
  await store.close();
  return { path, keys: jobs.map((j) => j.key) };
}

describe("usage errors and the state store commands", () => {
  it("prints one line and exits 2 for a bad flag value, a missing option or an unknown command", async () => {
    for (const argv of [["cleanup", "--older-than", "thirty"], ["cleanup"], ["frobnicate"], ["process-once", "--limit", "0"]]) {
      const r = await runTerrafix(argv, { LOG_LEVEL: "silent" });
      expect(r.code, argv.join(" ")).toBe(2);
      expect(lines(r.err), argv.join(" ")).toHaveLength(1);
    }
    expect((await runTerrafix(["cleanup", "--older-than", "thirty"])).err).toContain("'thirty' is not a duration");
  });

  it("stats, retry and cleanup name the store they use and never create one", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "terrafix-cli-")), "missing.db");
    for (const argv of [["stats"], ["retry", "--failed"], ["cleanup", "--older-than", "30d"]]) {
      const r = await runTerrafix(argv, { TERRAFIX_STATE_URL: path, LOG_LEVEL: "silent" });
      expect(r.code, argv[0]).toBe(2);
      expect(r.err).toContain(`no state store at ${path}`);
    }
    expect(existsSync(path)).toBe(false);
  });

  it("stats lists the key of every job not done, in text and JSON", async () => {
    const { path, keys } = await storeWithJobs();
    const text = await runTerrafix(["stats"], { TERRAFIX_STATE_URL: path, LOG_LEVEL: "silent" });
    expect(text.code).toBe(0);
    expect(text.out).toContain(`state store: SQLite ${path}`);
    for (const key of keys) expect(text.out).toContain(`${key}  pending`);
    const json = JSON.parse((await runTerrafix(["stats", "--json"], { TERRAFIX_STATE_URL: path, LOG_LEVEL: "silent" })).out) as { stateStore: string; jobs: { key: string; status: string }[] };
    expect(json.stateStore).toBe(`SQLite ${path}`);
    expect(json.jobs.map((j) => j.key).sort()).toEqual([...keys].sort());
  });

  it("retry --key on a key the store does not hold is an error", async () => {
    const { path, keys } = await storeWithJobs();
    const r = await runTerrafix(["retry", "--key", "deadbeef"], { TERRAFIX_STATE_URL: path, LOG_LEVEL: "silent" });
    expect(r.code).toBe(1);
    expect(r.err).toContain("no job with key deadbeef");
    expect(r.err).toContain(`state store: SQLite ${path}`);
    expect((await runTerrafix(["retry", "--key", keys[0] ?? ""], { TERRAFIX_STATE_URL: path, LOG_LEVEL: "silent" })).code).toBe(0);
  });
});

describe("terrafix controls and --test", () => {
  it("lists each control with its title, Checkov ids, Vanta test ids and resource types", async () => {
    const r = await runTerrafix(["controls", "--json"], { TERRAFIX_TEST_MAPPINGS: "acme-kms=kms-rotation" });
    expect(r.code).toBe(0);
    const { controls } = JSON.parse(r.out) as { controls: { id: string; title: string; checkovIds: string[]; vantaTestIds: string[]; resourceTypes: string[] }[] };
    expect(controls.find((c) => c.id === "rds-multi-az")).toEqual({ id: "rds-multi-az", title: "RDS instances are Multi-AZ", checkovIds: ["CKV_AWS_157"], vantaTestIds: ["aws-rds-multi-az-redundancy"], resourceTypes: ["aws_db_instance"] });
    expect(controls.find((c) => c.id === "kms-rotation")?.vantaTestIds).toContain("acme-kms");
    const text = await runTerrafix(["controls"]);
    expect(text.out).toContain("rds-multi-az  RDS instances are Multi-AZ");
  });

  it("an unknown --test is a usage error naming the nearest ids, whatever the generator", async () => {
    for (const generator of ["rules", "llm", "auto"]) {
      const r = await runTerrafix(["fix", "--repo", "demo/repo", "--test", "rds-multi-as", "--name", "acme-prod-db", "--type", "RDS instance", "--generator", generator], { LOG_LEVEL: "silent" });
      expect(r.code, generator).toBe(2);
      expect(lines(r.err)).toHaveLength(1);
      expect(r.err).toContain("nearest: rds-multi-az");
    }
  });

  it("match and check validate --config and the folder's .terrafix.yml", async () => {
    const bad = join(mkdtempSync(join(tmpdir(), "terrafix-cli-")), "bad.yml");
    writeFileSync(bad, "concurrency: lots\n");
    expect((await runTerrafix(["--config", bad, "check", "--repo", "demo/repo"])).code).toBe(2);
    expect((await runTerrafix(["--config", bad, "match", "--repo", "demo/repo", "--name", "acme-prod-db", "--type", "RDS instance"])).code).toBe(2);
    const repo = mkdtempSync(join(tmpdir(), "terrafix-cli-repo-"));
    writeFileSync(join(repo, "main.tf"), 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n');
    writeFileSync(join(repo, ".terrafix.yml"), "pathz: [infra]\n");
    const r = await runTerrafix(["check", "--repo", repo]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(".terrafix.yml is invalid");
  });
});
