import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteStateStore } from "../../src/adapters/sqlite/state-store.js";
import { silentLogger } from "../../src/observability/logger.js";
import { plainIssuesOf } from "../fakes/github-state.js";
import { runTerrafix } from "../support/cli.js";
import { startE2e, type E2eEnvironment } from "../support/e2e.js";

let e2e: E2eEnvironment;
beforeEach(async () => {
  e2e = await startE2e(3);
});
afterEach(async () => {
  await e2e.close();
});

const cli = runTerrafix;

describe("terrafix process-once", () => {
  it("opens one pull request per failure, keeps the dashboard, and a second cycle changes nothing", async () => {
    const env = e2e.env({ TERRAFIX_DASHBOARD: "true" });
    const first = await cli(["process-once"], env);
    expect(first.code).toBe(0);
    expect(first.out).toContain("poll: 1 failing test(s), 3 failure(s), 3 new, 0 resolved");
    expect(first.out.match(/^pr-opened /gm)).toHaveLength(3);
    expect(first.out).toContain("3 job(s), 0 errored");
    const pulls = e2e.github.pulls("acme", "infra");
    expect(pulls).toHaveLength(3);
    const [dashboard] = plainIssuesOf(e2e.github.repo("acme", "infra"));
    expect(dashboard?.title).toBe("TerraFix dashboard");
    for (const pull of pulls) expect(dashboard?.body).toContain(`/pull/${pull.number}`);

    const second = await cli(["process-once"], env);
    expect(second.code).toBe(0);
    expect(second.out).toContain("0 job(s), 0 errored");
    expect(e2e.github.pulls("acme", "infra")).toHaveLength(3);
  });

  it("--dry-run writes each would-be pull request as JSON with the contract's fields and opens none", async () => {
    const dir = join(e2e.work, "dry-run");
    const result = await cli(["process-once", "--dry-run", "--limit", "2"], e2e.env({ TERRAFIX_DRY_RUN_DIR: dir }));
    expect(result.code).toBe(0);
    expect(result.out.match(/^dry-run /gm)).toHaveLength(2);
    expect(e2e.github.pulls("acme", "infra")).toHaveLength(0);
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files).toHaveLength(2);
    const record = JSON.parse(readFileSync(join(dir, files[0]!), "utf8")) as Record<string, unknown>;
    expect(Object.keys(record).sort()).toEqual(["address", "body", "branch", "diff", "file", "key", "resource", "testId", "title"]);
    expect(record["diff"]).toContain("aws_s3_bucket_public_access_block");
  });

  it("closes TerraFix's pull request when Vanta stops reporting the failure", async () => {
    const env = e2e.env({ VANTA_FULL_RESYNC_HOURS: "0" });
    expect((await cli(["process-once"], env)).code).toBe(0);
    e2e.vanta.setEntities("aws-s3-public-access-blocked", [{ id: "0".repeat(24), displayName: "bulk-bucket-0", responseType: "S3 bucket" }]);
    const second = await cli(["process-once"], env);
    expect(second.out).toContain("2 resolved");
    const states = e2e.github.pulls("acme", "infra").map((p) => p.state).sort();
    expect(states).toEqual(["closed", "closed", "open"]);
  });

  it("exits 1 and says so when the state store refuses the jobs' outcomes (disk full)", async () => {
    // Issue 16: the run used to exit 0 with the work unrecorded. The real SQLite file refuses
    // every outcome write the way a full disk does (SQLITE_FULL's text), through a trigger.
    const env = e2e.env();
    const path = env["TERRAFIX_STATE_URL"]!;
    const store = new SqliteStateStore({ path, retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1000 }, logger: silentLogger() });
    await store.migrate();
    await store.close();
    const raw = new Database(path);
    raw.exec(`CREATE TRIGGER disk_full BEFORE UPDATE OF outcome ON jobs WHEN NEW.outcome IS NOT NULL BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    raw.close();
    const result = await cli(["process-once"], env);
    expect(result.code).toBe(1);
    expect(result.err).toContain("3 job outcome(s) could not be recorded in the state store");
  });

  it("exits 2 with every missing option named when the configuration is incomplete", async () => {
    const result = await cli(["process-once"], { PATH: process.env["PATH"], TERRAFIX_STATE_URL: join(e2e.work, "x.db") });
    expect(result.code).toBe(2);
    expect(result.err).toContain("VANTA_CLIENT_ID");
    expect(result.err).toContain("GITHUB_TOKEN");
    expect(result.err).toContain("TERRAFIX_REPOSITORIES");
  });
});

describe("a Terraform state file (TERRAFIX_TERRAFORM_STATE)", () => {
  it("tells apart resources whose ARN holds only a generated id", async () => {
    const group = (name: string): string =>
      `resource "aws_security_group" "${name}" {\n  name = "${name}"\n\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n`;
    e2e.github.createRepo("acme", "network", { "main.tf": `${group("a")}\n${group("b")}` });
    const arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0b";
    const example = JSON.parse(readFileSync("examples/failures.json", "utf8")) as { tests: Record<string, unknown>[] };
    const failures = join(e2e.work, "failures.json");
    writeFileSync(failures, JSON.stringify({ tests: [{ ...example.tests[0], id: "firewall-config-server", name: "SSH is not open to the world", entities: [{ id: "0b".padStart(24, "0"), displayName: "sg-0b", responseType: "Security group", arn }] }] }));
    const state = join(e2e.work, "state.json");
    writeFileSync(state, JSON.stringify({ version: 4, resources: [
      { mode: "managed", type: "aws_security_group", name: "a", instances: [{ attributes: { id: "sg-0a", arn: arn.replace("sg-0b", "sg-0a") } }] },
      { mode: "managed", type: "aws_security_group", name: "b", instances: [{ attributes: { id: "sg-0b", arn } }] },
    ] }));
    const env = e2e.env({ TERRAFIX_SOURCE: `file:${failures}`, TERRAFIX_REPOSITORIES: "acme/network" });

    const withoutState = await runTerrafix(["process-once", "--dry-run"], { ...env, TERRAFIX_STATE_URL: join(e2e.work, "one.db"), TERRAFIX_DRY_RUN_DIR: join(e2e.work, "dry-1") });
    expect(withoutState.out).toMatch(/^ambiguous /m);

    const withState = await runTerrafix(["process-once", "--dry-run"], { ...env, TERRAFIX_TERRAFORM_STATE: state, TERRAFIX_STATE_URL: join(e2e.work, "two.db"), TERRAFIX_DRY_RUN_DIR: join(e2e.work, "dry-2") });
    expect(withState.out).toMatch(/^dry-run /m);
    const [file] = readdirSync(join(e2e.work, "dry-2")).filter((f) => f.endsWith(".json"));
    expect((JSON.parse(readFileSync(join(e2e.work, "dry-2", file!), "utf8")) as { address: string }).address).toBe("aws_security_group.b");
  });
});

describe("terrafix retry", () => {
  it("requeues failed jobs so the next cycle opens their pull requests", async () => {
    const env = e2e.env();
    e2e.github.setFault({ method: "POST", path: /\/pulls$/, type: "status", status: 422, times: 100 });
    const first = await runTerrafix(["process-once"], env);
    expect(first.code).toBe(1);
    expect(first.out).toContain("3 job(s), 3 errored");
    e2e.github.clearFaults();
    expect((await runTerrafix(["retry", "--failed", "--dry-run"], env)).out).toContain("would requeue 3 job(s)");
    expect((await runTerrafix(["process-once"], env)).out).toContain("0 job(s)");
    expect((await runTerrafix(["retry", "--failed"], env)).out).toContain("requeued 3 job(s)");
    const again = await runTerrafix(["process-once"], env);
    expect(again.code).toBe(0);
    expect(again.out.match(/^pr-(opened|exists) /gm)).toHaveLength(3);
    expect(e2e.github.pulls("acme", "infra")).toHaveLength(3);
  });
});

describe("terrafix stats and cleanup", () => {
  it("report what process-once recorded and delete old finished records", async () => {
    const env = e2e.env();
    await cli(["process-once"], env);
    const stats = await cli(["stats", "--json"], env);
    expect(stats.code).toBe(0);
    const json = JSON.parse(stats.out) as { total: number; byOutcome: Record<string, number>; stages: { stage: string; count: number; p50: number }[] };
    expect(json.total).toBe(3);
    expect(json.byOutcome["pr-opened"]).toBe(3);
    expect(json.stages.map((s) => s.stage)).toEqual(expect.arrayContaining(["workspace", "index", "match", "generate", "verify", "publish"]));
    const human = await cli(["stats"], env);
    expect(human.out).toContain("pr-opened");
    expect(human.out).toContain("stage latency (ms):");

    expect((await cli(["cleanup", "--older-than", "1d", "--dry-run"], env)).out).toContain("would delete 0 finished record(s)");
    expect((await cli(["cleanup", "--older-than", "0s", "--dry-run"], env)).out).toContain("would delete 3 finished record(s)");
    expect((await cli(["cleanup", "--older-than", "0s"], env)).out).toContain("deleted 3 finished record(s)");
    expect(JSON.parse((await cli(["stats", "--json"], env)).out)).toMatchObject({ total: 0 });
  });
});
