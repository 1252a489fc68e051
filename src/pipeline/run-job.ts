import { isIgnored } from "../config/repo-config.js";
import { controlsForTest } from "../controls/catalogue.js";
import type { ProposedChange, VerificationReport } from "../domain/change.js";
import type { Failure } from "../domain/failure.js";
import type { GenerationResult } from "../domain/generation.js";
import type { Outcome } from "../domain/outcome.js";
import { coerceError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { StageTimer } from "../observability/stage-timer.js";
import { repoSlug } from "../ports/repo-workspace.js";
import type { GeneratorChoice } from "../remediation/strategy.js";
import { generateChange, type GenerateDeps } from "./generate.js";
import { indexCheckouts, type IndexDeps } from "./index.js";
import { matchFailure, type MatchDeps, type MatchOutput } from "./match.js";
import { publishChange, type PublishDeps } from "./publish/index.js";
import { verifyProposal } from "./verify.js";
import { acquireCheckouts, type WorkspaceDeps } from "./workspace.js";

export interface RunJobDeps extends WorkspaceDeps, IndexDeps, MatchDeps, GenerateDeps, PublishDeps {
  generator: GeneratorChoice;
  /** TERRAFIX_TEST_MAPPINGS, parsed once per process. */
  testMappings: Readonly<Record<string, string>>;
  logger: Logger;
  metrics?: Metrics;
}

export interface JobInput {
  key: string;
  failure: Failure;
  attempt?: number;
}

export interface JobReport {
  outcome: Outcome;
  timings: Record<string, number>;
  detail: Record<string, unknown>;
}

/**
 * Runs one failure through workspace -> index -> match -> generate (+verify) -> publish, timing
 * each stage. Never throws: errors become a `failed` outcome with their kind, expected results
 * (no match, unsupported, PR exists...) are outcome values. Logs one "job finished" line.
 */
export async function runPipeline(job: JobInput, deps: RunJobDeps, signal: AbortSignal): Promise<JobReport> {
  const logger = deps.logger.child({ key: job.key, testId: job.failure.testId, resource: job.failure.displayName });
  const timer = new StageTimer(deps.metrics?.stageSeconds);
  const detail: Record<string, unknown> = {};
  const release: (() => void)[] = [];
  let outcome: Outcome;
  try {
    outcome = await stages(job, deps, signal, timer, release, detail);
  } catch (error) {
    const e = coerceError(error);
    outcome = { type: "failed", kind: e.kind, message: e.message, retryable: e.retryable };
    Object.assign(detail, { stage: e.stage, status: e.status });
  } finally {
    for (const r of release) r();
  }
  // The model's cost stays with the job record whatever came after generation (publish may fail).
  const llm = detail["llm"] as Outcome["llm"];
  if (llm !== undefined) outcome = { ...outcome, llm };
  const gates = detail["gates"] as Outcome["gates"];
  if (gates !== undefined) outcome = { ...outcome, gates };
  delete detail["gates"]; // the log line has them as `verification`

  const total = timer.elapsed();
  deps.metrics?.jobSeconds.observe({ outcome: outcome.type }, total / 1000);
  const level = outcome.type === "failed" ? "warn" : "info";
  logger[level]({ outcome, timings: timer.timings, totalMs: total, attempt: job.attempt, ...detail }, "job finished");
  return { outcome, timings: { ...timer.timings, total }, detail };
}

async function stages(job: JobInput, deps: RunJobDeps, signal: AbortSignal, timer: StageTimer, release: (() => void)[], detail: Record<string, unknown>): Promise<Outcome> {
  const { failure, key } = job;
  const controls = controlsForTest(failure.testId, deps.testMappings);
  if (controls.length === 0 && deps.model === undefined) return unmappedTest(failure.testId);

  const workspace = await timer.time("workspace", () => acquireCheckouts({ failure }, deps, signal));
  release.push(() => workspace.release());
  if (workspace.status === "skip") return workspace.outcome;

  const repos = await timer.time("index", () => indexCheckouts(workspace.checkouts, deps, signal));

  const match = await timer.time("match", () => matchFailure({ failure, repos, controls }, deps, signal));
  if (match.status === "ambiguous" || match.status === "no-match") return unmatched(match);
  const { target, repo } = match;
  Object.assign(
    detail,
    { address: target.address, repo: repoSlug(repo.checkout.repo) },
    match.status === "missing" ? { missing: true } : { file: match.target.file, startLine: match.target.startLine, confidence: match.target.confidence },
  );
  if (isIgnored(repo.config.ignoreResources, target.address, failure.displayName)) return { type: "ignored", reason: `.terrafix.yml ignores ${target.address}` };

  const started = performance.now();
  const generation = await generateChange({ failure, target, index: repo.index, controls, generator: deps.generator }, deps, signal);
  timer.record("generate", performance.now() - started - generation.verifyMs);
  timer.record("verify", generation.verifyMs);
  noteGeneration(generation, detail, deps.metrics);
  if (generation.type !== "change") return notGenerated(generation);

  signal.throwIfAborted();
  // Grouping with an open PR for the same resource re-runs the gates on the combined change.
  const reverify = (change: ProposedChange): Promise<VerificationReport> => verifyProposal({ change, targetAddress: target.address, index: repo.index, controls }, deps, signal);
  return timer.time("publish", () => publishChange({ key, failure, repo, target, generation, reverify }, deps, signal));
}

/**
 * No control covers the test and no model may write the fix (TERRAFIX_GENERATOR=rules): the
 * operator has to map the test. A configuration problem (failed(config)), not finished work.
 */
function unmappedTest(testId: string): Outcome {
  return {
    type: "failed",
    kind: "config",
    message: `no control covers test ${testId} and TERRAFIX_GENERATOR=rules: map it with TERRAFIX_TEST_MAPPINGS=${testId}=<control id> (\`terrafix controls\` lists them)`,
    retryable: false,
  };
}

function unmatched(match: Extract<MatchOutput, { status: "ambiguous" | "no-match" }>): Outcome {
  return match.status === "ambiguous" ? { type: "ambiguous", reason: match.reason, candidates: match.candidates } : { type: "no-match", reason: match.reason };
}

function notGenerated(generation: Exclude<GenerationResult, { type: "change" }>): Outcome {
  switch (generation.type) {
    case "unsupported":
      return { type: "unsupported", reason: generation.reason };
    case "already-compliant":
      return { type: "no-match", reason: `the matched block already passes: ${generation.reason}` };
    case "failed":
      return { type: "failed", kind: "verification", message: generation.message, retryable: false };
  }
}

/** The "job finished" fields of the generation and the model's token counters. */
function noteGeneration(generation: GenerationResult, detail: Record<string, unknown>, metrics: Metrics | undefined): void {
  if (generation.llm !== undefined) {
    detail["llm"] = generation.llm;
    metrics?.llmTokens.inc({ direction: "input" }, generation.llm.inputTokens);
    metrics?.llmTokens.inc({ direction: "output" }, generation.llm.outputTokens);
  }
  const report = generation.type === "change" ? generation.verification : generation.type === "failed" ? generation.verification : undefined;
  if (report !== undefined) detail["gates"] = report.checks.map((c) => ({ name: c.name, status: c.status, detail: c.detail }));
  if (generation.type === "failed") detail["verification"] = generation.verification?.checks.filter((c) => c.status === "fail");
  if (generation.type === "change")
    Object.assign(detail, {
      generator: generation.change.generator,
      verification: { passed: generation.verification.passed, checks: generation.verification.checks.map((c) => ({ name: c.name, status: c.status, passed: c.passed, detail: c.detail })) },
    });
}
