import { spawnSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCatalogue } from "../../src/controls/run-catalogue.js";
import { controlsForTest } from "../../src/controls/catalogue.js";
import { contextOf } from "../controls/helpers.js";
import { runTerrafix } from "../support/cli.js";
import { startE2e, type E2eEnvironment } from "../support/e2e.js";
import { goatRepo, goatScenario } from "../support/goat-repo.js";

const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).error === undefined;

let e2e: E2eEnvironment;
beforeEach(async () => {
  e2e = await startE2e(0);
  e2e.github.createRepo("acme", "goat", goatRepo());
  e2e.vanta.setTests(goatScenario().tests);
});
afterEach(async () => {
  await e2e.close();
});

/**
 * The done-when of issue 14 on code in real idioms: Vanta reports failures by displayName and
 * responseType only, for resources whose names are built from a data source, a locals map and
 * `count`, in files mixing v3 inline and v4 split S3 and legacy interpolation.
 */
describe("terrafix process-once on a TerraGoat-like repository", () => {
  it(`opens a pull request for every fixable failure and none for a bucket nobody defines${terraform ? "" : " (fmt gate skipped: terraform binary not on PATH)"}`, async () => {
    const { tests, fixable } = goatScenario();
    const env = e2e.env({ TERRAFIX_REPOSITORIES: "acme/goat", TERRAFIX_GROUP_BY_RESOURCE: "false" });
    const result = await runTerrafix(["process-once"], env);

    const total = tests.reduce((n, t) => n + (t.entities?.length ?? 0), 0);
    expect(result.out).toContain(`poll: ${tests.length} failing test(s), ${total} failure(s), ${total} new`);
    expect(result.out.match(/^pr-opened /gm) ?? [], result.out).toHaveLength(fixable);
    expect(result.out).toMatch(/^no-match .*123456789012-acme-dev-backups/m);
    const pulls = e2e.github.pulls("acme", "goat");
    expect(pulls).toHaveLength(fixable);
    expect(pulls.every((p) => p.state === "open")).toBe(true);
    expect(result.code).toBe(0);

    // The log group's retention comes from a variable: its PR changes the default and says so.
    const retention = pulls.find((p) => p.head.startsWith("terrafix/logs-retained-for-twelve-months-config/"));
    expect(retention?.body).toContain("changed at source: consts.tf default of var.log_retention_days");
    expect(e2e.github.files("acme", "goat", retention?.head)["consts.tf"]).toContain("  default = 365\n");

    // Each branch passes the control it was opened for, on the whole repository as committed.
    for (const pull of pulls) {
      const files = e2e.github.files("acme", "goat", pull.head);
      const testId = pull.head.split("/")[1] ?? "";
      const controls = controlsForTest(testId).map((c) => c.id);
      const ctx = await contextOf(Object.fromEntries(Object.entries(files).filter(([p]) => p.endsWith(".tf"))));
      const address = /`((?:module\.[\w-]+\.)*aws_[\w]+\.[\w-]+(?:\[\d+\])?)`/.exec(pull.body ?? "")?.[1];
      expect(address, pull.title).toBeDefined();
      const still = runCatalogue(ctx).findings.filter((f) => controls.includes(f.control) && f.address === address?.replace(/\[\d+\]$/, "") && f.result === "fail");
      expect(still, `${pull.title}: ${testId} still fails on ${address ?? "?"}`).toEqual([]);
      // No interpolation-only string written by the fix (the legacy ones of the repository stay).
      for (const [path, text] of Object.entries(files)) {
        const added = text.split("\n").filter((l) => !(goatRepo()[path] ?? "").split("\n").includes(l));
        expect(added.filter((l) => /=\s*"\$\{[^}]*\}"\s*$/.test(l)), `${pull.title} ${path}`).toEqual([]);
      }
    }
  });
});
