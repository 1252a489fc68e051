/**
 * `npx tsx bench/eval/fix-sweep.ts DIR [SUBPATH]`: runs `check` over DIR, then the rule fix of every
 * failing (control, resource) pair through the same generate + verify stages as the daemon
 * (terraform fmt gate included when the binary exists), applies each fix to a fresh in-memory index
 * and re-checks the control. Prints one line per pair and the totals. A benchmark, not a test.
 */
import { controlById } from "../../src/controls/catalogue.js";
import { runCatalogue } from "../../src/controls/run-catalogue.js";
import { createTerraformFormatter } from "../../src/adapters/terraform-cli/fmt.js";
import { createLogger } from "../../src/observability/logger.js";
import { generateChange } from "../../src/pipeline/generate.js";
import { indexTerraform } from "../../src/pipeline/index.js";
import { resourceCandidate } from "../../src/terraform/match.js";

async function main(): Promise<void> {
  const [dir, sub] = process.argv.slice(2);
  if (dir === undefined) throw new Error("usage: fix-sweep.ts DIR [SUBPATH]");
  const index = await indexTerraform(dir, sub, {});
  const { findings } = runCatalogue(index);
  const formatter = createTerraformFormatter("terraform");
  const logger = createLogger({ level: "silent" });
  const totals: Record<string, number> = {};
  for (const f of findings.filter((x) => x.result === "fail")) {
    const control = controlById(f.control);
    const resource = index.resources.find((r) => r.address === f.address && r.file === f.file);
    const call = index.moduleCalls.find((m) => m.address === f.address && m.file === f.file);
    if (control === undefined || (resource === undefined && call === undefined)) continue;
    const target = resource !== undefined ? { ...resourceCandidate(resource), confidence: 1, reasons: [] } : { address: call!.address, file: call!.file, startLine: 0, endLine: 0, confidence: 1, reasons: [], moduleCall: call! };
    const step = await generateChange(
      { failure: { testId: control.id, testName: control.id, entityId: "sweep", displayName: f.address, responseType: "x" }, target: target, index, controls: [control], generator: "rules" },
      { logger, model: undefined, llm: { prices: {}, maxRounds: 0, maxModelRetries: 0, maxTokens: 0, promptBudgetTokens: 0 }, ...(formatter === undefined ? {} : { formatter }) },
    );
    let detail = step.type === "change" ? "verified" : step.type === "failed" ? (step.verification?.checks.filter((c) => c.status === "fail").map((c) => `${c.name}: ${c.detail}`).join(" | ") ?? step.message) : step.reason;
    if (step.type === "change") {
      const fmt = step.verification.checks.find((c) => c.name === "fmt");
      if (fmt?.status !== "pass") detail = `fmt ${fmt?.status ?? "absent"}`;
    }
    const outcome = step.type === "change" && detail === "verified" ? "FIXED" : step.type.toUpperCase();
    totals[outcome] = (totals[outcome] ?? 0) + 1;
    process.stdout.write(`${outcome.padEnd(18)} ${f.control.padEnd(24)} ${f.address}  ${detail.slice(0, 300)}\n`);
  }
  process.stdout.write(`${JSON.stringify(totals)}\n`);
}

await main();
