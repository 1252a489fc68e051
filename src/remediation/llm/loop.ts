import { failedChecks as failedGates, type ProposedChange, type VerificationCheck, type VerificationReport } from "../../domain/change.js";
import type { Logger } from "../../observability/logger.js";
import {
  addUsage,
  emptyUsage,
  isFixModelError,
  type FixModel,
  type FixModelErrorCode,
  type FixModelRequest,
  type FixModelResponse,
  type ModelPrices,
  type ModelTurn,
  type TokenUsage,
} from "../../ports/fix-model.js";
import { applyProposal } from "./apply.js";
import { judgeAnswer, unknownToolResult, type AnswerOutcome } from "./answer.js";
import { DEFAULT_ANSWER_TOKENS, DEFAULT_PROMPT_BUDGET, jobBudgets } from "./budget.js";
import { costUsd } from "./cost.js";
import { feedbackText, schemaFeedbackText } from "./feedback.js";
import type { LlmFixInput } from "./input.js";
import { buildPrompt } from "./prompt.js";
import { Proposal, TOOL_DESCRIPTION, TOOL_NAME, describeIssues, proposalJsonSchema } from "./schema.js";

export type VerifyChange = (change: ProposedChange, signal?: AbortSignal) => Promise<VerificationReport>;

export interface LlmFixDeps {
  model: FixModel;
  /** The same gates as for rule-based fixes (injected: remediation/verify). */
  verify: VerifyChange;
  logger: Logger;
  /** Price overrides (config TERRAFIX_LLM_*_PRICE_PER_MTOK); the rest come from the model's catalogue entry. */
  prices?: Partial<ModelPrices>;
  /** Proposals verified per job (config TERRAFIX_LLM_MAX_ROUNDS). */
  maxRounds?: number;
  /** Answer tokens in Sonnet 4.5 tokens (config BEDROCK_MAX_TOKENS); scaled by the model's token ratio, plus room for thinking. */
  maxTokens?: number;
  /** Prompt budget in the model's tokens (config TERRAFIX_LLM_PROMPT_BUDGET_TOKENS). */
  promptBudgetTokens?: number;
  /** Answers without a usable tool call (no call, cut off, schema violation) tolerated per job. */
  maxMalformedRetries?: number;
  /** Job-level retries of ModelTimeoutException and ServiceQuotaExceededException per call. */
  maxModelRetries?: number;
  retryDelayMs?: (attempt: number, code: FixModelErrorCode) => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface LlmRunStats {
  tokens: TokenUsage;
  costUsd: number;
  /** Proposals that reached application/verification. */
  rounds: number;
  modelCalls: number;
  modelId: string;
  /** Catalogue entry of the model (`unknown` for an id the catalogue does not know). */
  modelFamily: string;
}

export type LlmAttemptOutcome = AnswerOutcome | "invalid-output" | "not-applicable" | "rejected" | "passed" | "model-retry";

/** One model answer (or retried model error) and what became of it: the evidence of a job. */
export interface LlmAttemptRecord {
  round: number;
  outcome: LlmAttemptOutcome;
  detail: string;
  stopReason?: string;
  requestId?: string;
  failedChecks?: VerificationCheck[];
}

export interface LlmEvidence {
  message: string;
  attempts: LlmAttemptRecord[];
  lastVerification?: VerificationReport;
  lastProposal?: Proposal;
}

export type LlmFixResult =
  | { type: "change"; change: ProposedChange; verification: VerificationReport; llm: LlmRunStats; attempts: LlmAttemptRecord[] }
  | { type: "failed"; kind: "verification"; evidence: LlmEvidence; llm: LlmRunStats };

/**
 * The repair loop: ask the model, validate the tool input, apply it, verify it; feed any failure
 * back as a tool result and try again, at most `maxRounds` verified proposals. Every assistant
 * turn is kept as received (reasoning blocks included) and replayed in later rounds. Model
 * errors other than timeouts/quota are thrown (as FixModelError) for the pipeline to record.
 */
export async function runLlmFix(input: LlmFixInput, deps: LlmFixDeps, signal?: AbortSignal): Promise<LlmFixResult> {
  const maxRounds = deps.maxRounds ?? 3;
  const maxMalformed = deps.maxMalformedRetries ?? 2;
  const profile = deps.model.profile;
  const prices: ModelPrices = { ...profile.prices, ...definedOnly(deps.prices ?? {}) };
  const logger = deps.logger.child({ component: "llm-fix", target: input.target.address, modelId: deps.model.modelId });
  const budgets = jobBudgets(profile, deps.maxTokens ?? DEFAULT_ANSWER_TOKENS, deps.promptBudgetTokens ?? DEFAULT_PROMPT_BUDGET);
  let prompt = buildPrompt(input, { budgetTokens: budgets.promptBudgetChars4 });
  let shrunk = false;
  if (prompt.truncated.length > 0 || prompt.omitted.length > 0 || prompt.overBudget) {
    logger.info({ truncated: prompt.truncated, omitted: prompt.omitted, overBudget: prompt.overBudget }, "prompt context truncated");
  }
  const turns: ModelTurn[] = [{ role: "user", text: prompt.user }];
  const attempts: LlmAttemptRecord[] = [];
  let usage = emptyUsage();
  let modelCalls = 0;
  let rounds = 0;
  let malformed = 0;
  let answerTokens = budgets.answerTokens;
  let lastVerification: VerificationReport | undefined;
  let lastProposal: Proposal | undefined;
  const stats = (): LlmRunStats => ({ tokens: usage, costUsd: costUsd(usage, prices), rounds, modelCalls, modelId: deps.model.modelId, modelFamily: profile.family });
  const fail = (message: string): LlmFixResult => {
    logger.info({ rounds, modelCalls, attempts: attempts.length }, "llm fix failed");
    return {
      type: "failed",
      kind: "verification",
      evidence: { message, attempts, ...(lastVerification === undefined ? {} : { lastVerification }), ...(lastProposal === undefined ? {} : { lastProposal }) },
      llm: stats(),
    };
  };

  while (rounds < maxRounds) {
    signal?.throwIfAborted();
    const request: FixModelRequest = {
      system: prompt.system,
      turns: [...turns],
      toolName: TOOL_NAME,
      toolDescription: TOOL_DESCRIPTION,
      toolSchema: proposalJsonSchema(),
      maxTokens: Math.min(profile.maxOutputTokens, answerTokens + profile.thinkingReserveTokens),
    };
    let response: FixModelResponse;
    try {
      response = await callWithRetries(request, deps, attempts, rounds + 1, signal, () => (modelCalls += 1));
    } catch (error) {
      // Longer than the context window on the first call: once more with half of the prompt
      // that was sent (fewer related blocks; the target is always kept). Otherwise (or again)
      // the error names the limit.
      if (!isFixModelError(error) || error.code !== "context-exceeded" || shrunk || turns.length > 1) throw error;
      shrunk = true;
      prompt = buildPrompt(input, { budgetTokens: Math.max(1, Math.floor(Math.min(budgets.promptBudgetChars4, prompt.estimatedTokens) / 2)) });
      attempts.push({ round: rounds + 1, outcome: "model-retry", detail: `context-exceeded: retrying once with less context (${prompt.omitted.length} related block(s) left out)` });
      logger.warn({ omitted: prompt.omitted.length, truncated: prompt.truncated.length }, "prompt longer than the model's context window; retrying once with less context");
      turns.splice(0, turns.length, { role: "user", text: prompt.user });
      continue;
    }
    usage = addUsage(usage, response.usage);
    const base = { round: rounds + 1, stopReason: response.stopReason, ...(response.requestId === undefined ? {} : { requestId: response.requestId }) };

    const verdict = judgeAnswer(response);
    if (verdict.type === "stop") {
      attempts.push({ ...base, outcome: verdict.outcome, detail: verdict.detail });
      return fail(verdict.detail);
    }
    if (verdict.type === "retry" || verdict.type === "repair") {
      attempts.push({ ...base, outcome: verdict.outcome, detail: verdict.detail });
      if (verdict.type === "repair") turns.push(...verdict.turns);
      if (verdict.type === "retry" && verdict.moreTokens) answerTokens = Math.min(answerTokens * 2, profile.maxOutputTokens);
      malformed += 1;
      if (malformed > maxMalformed) return fail(`the model gave no usable ${TOOL_NAME} call in ${malformed} answers (last: ${verdict.detail})`);
      continue;
    }
    const toolUse = verdict.call;
    turns.push(verdict.assistant, ...verdict.others.map((c) => unknownToolResult(c)));

    const parsed = Proposal.safeParse(toolUse.input);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      attempts.push({ ...base, outcome: "invalid-output", detail: `tool input does not match the schema:\n${issues}` });
      turns.push({ role: "tool-result", toolUseId: toolUse.id, text: schemaFeedbackText(issues), isError: true });
      malformed += 1;
      if (malformed > maxMalformed) return fail(`the model's tool input failed the schema ${malformed} times`);
      continue;
    }
    const proposal = parsed.data;
    lastProposal = proposal;
    rounds += 1;

    const applied = applyProposal(input, proposal);
    if (!applied.ok) {
      attempts.push({ ...base, outcome: "not-applicable", detail: applied.problems.join("\n") });
      logger.info({ round: rounds, problems: applied.problems.length }, "llm proposal not applicable");
      turns.push({ role: "tool-result", toolUseId: toolUse.id, text: feedbackText(rounds, maxRounds, applied.problems), isError: true });
      continue;
    }
    const change: ProposedChange = {
      files: applied.files,
      generator: "llm",
      rationale: proposal.rationale,
      confidence: proposal.confidence,
      risks: proposal.risks,
      ...(input.control === undefined ? {} : { controlId: input.control.id }),
    };
    const report = await deps.verify(change, signal);
    lastVerification = report;
    if (report.passed) {
      attempts.push({ ...base, outcome: "passed", detail: "all verification checks passed" });
      logger.info({ rounds, modelCalls, usage }, "llm fix verified");
      return { type: "change", change, verification: report, llm: stats(), attempts };
    }
    const failedChecks = failedGates(report);
    attempts.push({ ...base, outcome: "rejected", detail: failedChecks.map((c) => `${c.name}: ${c.detail}`).join("\n"), failedChecks });
    logger.info({ round: rounds, failed: failedChecks.map((c) => c.name) }, "llm proposal rejected by verification");
    turns.push({
      role: "tool-result",
      toolUseId: toolUse.id,
      text: feedbackText(rounds, maxRounds, failedChecks.map((c) => `${c.name}: ${c.detail}`)),
      isError: true,
    });
  }
  return fail(`no proposal passed verification in ${maxRounds} rounds${lastProblem(attempts)}`);
}

/** ModelTimeout and quota errors: the SDK did not retry them (services.md §1.5), so we do, bounded. */
async function callWithRetries(
  request: FixModelRequest,
  deps: LlmFixDeps,
  attempts: LlmAttemptRecord[],
  round: number,
  signal: AbortSignal | undefined,
  counted: () => void,
): Promise<FixModelResponse> {
  const maxRetries = deps.maxModelRetries ?? 2;
  const delay = deps.retryDelayMs ?? defaultRetryDelay;
  const sleep = deps.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt += 1) {
    counted();
    try {
      return await deps.model.propose(request, signal);
    } catch (error) {
      const retryable = isFixModelError(error) && (error.code === "model-timeout" || error.code === "quota");
      if (!retryable || attempt > maxRetries) throw error;
      attempts.push({ round, outcome: "model-retry", detail: `${error.code}: ${error.message}`, ...(error.requestId === undefined ? {} : { requestId: error.requestId }) });
      await sleep(delay(attempt, error.code), signal);
    }
  }
}

/** Timeouts retry soon; "quota exceeded, resubmit later" waits much longer. */
export function defaultRetryDelay(attempt: number, code: FixModelErrorCode): number {
  const base = code === "quota" ? 30_000 : 2_000;
  return base * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The last round's first problem, on the same line: what an operator reads first. */
function lastProblem(attempts: readonly LlmAttemptRecord[]): string {
  const last = attempts.at(-1);
  if (last === undefined) return "";
  const first = last.detail.split("\n")[0] ?? "";
  return first === "" ? "" : ` (last: ${first.length > 200 ? `${first.slice(0, 200)}…` : first})`;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
