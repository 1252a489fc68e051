import { loadRepoConfig, isIgnored } from "../config/repo-config.js";
import { branchName, type Failure } from "../domain/failure.js";
import type { Outcome } from "../domain/outcome.js";
import { coerceError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { StageTimer } from "../observability/stage-timer.js";
import type { Publisher } from "../ports/publisher.js";
import type { CheckoutLease, RepoWorkspace } from "../ports/repo-workspace.js";
import type { IndexedCheckout, PipelineStages } from "./stages.js";

export interface RunJobDeps<Index> {
  workspace: RepoWorkspace;
  publisher: Publisher;
  stages: PipelineStages<Index>;
  logger: Logger;
  metrics?: Metrics;
}

export interface JobInput {
  key: string;
  failure: Failure;
  attempt?: number;
}

/**
 * Runs one failure through workspace -> index -> match -> generate (+verify) -> publish, timing
 * each stage. Never throws: errors become a `failed` outcome with their kind, expected results
 * (no match, unsupported, PR exists...) are outcome values. Logs one "job finished" line.
 */
export async function runPipeline<Index>(
  job: JobInput,
  deps: RunJobDeps<Index>,
  signal: AbortSignal,
): Promise<{ outcome: Outcome; timings: Record<string, number>; detail: Record<string, unknown> }> {
  const { failure, key } = job;
  const logger = deps.logger.child({ key, testId: failure.testId, resource: failure.displayName });
  const timer = new StageTimer(deps.metrics?.stageSeconds);
  const leases: CheckoutLease[] = [];
  let outcome: Outcome;
  let detail: Record<string, unknown> = {};
  try {
    outcome = await stages(job, deps, signal, timer, leases, (d) => {
      detail = { ...detail, ...d };
    });
  } catch (error) {
    const e = coerceError(error);
    outcome = { type: "failed", kind: e.kind, message: e.message, retryable: e.retryable };
    detail = { ...detail, stage: e.stage, status: e.status };
  } finally {
    for (const lease of leases) lease.release();
  }
  const total = timer.elapsed();
  deps.metrics?.jobSeconds.observe({ outcome: outcome.type }, total / 1000);
  const level = outcome.type === "failed" ? "warn" : "info";
  logger[level]({ outcome, timings: timer.timings, totalMs: total, attempt: job.attempt, ...detail }, "job finished");
  return { outcome, timings: { ...timer.timings, total }, detail };
}

async function stages<Index>(
  job: JobInput,
  deps: RunJobDeps<Index>,
  signal: AbortSignal,
  timer: StageTimer,
  leases: CheckoutLease[],
  note: (detail: Record<string, unknown>) => void,
): Promise<Outcome> {
  const { failure, key } = job;
  const { stages: s } = deps;
  const repos = s.repositoriesFor(failure);
  if (repos.length === 0) return { type: "no-match", reason: "no repository is configured for this failure" };

  const checkouts = await timer.time("workspace", async () => {
    const result = [];
    for (const repo of repos) {
      signal.throwIfAborted();
      const lease = await deps.workspace.acquire(repo, signal);
      leases.push(lease);
      result.push({ checkout: lease, config: await loadRepoConfig(lease.dir) });
    }
    return result;
  });
  const relevant = checkouts.filter(
    (c) => !isIgnored(c.config.ignoreTests, failure.testId) && (c.config.accounts.length === 0 || failure.account === undefined || c.config.accounts.includes(failure.account)),
  );
  if (relevant.length === 0) return { type: "ignored", reason: "every repository's .terrafix.yml ignores this test or account" };

  const indexed: IndexedCheckout<Index>[] = await timer.time("index", async () => {
    const out: IndexedCheckout<Index>[] = [];
    for (const c of relevant) out.push({ ...c, index: await s.index(c.checkout, c.config, signal) });
    return out;
  });

  const match = await timer.time("match", () => Promise.resolve(s.match(indexed, failure)));
  if (match.status === "no-match") return { type: "no-match", reason: match.reason };
  if (match.status === "ambiguous") return { type: "ambiguous", reason: match.reason, candidates: match.candidates };
  note({
    address: match.target.address,
    file: match.target.file,
    startLine: match.target.startLine,
    confidence: match.target.confidence,
    repo: `${match.repo.checkout.repo.owner}/${match.repo.checkout.repo.name}`,
  });
  if (isIgnored(match.repo.config.ignoreResources, match.target.address, failure.displayName))
    return { type: "ignored", reason: `.terrafix.yml ignores ${match.target.address}` };

  let verifyMs = 0;
  const generateStart = performance.now();
  const generated = await s.generate({ failure, match }, async (work) => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      verifyMs += performance.now() - start;
    }
  }, signal);
  timer.record("generate", performance.now() - generateStart - verifyMs);
  timer.record("verify", verifyMs);
  const llm = "llm" in generated ? generated.llm : undefined;
  if (llm !== undefined) {
    note({ llm });
    deps.metrics?.llmTokens.inc({ direction: "input" }, llm.inputTokens);
    deps.metrics?.llmTokens.inc({ direction: "output" }, llm.outputTokens);
  }
  switch (generated.type) {
    case "unsupported":
      return { type: "unsupported", reason: generated.reason };
    case "already-compliant":
      return { type: "no-match", reason: `the matched block already passes: ${generated.reason}` };
    case "failed":
      note({ verification: generated.verification?.checks.filter((c) => c.status === "fail") });
      return { type: "failed", kind: "verification", message: generated.message, retryable: false };
    case "change":
      note({
        generator: generated.change.generator,
        verification: { passed: generated.verification.passed, checks: generated.verification.checks.map((c) => ({ name: c.name, status: c.status, passed: c.passed, detail: c.detail })) },
      });
      break;
  }

  signal.throwIfAborted();
  const branch = branchName(failure.testId, key);
  return timer.time("publish", () =>
    deps.publisher.publish(
      {
        key,
        failure,
        repo: match.repo.checkout.repo,
        checkout: match.repo.checkout,
        branch,
        target: match.target,
        change: generated.change,
        verification: generated.verification,
        ...(generated.llm === undefined ? {} : { llm: generated.llm }),
        ...(s.publishExtras?.(match.repo) ?? {}),
      },
      signal,
    ),
  );
}
