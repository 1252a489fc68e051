import { readFile } from "node:fs/promises";
import { createTerraformFormatter } from "../adapters/terraform-cli/fmt.js";
import type { Config } from "../config/options.js";
import { parseTestMappings } from "../controls/catalogue.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { GenerateDeps } from "../pipeline/generate.js";
import type { RunJobDeps } from "../pipeline/run-job.js";
import type { FixModel } from "../ports/fix-model.js";
import type { Publisher } from "../ports/publisher.js";
import type { RepoWorkspace } from "../ports/repo-workspace.js";
import { createSharedIndexes } from "../pipeline/shared-index.js";
import { loadTerraformState, type TerraformState } from "../terraform/state.js";
import { modelPrices } from "./model.js";
import { parseCacheFor } from "./parse-cache.js";
import { repositories } from "./runtime-options.js";

/** The generate stage's dependencies from configuration (the daemon and `terrafix fix`). */
export function generateDeps(config: Config, model: FixModel | undefined, logger: Logger): GenerateDeps {
  const formatter = createTerraformFormatter(config.terraformBinary);
  return {
    logger,
    model,
    llm: {
      prices: modelPrices(config),
      maxRounds: config.llmMaxRounds,
      maxModelRetries: config.llmMaxModelRetries,
      maxTokens: config.bedrockMaxTokens,
      promptBudgetTokens: config.llmPromptBudgetTokens,
    },
    ...(formatter === undefined ? {} : { formatter }),
  };
}

export interface PipelineAdapters {
  workspace: RepoWorkspace;
  publisher: Publisher;
  model: FixModel | undefined;
  logger: Logger;
  metrics: Metrics;
}

/** Everything `runPipeline` needs, built once per process. */
export function pipelineDeps(config: Config, adapters: PipelineAdapters): RunJobDeps {
  // TERRAFIX_TERRAFORM_STATE is read once, by the first match, and shared by every match after it.
  let state: Promise<TerraformState | undefined> | undefined;
  const file = config.terraformStateFile;
  return {
    ...generateDeps(config, adapters.model, adapters.logger),
    workspace: adapters.workspace,
    publisher: adapters.publisher,
    metrics: adapters.metrics,
    repositories: repositories(config),
    cache: parseCacheFor(config, (message, error) => adapters.logger.warn({ err: error }, message)),
    sharedIndexes: createSharedIndexes(),
    maxFileBytes: config.maxFileBytes,
    loadState: () => (state ??= file === undefined ? Promise.resolve(undefined) : readFile(file, "utf8").then(loadTerraformState)),
    generator: config.generator,
    testMappings: parseTestMappings(config.testMappings),
  };
}
