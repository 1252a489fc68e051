import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTwoFilesPatch } from "diff";
import { EXIT_JOB_FAILED, EXIT_OK, EXIT_USAGE, type CliIo, type FixOptions } from "../cli/context.js";
import { loadConfig } from "../config/load.js";
import { controlsForTest, parseTestMappings } from "../controls/catalogue.js";
import type { Failure } from "../domain/failure.js";
import type { VerificationReport } from "../domain/change.js";
import { indexRepository } from "../terraform/index.js";
import { matchResource } from "../terraform/match.js";
import type { GenerateStep } from "../pipeline/stages.js";
import { writeFix } from "./fixer.js";
import { prepareIdentity } from "./identity-options.js";
import { matchJson } from "./match-command.js";
import { createModel } from "./model.js";
import { commandLogger } from "./runtime-options.js";
import { createTerraformFormatter } from "./terraform-fmt.js";

/**
 * `terrafix fix` (CLI contract): match the resource in --repo, write a fix for --test with the
 * chosen generator, verify it, print it; `--apply` writes it into --repo. Exit 0 when a verified
 * change exists (or nothing needed fixing), 1 when the job could not be done, 2 on bad usage.
 */
export async function fixCommand(options: FixOptions, io: CliIo): Promise<number> {
  const prepared = await prepareIdentity(options);
  if ("error" in prepared) {
    io.stderr.write(`terrafix fix: ${prepared.error}\n`);
    return EXIT_USAGE;
  }
  const config = loadConfig({ env: io.env, ...(options.config === undefined ? {} : { file: options.config }), overrides: { generator: options.generator } });
  const mappings = parseTestMappings(config.testMappings);
  if (options.generator === "rules" && controlsForTest(options.test, mappings).length === 0) {
    io.stderr.write(`terrafix fix: no control covers test "${options.test}" (known Vanta test id, TerraFix control id, or TERRAFIX_TEST_MAPPINGS)\n`);
    return EXIT_USAGE;
  }
  const logger = commandLogger(config);
  const index = await indexRepository(prepared.repo);
  const match = matchResource(index, prepared.identity, prepared.state === undefined ? {} : { state: prepared.state });
  const matched = matchJson(match);
  const candidate = match.candidates[0];
  if (match.status !== "matched" || candidate === undefined) {
    if (options.json) io.stdout.write(`${JSON.stringify({ match: matched, change: null, verification: null, generator: null })}\n`);
    else io.stdout.write(`${match.status}: ${match.reason}\n`);
    return EXIT_JOB_FAILED;
  }
  const failure: Failure = {
    testId: options.test,
    testName: options.test,
    entityId: "cli",
    displayName: options.name ?? candidate.address,
    responseType: options.type ?? candidate.resource?.type ?? "resource",
    ...(options.arn === undefined ? {} : { arn: options.arn }),
  };
  const model = options.generator === "rules" ? undefined : createModel(config, io.env, logger);
  const step = await writeFix(
    { index, candidate, failure, generator: options.generator },
    { config, logger, model, formatter: createTerraformFormatter(config.terraformBinary) },
    (work) => work(),
  );
  const report = fixReport(step, matched);
  if (options.apply && step.type === "change") {
    for (const file of step.change.files) await writeFile(join(prepared.repo, file.path), file.after);
  }
  if (options.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  else io.stdout.write(humanReport(report, step, options.apply));
  if (step.type === "change" || step.type === "already-compliant") return EXIT_OK;
  return EXIT_JOB_FAILED;
}

interface FixReport {
  match: unknown;
  change: { files: { path: string; diff: string }[] } | null;
  verification: VerificationReport | null;
  generator: "rules" | "llm" | null;
  outcome: GenerateStep["type"];
  reason?: string;
  llm?: unknown;
}

function fixReport(step: GenerateStep, match: unknown): FixReport {
  switch (step.type) {
    case "change":
      return {
        match,
        change: { files: step.change.files.map((f) => ({ path: f.path, diff: createTwoFilesPatch(`a/${f.path}`, `b/${f.path}`, f.before, f.after, "", "", { context: 3 }) })) },
        verification: step.verification,
        generator: step.change.generator,
        outcome: step.type,
        ...(step.llm === undefined ? {} : { llm: step.llm }),
      };
    case "failed":
      return { match, change: null, verification: step.verification ?? null, generator: null, outcome: step.type, reason: step.message, ...(step.llm === undefined ? {} : { llm: step.llm }) };
    case "unsupported":
    case "already-compliant":
      return { match, change: null, verification: null, generator: null, outcome: step.type, reason: step.reason };
  }
}

function humanReport(report: FixReport, step: GenerateStep, applied: boolean): string {
  const lines: string[] = [];
  const m = report.match as { candidates: { address: string; file: string; startLine: number; confidence: number }[] };
  const target = m.candidates[0];
  if (target !== undefined) lines.push(`match: ${target.address} at ${target.file}:${target.startLine} (confidence ${target.confidence.toFixed(2)})`);
  if (report.reason !== undefined) lines.push(`${report.outcome}: ${report.reason}`);
  if (report.verification !== null)
    for (const c of report.verification.checks) lines.push(`  [${c.status === "fail" ? "FAIL" : c.status}] ${c.name}: ${c.detail}`);
  if (report.change !== null) {
    lines.push(`generator: ${String(report.generator)}${step.type === "change" ? `, confidence ${step.change.confidence}` : ""}`, "");
    for (const f of report.change.files) lines.push(f.diff);
    lines.push(applied ? "applied to the repository" : "not applied (use --apply to write the change)");
  }
  return `${lines.join("\n")}\n`;
}
