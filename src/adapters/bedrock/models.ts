/**
 * The model catalogue: what each Claude family TerraFix supports accepts on Bedrock Converse, as
 * data. The request builder (request.ts), the budgets and the cost read an entry; nothing else in
 * the code asks which model it talks to. Facts come from shared/reference/bedrock-models.md
 * ("ref §n") and services.md §1 ("services §1.n") unless a comment names another source; where
 * no source was found the conservative value is used and the comment says so.
 *
 * Checked 2026-12-02. Sources used below:
 * - S55: https://platform.claude.com/docs/en/models/sonnet-5-5/migration-guide and
 *        https://platform.claude.com/docs/en/models/sonnet-5-5/whats-new-sonnet-5-5 (via ref §2-§4)
 * - S5:  https://platform.claude.com/docs/en/models/sonnet-5/overview and
 *        https://platform.claude.com/docs/en/models/sonnet-5/migration-guide
 * - S46: https://platform.claude.com/docs/en/models/sonnet-4-6/overview,
 *        https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-adaptive-thinking.html
 * - CACHE: Anthropic prompt-caching minimums as quoted in github.com/anthropics/anthropic-sdk-python/issues/1194
 * - GLOBAL: https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html
 *        ("approximately 10% savings" of global over geographic profiles; ref §2 says +10% regional for 4.5 and later)
 */

export type Effort = "low" | "medium" | "high" | "xhigh" | "max";
export const EFFORTS: readonly Effort[] = ["low", "medium", "high", "xhigh", "max"];

/** `disabled`/`enabled` are the budget-era settings; `adaptive`/`between_tools` the 4.6+ ones. */
export type ThinkingMode = "disabled" | "enabled" | "adaptive" | "between_tools";
export type ToolChoiceKind = "auto" | "none" | "any" | "tool";
/** Cross-region inference profile prefixes of Anthropic models on Bedrock. */
export type ProfileScope = "global" | "us" | "eu" | "jp" | "au" | "apac";
export const PROFILE_SCOPES: readonly ProfileScope[] = ["global", "us", "eu", "jp", "au", "apac"];

/** USD per million tokens. */
export interface PricePerMtok {
  input: number;
  output: number;
  /** 5-minute TTL cache write (TerraFix sends default cache points, which are 5 minutes). */
  cacheWrite: number;
  cacheRead: number;
}

export interface ModelEntry {
  /** Catalogue key, used in logs and by the fake Bedrock's tests. */
  key: "claude-sonnet-5-5" | "claude-sonnet-5" | "claude-sonnet-4-6" | "claude-sonnet-4-5" | "unknown";
  name: string;
  /** The foundation-model id (the part after a profile prefix). */
  baseId: string;
  /** Whether the base id may be called on demand; false = an inference profile is required. */
  baseIdOnDemand: boolean;
  lifecycle: "active" | "legacy" | "deprecated";
  /** `none`: any temperature/topP/topK is a 400; `one-of`: temperature or topP, never both. */
  sampling: "none" | "one-of";
  toolChoices: readonly ToolChoiceKind[];
  /** What the model does when the request has no `thinking` field. */
  thinkingDefault: "off" | "adaptive";
  thinkingModes: readonly ThinkingMode[];
  /** `between_tools` is only accepted up to this effort (ref §2). */
  betweenToolsMaxEffort?: Effort;
  /** Effort levels of `outputConfig.effort`; empty = the field is not sent. */
  efforts: readonly Effort[];
  /** An assistant message as the last turn (prefill) is accepted. */
  assistantPrefill: boolean;
  /** Reasoning blocks must be replayed unchanged before the toolUse in later rounds. */
  reasoningReplay: "always" | "when-thinking";
  contextTokens: number;
  maxOutputTokens: number;
  /** Tokens per character of the same text, relative to Sonnet 4.5 (the tokenizer changed with Sonnet 5). */
  tokenRatio: number;
  /** Smallest prefix a cache point caches; shorter prefixes are silently not cached. */
  cacheMinTokens: number;
  /** Global-profile prices; regional (geo) profiles and base ids cost `regionalMarkup` times more. */
  globalPrices: PricePerMtok;
  regionalMarkup: number;
}

const REGIONAL_MARKUP = 1.1; // GLOBAL; ref §2 "Regional profiles cost +10% over global for Sonnet 4.5 and later"

export const MODEL_CATALOGUE: readonly ModelEntry[] = [
  {
    key: "claude-sonnet-5-5",
    name: "Claude Sonnet 5.5",
    baseId: "anthropic.claude-sonnet-5-5", // ref §2 (no -v1:0 suffix)
    // Not documented for 5.5; every Claude since Sonnet 4.5 needs a profile on demand (services §1.1): conservative.
    baseIdOnDemand: false,
    lifecycle: "active", // released 2026-09-28, ref §2
    sampling: "none", // ref §3: any non-default temperature/top_p/top_k is a 400
    toolChoices: ["auto", "none"], // ref §3: tool/any are a 400
    thinkingDefault: "adaptive", // ref §2: on when the request has no thinking field
    thinkingModes: ["adaptive", "between_tools"], // ref §3: disabled and enabled are a 400
    betweenToolsMaxEffort: "high", // ref §2
    efforts: ["low", "medium", "high", "xhigh", "max"], // ref §2
    assistantPrefill: false, // ref §3
    reasoningReplay: "always", // ref §3-§4
    contextTokens: 1_000_000, // ref §2
    maxOutputTokens: 128_000, // ref §2 (300K only on Batch)
    tokenRatio: 1.3, // ref §2: "about 30% more tokens than Sonnet 4.5"
    cacheMinTokens: 512, // ref §2 (what's-new page; the Bedrock per-model row was not found)
    // Bedrock prices are AWS's and were not found on an AWS page (ref §2). Input/output/write follow
    // Anthropic's list price, which the third-party Bedrock table matches. Cache read: Anthropic charges
    // 0.10 since 2026-10-07, the Bedrock table still shows 0.20: the higher (conservative) value is used.
    globalPrices: { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
    regionalMarkup: REGIONAL_MARKUP,
  },
  {
    key: "claude-sonnet-5",
    name: "Claude Sonnet 5",
    baseId: "anthropic.claude-sonnet-5", // S46 (Bedrock adaptive-thinking page lists anthropic.claude-sonnet-5)
    baseIdOnDemand: false, // not found: conservative, as for 5.5
    lifecycle: "legacy", // S5: "Legacy", Sonnet 5.5 is the current Sonnet
    sampling: "none", // S5: non-default temperature/top_p/top_k return a 400
    // S5 allows forced tool use only with thinking off, and on Bedrock thinking cannot be switched off
    // (secondary: chatforest.com builders-log quoting the Bedrock card, ref §2): auto/none only.
    toolChoices: ["auto", "none"],
    thinkingDefault: "adaptive", // S5: adaptive thinking on by default
    // S5: manual extended thinking is a 400; `disabled` is not accepted on Bedrock (card: "always on");
    // `between_tools` arrived with 5.5 (S55 lists it as a 5.5 change): adaptive only.
    thinkingModes: ["adaptive"],
    efforts: ["low", "medium", "high", "xhigh", "max"], // S5 / openrouter.ai Sonnet 5 migration notes: xhigh is new in Sonnet 5
    assistantPrefill: false, // prefill is a 400 since the 4.6 models (Anthropic models migration guide)
    reasoningReplay: "always",
    contextTokens: 1_000_000, // S5
    maxOutputTokens: 128_000, // S5
    tokenRatio: 1.3, // S5: ~30% more tokens than Sonnet 4.6, whose tokenizer is Sonnet 4.5's (ref §2: 5.5 = Sonnet 5 = +30% over 4.5)
    cacheMinTokens: 1024, // secondary only (dev.to "Claude's prompt cache fails silently below 1,024 tokens"): the larger, conservative value
    globalPrices: { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 }, // S5 (Anthropic list prices; Bedrock's not found)
    regionalMarkup: REGIONAL_MARKUP,
  },
  {
    key: "claude-sonnet-4-6",
    name: "Claude Sonnet 4.6",
    baseId: "anthropic.claude-sonnet-4-6", // S46 (Bedrock page)
    baseIdOnDemand: false, // not found: conservative
    lifecycle: "legacy", // S46: "Legacy", released 2026-02-17
    // Not found whether 4.6 keeps 4.5's "temperature and top_p cannot both be specified": one at a time is safe either way.
    sampling: "one-of",
    // Forced tool use is allowed while thinking is off, and 4.6 does not think unless asked (S55 table: thinking off without the field).
    toolChoices: ["auto", "none", "any", "tool"],
    thinkingDefault: "off",
    thinkingModes: ["disabled", "enabled", "adaptive"], // S46: enabled+budget deprecated but accepted, adaptive supported
    efforts: ["low", "medium", "high", "max"], // openrouter.ai Claude 4.6 migration notes: `max` new with the 4.6 models; xhigh came with Sonnet 5
    assistantPrefill: false, // Anthropic models migration guide: prefill returns a 400 on the 4.6 models
    reasoningReplay: "when-thinking",
    contextTokens: 1_000_000, // S46
    maxOutputTokens: 128_000, // S46
    tokenRatio: 1.0, // same tokenizer as Sonnet 4.5 (Sonnet 5 is +30% over both 4.6 and 4.5)
    cacheMinTokens: 1024, // CACHE
    // S46 $3/$15; cache write 1.25x and read 0.1x of input (Anthropic's multipliers, also on Bedrock per services §1.7 / cost.ts).
    globalPrices: { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
    regionalMarkup: REGIONAL_MARKUP,
  },
  {
    key: "claude-sonnet-4-5",
    name: "Claude Sonnet 4.5",
    baseId: "anthropic.claude-sonnet-4-5-20250929-v1:0", // services §1.1
    baseIdOnDemand: false, // services §1.1: "In-Region endpoint" N/A, base id answers "on-demand throughput isn't supported"
    lifecycle: "deprecated", // ref §1: retired on Anthropic's platforms 2026-11-30; Legacy (or EOL) on Bedrock
    sampling: "one-of", // services §1.1: temperature and top_p together are a 400
    toolChoices: ["auto", "none", "any", "tool"], // services §1.2 (forced tool while thinking is off)
    thinkingDefault: "off",
    thinkingModes: ["disabled", "enabled"], // Bedrock adaptive-thinking page: 4.5 needs enabled+budget_tokens, no adaptive
    efforts: [], // effort was an Opus 4.5 feature among the 4.5 models: not sent
    assistantPrefill: true,
    reasoningReplay: "when-thinking",
    contextTokens: 200_000, // services §1.1 (model card)
    maxOutputTokens: 64_000, // services §1.1
    tokenRatio: 1.0, // the reference tokenizer
    cacheMinTokens: 1024, // services §1.7
    globalPrices: { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 }, // the seed's defaults (services §1 era), global = list price
    regionalMarkup: REGIONAL_MARKUP,
  },
];

/**
 * The shape for an id no entry knows: nothing that any supported model rejects. No sampling
 * parameters, `auto` tool choice, no thinking field (thinking models think adaptively by default),
 * reasoning replayed, no effort, no prefill, the smallest limits and the highest known prices.
 */
export const UNKNOWN_MODEL: ModelEntry = {
  key: "unknown",
  name: "an unknown model",
  baseId: "",
  baseIdOnDemand: false,
  lifecycle: "active",
  sampling: "none",
  toolChoices: ["auto"],
  thinkingDefault: "adaptive",
  thinkingModes: [],
  efforts: [],
  assistantPrefill: false,
  reasoningReplay: "always",
  contextTokens: 200_000,
  maxOutputTokens: 64_000,
  tokenRatio: 1.3,
  cacheMinTokens: 1024,
  globalPrices: { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  regionalMarkup: REGIONAL_MARKUP,
};

export const DEFAULT_MODEL_ID = "global.anthropic.claude-sonnet-5-5";
