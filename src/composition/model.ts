import type { Config } from "../config/options.js";
import { createBedrockFixModel } from "../adapters/bedrock/client.js";
import type { Logger } from "../observability/logger.js";
import type { FixModel } from "../ports/fix-model.js";
import type { ModelPrices } from "../remediation/llm/cost.js";

/**
 * The Bedrock model from configuration. Credentials come from the command's environment when it
 * holds static keys (local runs, tests), else from the SDK's default chain (the ECS task role).
 */
export function createModel(config: Config, env: NodeJS.ProcessEnv, logger: Logger): FixModel {
  const accessKeyId = env["AWS_ACCESS_KEY_ID"];
  const secretAccessKey = env["AWS_SECRET_ACCESS_KEY"];
  const sessionToken = env["AWS_SESSION_TOKEN"];
  return createBedrockFixModel({
    modelId: config.bedrockModelId,
    effort: config.bedrockEffort,
    region: config.awsRegion,
    ...(config.bedrockEndpointUrl === undefined ? {} : { endpoint: config.bedrockEndpointUrl }),
    maxAttempts: config.bedrockMaxAttempts,
    timeoutMs: config.bedrockTimeoutSeconds * 1000,
    ...(accessKeyId !== undefined && secretAccessKey !== undefined
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) } }
      : {}),
    logger,
  });
}

/** Price overrides from configuration; unset prices come from the model catalogue. */
export function modelPrices(config: Config): Partial<ModelPrices> {
  return {
    ...(config.llmInputPricePerMtok === undefined ? {} : { inputPerMtok: config.llmInputPricePerMtok }),
    ...(config.llmOutputPricePerMtok === undefined ? {} : { outputPerMtok: config.llmOutputPricePerMtok }),
    ...(config.llmCacheReadPricePerMtok === undefined ? {} : { cacheReadPerMtok: config.llmCacheReadPricePerMtok }),
    ...(config.llmCacheWritePricePerMtok === undefined ? {} : { cacheWritePerMtok: config.llmCacheWritePricePerMtok }),
  };
}
