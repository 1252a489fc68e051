import { createTwoFilesPatch } from "diff";
import { createModel } from "../../composition/model.js";
import { parseCacheFor } from "../../composition/parse-cache.js";
import { generateDeps } from "../../composition/pipeline-deps.js";
import { commandLogger } from "../../composition/runtime-options.js";
import { controlsForTest, parseTestMappings } from "../../controls/catalogue.js";
import type { VerificationReport } from "../../domain/change.js";
import type { Failure } from "../../domain/failure.js";
import type { GenerationResult, LlmUsage } from "../../domain/generation.js";
import { generateChange } from "../../pipeline/generate.js";
import { indexTerraform } from "../../pipeline/index.js";
import { matchRepository, targetOf } from "../../pipeline/match.js";
import { ContainmentError, writeInsideCheckout } from "../../terraform/contained-path.js";
import { EXIT_JOB_FAILED, EXIT_OK, EXIT_USAGE, type CliIo, type FixOptions } from "../context.js";
import { cacheWarning, configOf, localRepoSettings } from "./config.js";
import { unknownTestMessage } from "./controls.js";
import { prepareIdentity } from "./identity-options.js";
import { matchJson, type MatchJson } from "./match.js";

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
  const config = configOf(options, io, { generator: options.generator });
  const { subPath } = await localRepoSettings(options, io, prepared.repo);
  const controls = controlsForTest(options.test, parseTestMappings(config.testMappings));
  // Whatever the generator: an unknown id is a typo far more often than a test for the model.
  const unknown = unknownTestMessage(options.test, config);
  if (unknown !== undefined) {
    io.stderr.write(`terrafix fix: ${unknown}\n`);
    return EXIT_USAGE;
  }
  const logger = commandLogger(config);
  const cache = parseCacheFor(config, cacheWarning(io));
  const index = await indexTerraform(prepared.repo, subPath, { cache, maxFileBytes: config.maxFileBytes });
  const match = await matchRepository(index, prepared.identity, prepared.state === undefined ? {} : { state: prepared.state });
  await cache.flush();
  const matched = matchJson(match);
  // The same answer as the daemon's match stage: a block, an account-wide resource to add, or neither.
  const found = targetOf(match, controls);
  if (found.status === "ambiguous" || found.status === "no-match") {
    if (options.json) io.stdout.write(`${JSON.stringify({ match: matched, change: null, verification: null, generator: null })}\n`);
    else {
      io.stdout.write(`${found.status}: ${found.reason}\n`);
      for (const c of matched.candidates) io.stdout.write(`  candidate: ${c.address}  ${c.file}:${c.startLine}  confidence ${c.confidence.toFixed(2)}  (${c.reasons.join("; ")})\n`);
    }
    return EXIT_JOB_FAILED;
  }
  const { target } = found;
  const failure: Failure = {
    testId: options.test,
    testName: options.test,
    entityId: "cli",
    displayName: options.name ?? target.address,
    responseType: options.type ?? (found.status === "missing" ? found.target.resourceType : found.target.resource?.type) ?? "resource",
    ...(options.arn === undefined ? {} : { arn: options.arn }),
  };
  const model = options.generator === "rules" ? undefined : createModel(config, io.env, logger);
  const step = await generateChange({ failure, target, index, controls, generator: options.generator }, generateDeps(config, model, logger));
  const report = fixReport(step, matched);
  if (options.apply && step.type === "change") {
    try {
      await writeInsideCheckout(prepared.repo, step.change.files.map((f) => ({ path: f.path, text: f.after })));
    } catch (error) {
      // A write through a symlink that leaves the checkout: refused, nothing written.
      if (!(error instanceof ContainmentError)) throw error;
      io.stderr.write(`terrafix fix: ${error.message}\n`);
      return EXIT_JOB_FAILED;
    }
  }
  if (options.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  else io.stdout.write(humanReport(report, step, options.apply));
  // One line on stderr that says why, for scripts and for the operator (the report has the evidence).
  if (step.type === "failed" || step.type === "unsupported") io.stderr.write(`terrafix fix: ${step.type}: ${oneLine(report.reason ?? "")}\n`);
  if (step.type === "change" || step.type === "already-compliant") return EXIT_OK;
  return EXIT_JOB_FAILED;
}

interface FixReport {
  match: MatchJson;
  /** `rationale` says what changed where (a fix made at a value's source names it). */
  change: { files: { path: string; diff: string }[]; rationale: string } | null;
  verification: VerificationReport | null;
  generator: "rules" | "llm" | null;
  outcome: GenerationResult["type"];
  reason?: string;
  llm?: LlmUsage;
}

function fixReport(step: GenerationResult, match: MatchJson): FixReport {
  switch (step.type) {
    case "change":
      return {
        match,
        change: { files: step.change.files.map((f) => ({ path: f.path, diff: createTwoFilesPatch(`a/${f.path}`, `b/${f.path}`, f.before, f.after, "", "", { context: 3 }) })), rationale: step.change.rationale },
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

function humanReport(report: FixReport, step: GenerationResult, applied: boolean): string {
  const lines: string[] = [];
  const target = report.match.candidates[0];
  if (target !== undefined) lines.push(`match: ${target.address} at ${target.file}:${target.startLine} (confidence ${target.confidence.toFixed(2)})`);
  else if (report.match.status === "missing") lines.push(`missing: ${report.match.reason}`);
  if (report.reason !== undefined) lines.push(`${report.outcome}: ${report.reason}`);
  if (report.verification !== null)
    for (const c of report.verification.checks) lines.push(`  [${c.status === "fail" ? "FAIL" : c.status}] ${c.name}: ${c.detail}`);
  if (report.change !== null) {
    lines.push(`generator: ${String(report.generator)}${step.type === "change" ? `, confidence ${step.change.confidence}` : ""}`);
    for (const line of report.change.rationale.split("\n")) if (line.trim() !== "") lines.push(`change: ${line}`);
    lines.push("");
    for (const f of report.change.files) lines.push(f.diff);
    lines.push(applied ? "applied to the repository" : "not applied (use --apply to write the change)");
  }
  return `${lines.join("\n")}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}
