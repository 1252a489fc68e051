/**
 * The fake Bedrock's own table of what each Claude model accepts on Converse, written from
 * shared/reference/bedrock-models.md and services.md §1 — deliberately NOT imported from
 * src/adapters/bedrock/models.ts, so that a wrong catalogue entry in TerraFix is caught by the
 * fake instead of agreeing with it.
 */
export type FakeFamily = "claude-sonnet-5-5" | "claude-sonnet-5" | "claude-sonnet-4-6" | "claude-sonnet-4-5";

export interface FakeModelRules {
  family: FakeFamily;
  /** Foundation-model id (after a profile prefix). */
  baseId: string;
  /** Any sampling parameter is a 400 (5-series), or only temperature+topP together (4.x). */
  sampling: "none" | "one-of";
  /** toolChoice.tool / toolChoice.any accepted (only while the model does not think). */
  forcedToolChoice: boolean;
  /** Thinking with no `thinking` field. */
  thinkingDefault: "off" | "adaptive";
  /** Accepted `thinking.type` values. */
  thinkingTypes: readonly string[];
  /** `between_tools` only up to this effort. */
  betweenToolsMaxEffort?: string;
  efforts: readonly string[];
  prefill: boolean;
  maxOutputTokens: number;
  /** Input context window (tokens, counted as the fake counts them: chars/4 of the request JSON). */
  contextTokens: number;
  /** `toolSpec.strict` / `outputConfig.textFormat` accepted (not on Bedrock for Sonnet 5.5, ref §3). */
  structuredOutputs: boolean;
  cacheMinTokens: number;
  /** How reasoning text comes back: Sonnet 5.5 omits it (empty text, signature kept). */
  reasoningDisplay: "omitted" | "summarized";
}

export const FAKE_MODELS: readonly FakeModelRules[] = [
  {
    family: "claude-sonnet-5-5",
    baseId: "anthropic.claude-sonnet-5-5",
    sampling: "none",
    forcedToolChoice: false,
    thinkingDefault: "adaptive",
    thinkingTypes: ["adaptive", "between_tools"],
    betweenToolsMaxEffort: "high",
    efforts: ["low", "medium", "high", "xhigh", "max"],
    prefill: false,
    maxOutputTokens: 128_000,
    contextTokens: 1_000_000,
    structuredOutputs: false,
    cacheMinTokens: 512,
    reasoningDisplay: "omitted",
  },
  {
    family: "claude-sonnet-5",
    baseId: "anthropic.claude-sonnet-5",
    sampling: "none",
    forcedToolChoice: false,
    thinkingDefault: "adaptive",
    thinkingTypes: ["adaptive"],
    efforts: ["low", "medium", "high", "xhigh", "max"],
    prefill: false,
    maxOutputTokens: 128_000,
    contextTokens: 1_000_000,
    structuredOutputs: true,
    cacheMinTokens: 1024,
    reasoningDisplay: "summarized",
  },
  {
    family: "claude-sonnet-4-6",
    baseId: "anthropic.claude-sonnet-4-6",
    sampling: "one-of",
    forcedToolChoice: true,
    thinkingDefault: "off",
    thinkingTypes: ["disabled", "enabled", "adaptive"],
    efforts: ["low", "medium", "high", "max"],
    prefill: false,
    maxOutputTokens: 128_000,
    contextTokens: 1_000_000,
    structuredOutputs: true,
    cacheMinTokens: 1024,
    reasoningDisplay: "summarized",
  },
  {
    family: "claude-sonnet-4-5",
    baseId: "anthropic.claude-sonnet-4-5-20250929-v1:0",
    sampling: "one-of",
    forcedToolChoice: true,
    thinkingDefault: "off",
    thinkingTypes: ["disabled", "enabled"],
    efforts: [],
    prefill: true,
    maxOutputTokens: 64_000,
    contextTokens: 200_000,
    structuredOutputs: true,
    cacheMinTokens: 1024,
    reasoningDisplay: "summarized",
  },
];

export type FakeLifecycle = "active" | "legacy-inactive" | "end-of-life";

export type ModelLookup =
  | { type: "model"; rules: FakeModelRules; profile: boolean }
  | { type: "unknown" };

const PROFILE = /^(?:arn:aws(?:-[a-z]+)*:bedrock:[a-z0-9-]+:\d{12}:inference-profile\/)?(global|us|eu|jp|au|apac)\.(.+)$/;
const MODEL_ARN = /^arn:aws(?:-[a-z]+)*:bedrock:[a-z0-9-]*::foundation-model\/(.+)$/;

/** Which model a Converse path names; a base id is "not a profile" (on demand is refused). */
export function lookupModel(modelId: string): ModelLookup {
  const profile = PROFILE.exec(modelId);
  const base = profile?.[2] ?? MODEL_ARN.exec(modelId)?.[1] ?? modelId;
  const rules = FAKE_MODELS.find((m) => m.baseId === base);
  return rules === undefined ? { type: "unknown" } : { type: "model", rules, profile: profile !== null };
}

/**
 * Texts of the real service. Where the reference quotes Bedrock/Anthropic verbatim the text is
 * theirs; the ones marked "paraphrase" say what the reference says happens, in Anthropic's style.
 */
export const TEXTS = {
  prefix: "The model returned the following errors: ",
  // bedrock-models.md §3 (Bedrock, 4.7+/5-series)
  samplingDeprecated: (param: string) => `\`${param}\` is deprecated for this model`,
  // services.md §1.1 (Sonnet 4.5)
  samplingBoth: "temperature and top_p cannot both be specified for this model. Please use only one.",
  // bedrock-models.md §3
  forcedTool: 'tool_choice: type "tool" and "any" are not supported for this model.',
  forcedToolWithThinking: "Thinking may not be enabled when tool_choice forces tool use.",
  // bedrock-models.md §3
  thinkingEnabled: '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.',
  // paraphrase (§3: "tells you to send between_tools instead")
  thinkingDisabled: '"thinking.type.disabled" is not supported for this model. Use "thinking.type.between_tools" to turn off up-front thinking.',
  // paraphrase
  thinkingType: (type: string) => `"thinking.type.${type}" is not supported for this model.`,
  // paraphrase (§2: between_tools "only at effort <= high")
  betweenToolsEffort: (effort: string) => `"thinking.type.between_tools" is only supported with output_config.effort "high" or lower, not "${effort}".`,
  // paraphrase
  effort: (effort: string) => `output_config.effort: "${effort}" is not supported for this model.`,
  // bedrock-models.md §3
  prefill: "This model does not support assistant message prefill. The conversation must end with a user message.",
  // Anthropic's wording of the output limit
  maxTokens: (asked: number, limit: number) => `max_tokens: ${asked} > ${limit}, which is the maximum allowed number of output tokens for this model`,
  // bedrock-models.md §3 / thinking-tool-workflows ("older text")
  reasoningMissing: (i: number, found: string) =>
    `messages.${i}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${found}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block. Echo the assistant message exactly as received.`,
  reasoningAltered: (i: number, j: number) => `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`,
  // paraphrase (§3: "replaying a 5.5 thinking block after editing earlier history" is a 400)
  assistantEdited: (i: number) => `messages.${i}: an assistant message with thinking blocks must be passed back exactly as received.`,
  // bedrock-models.md §1
  endOfLife: "This model version has reached the end of its life. Please refer to the AWS documentation for more details.",
  legacy: "Access denied. This Model is marked by provider as Legacy and you have not been actively using the model in the last 30 days. Please upgrade to an active model on Amazon Bedrock",
  invalidId: "The provided model identifier is invalid.",
  // paraphrase (§3: strict tools / structured outputs "not available on Bedrock for Sonnet 5.5")
  structuredOutputs: "structured outputs (toolSpec.strict, outputConfig.textFormat) are not supported for this model on Amazon Bedrock.",
  // paraphrase (§2: between_tools "takes no other fields")
  betweenToolsFields: (fields: string) => `"thinking.type.between_tools" takes no other fields, found: ${fields}.`,
  // not in the reference: Bedrock's ValidationException text for an input over the context window
  inputTooLong: "Input is too long for requested model.",
  // services.md §1.1
  onDemand: (id: string) => `Invocation of model ID ${id} with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model.`,
};
