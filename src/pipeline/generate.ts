import type { ProposedChange, VerificationReport } from "../domain/change.js";
import type { Failure } from "../domain/failure.js";
import type { GenerationResult, LlmUsage } from "../domain/generation.js";
import type { MissingTarget } from "../domain/target.js";
import type { Control } from "../controls/types.js";
import type { Logger } from "../observability/logger.js";
import type { FixModel } from "../ports/fix-model.js";
import type { ModelPrices } from "../remediation/llm/cost.js";
import type { LlmRunStats } from "../remediation/llm/loop.js";
import { buildLlmInput } from "../remediation/llm-context.js";
import { generateRuleFixWithSources } from "../remediation/rules.js";
import { generateFix, type GeneratorChoice } from "../remediation/strategy.js";
import type { MatchCandidate } from "../terraform/match.js";
import type { RepositoryIndex } from "../terraform/types.js";
import { verifyProposal, type VerifyDeps } from "./verify.js";

export interface GenerateInput {
  failure: Failure;
  /**
   * The matched block (its indexed resource or module call), or a `MissingTarget` (an account-wide
   * resource the code lacks: no block, the control's fixMissing adds it).
   */
  target: MatchCandidate | MissingTarget;
  index: RepositoryIndex;
  /** The job's controls, resolved once by the runner. */
  controls: readonly Control[];
  generator: GeneratorChoice;
}

/** The model's limits (TERRAFIX_LLM_*, BEDROCK_MAX_TOKENS) and price overrides (the catalogue entry has the prices). */
export interface LlmSettings {
  prices: Partial<ModelPrices>;
  maxRounds: number;
  maxModelRetries: number;
  maxTokens: number;
  promptBudgetTokens: number;
}

export interface GenerateDeps extends VerifyDeps {
  logger: Logger;
  /** Absent when the generator is `rules` (then the model path answers "unsupported"). */
  model: FixModel | undefined;
  llm: LlmSettings;
}

/**
 * Stage 4: rules first, then the model, every proposal through the verify stage (ARCHITECTURE.md
 * "Remediation"); shared by the daemon and `terrafix fix`. The result says how long verification
 * took, so the runner times the verify stage apart from generation.
 */
export async function generateChange(input: GenerateInput, deps: GenerateDeps, signal?: AbortSignal): Promise<GenerationResult> {
  const { index, target, failure, controls } = input;
  const controlIds = controls.map((c) => c.id);
  const { resource, moduleCall } = "resourceType" in target ? {} : target;
  const block = resource ?? moduleCall;
  const control = controls[0];
  const llmInput =
    block === undefined
      ? undefined
      : buildLlmInput(index, block, failure, control === undefined ? undefined : { id: control.id, title: control.title, checkDescription: control.title, checkovIds: [...control.checkovIds] });
  let verifyMs = 0;
  const verify = async (change: ProposedChange, verifySignal?: AbortSignal): Promise<VerificationReport> => {
    const start = performance.now();
    try {
      return await verifyProposal({ change, targetAddress: target.address, index, controls }, deps, verifySignal);
    } finally {
      verifyMs += performance.now() - start;
    }
  };
  const result = await generateFix(
    { generator: input.generator, ...(llmInput === undefined ? {} : { llm: llmInput }) },
    {
      ruleFix: () => {
        if (controlIds.length === 0) return { type: "unsupported", reason: `no rule-based control covers test ${failure.testId}` };
        return generateRuleFixWithSources({
          controlIds,
          ...(resource === undefined ? {} : { target: resource }),
          ...(moduleCall === undefined ? {} : { moduleCall }),
          ctx: index,
        });
      },
      verify,
      ...(deps.model === undefined ? {} : { llm: { model: deps.model, logger: deps.logger, ...deps.llm } }),
    },
    signal,
  );
  const llm = result.type === "change" || result.type === "failed" ? usage(result.llm) : undefined;
  const extra = { verifyMs, ...(llm === undefined ? {} : { llm }) };
  switch (result.type) {
    case "change":
      return { type: "change", change: result.change, verification: result.verification, ...extra };
    case "unsupported":
    case "already-compliant":
      return { type: result.type, reason: result.reason, verifyMs };
    case "failed":
      return {
        type: "failed",
        message: result.evidence.message,
        ...(result.evidence.verification === undefined ? {} : { verification: result.evidence.verification }),
        ...extra,
      };
  }
}

function usage(stats: LlmRunStats | undefined): LlmUsage | undefined {
  if (stats === undefined) return undefined;
  return {
    modelId: stats.modelId,
    inputTokens: stats.tokens.inputTokens + stats.tokens.cacheReadInputTokens + stats.tokens.cacheWriteInputTokens,
    outputTokens: stats.tokens.outputTokens,
    cacheReadTokens: stats.tokens.cacheReadInputTokens,
    cacheWriteTokens: stats.tokens.cacheWriteInputTokens,
    costUsd: stats.costUsd,
    rounds: stats.rounds,
  };
}
