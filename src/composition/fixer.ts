import type { Config } from "../config/options.js";
import { controlsForTest, parseTestMappings } from "../controls/catalogue.js";
import type { Failure } from "../domain/failure.js";
import type { Logger } from "../observability/logger.js";
import type { LlmUsage, GenerateStep } from "../pipeline/stages.js";
import type { FixModel } from "../ports/fix-model.js";
import type { LlmRunStats } from "../remediation/llm/loop.js";
import { generateRuleFix } from "../remediation/rules.js";
import { generateFix, type GeneratorChoice } from "../remediation/strategy.js";
import { verifyChange } from "../remediation/verify.js";
import type { MatchCandidate } from "../terraform/match.js";
import type { RepositoryIndex } from "../terraform/types.js";
import { buildLlmInput } from "./llm-input.js";
import { modelPrices } from "./model.js";

export interface FixerDeps {
  config: Config;
  logger: Logger;
  model: FixModel | undefined;
  formatter: ((text: string) => Promise<string | null>) | undefined;
}

export interface FixRequest {
  index: RepositoryIndex;
  candidate: MatchCandidate;
  failure: Failure;
  generator: GeneratorChoice;
}

/**
 * Rules first, then the model, through the same verification gates (ARCHITECTURE.md
 * "Remediation"); shared by the pipeline and `terrafix fix`.
 */
export async function writeFix(
  request: FixRequest,
  deps: FixerDeps,
  timeVerify: <T>(work: () => Promise<T>) => Promise<T>,
  signal?: AbortSignal,
): Promise<GenerateStep> {
  const { index, candidate, failure } = request;
  const mappings = parseTestMappings(deps.config.testMappings);
  const controls = controlsForTest(failure.testId, mappings);
  const controlIds = controls.map((c) => c.id);
  const targetAddress = candidate.moduleCall?.address ?? candidate.address;
  const target = candidate.resource ?? candidate.moduleCall;
  const control = controls[0];
  const llmInput =
    target === undefined
      ? undefined
      : buildLlmInput(
          index,
          target,
          failure,
          control === undefined ? undefined : { id: control.id, title: control.title, checkDescription: control.title, checkovIds: [...control.checkovIds] },
        );
  const result = await generateFix(
    { generator: request.generator, ...(llmInput === undefined ? {} : { llm: llmInput }) },
    {
      ruleFix: () => {
        if (controlIds.length === 0) return { type: "unsupported", reason: `no rule-based control covers test ${failure.testId}` };
        const rule = generateRuleFix({
          controlIds,
          ...(candidate.resource === undefined ? {} : { target: candidate.resource }),
          ...(candidate.moduleCall === undefined ? {} : { moduleCall: candidate.moduleCall }),
          ctx: index,
          testMappings: mappings,
        });
        return rule.type === "change" ? { type: "change", change: rule.change } : rule;
      },
      verify: (change) =>
        timeVerify(() =>
          verifyChange(
            {
              change,
              controlIds,
              targetAddress,
              files: index.files,
              resources: index.resources,
              testMappings: mappings,
              ...(index.awsProviderMajor === undefined ? {} : { awsProviderMajor: index.awsProviderMajor }),
            },
            deps.formatter === undefined ? {} : { formatter: deps.formatter },
          ),
        ),
      ...(deps.model === undefined
        ? {}
        : {
            llm: {
              model: deps.model,
              logger: deps.logger,
              prices: modelPrices(deps.config),
              maxRounds: deps.config.llmMaxRounds,
              maxModelRetries: deps.config.llmMaxModelRetries,
              maxTokens: deps.config.bedrockMaxTokens,
              promptBudgetTokens: deps.config.llmPromptBudgetTokens,
            },
          }),
    },
    signal,
  );
  const llm = result.type === "change" || result.type === "failed" ? usage(result.llm) : undefined;
  switch (result.type) {
    case "change":
      return { type: "change", change: result.change, verification: result.verification, ...(llm === undefined ? {} : { llm }) };
    case "unsupported":
    case "already-compliant":
      return result;
    case "failed":
      return {
        type: "failed",
        message: result.evidence.message,
        ...(result.evidence.verification === undefined ? {} : { verification: result.evidence.verification }),
        ...(llm === undefined ? {} : { llm }),
      };
  }
}

function usage(stats: LlmRunStats | undefined): LlmUsage | undefined {
  if (stats === undefined) return undefined;
  return {
    modelId: stats.modelId,
    inputTokens: stats.tokens.inputTokens + stats.tokens.cacheReadInputTokens + stats.tokens.cacheWriteInputTokens,
    outputTokens: stats.tokens.outputTokens,
    costUsd: stats.costUsd,
    rounds: stats.rounds,
  };
}
