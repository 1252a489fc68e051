import { TerraFixError, type ErrorKind } from "../errors.js";

/** Token usage of one model call (or the sum over a job). */
export interface TokenUsage {
  /** Input tokens not served from or written to the prompt cache. */
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}

export function emptyUsage(): TokenUsage {
  return { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheWriteInputTokens: a.cacheWriteInputTokens + b.cacheWriteInputTokens,
  };
}

/** A tool call of the model (parsed JSON as produced; NOT validated). */
export interface ModelToolCall {
  toolUseId: string;
  name: string;
  input: unknown;
}

/**
 * One turn of the conversation with the model (the repair loop feeds gate failures back). An
 * assistant turn carries the message exactly as the model sent it (`replay`, opaque to everyone
 * but the adapter): thinking models reject a later round whose assistant turn lost or changed its
 * reasoning blocks (shared/reference/bedrock-models.md §3-§4).
 */
export type ModelTurn =
  | { role: "user"; text: string }
  | { role: "assistant"; text: string; calls: ModelToolCall[]; replay?: readonly unknown[] }
  | { role: "tool-result"; toolUseId: string; text: string; isError: boolean };

/** USD per million tokens. */
export interface ModelPrices {
  inputPerMtok: number;
  outputPerMtok: number;
  cacheReadPerMtok: number;
  /** 5-minute TTL cache writes. */
  cacheWritePerMtok: number;
}

/**
 * What the caller needs to know of the configured model to budget a job: read by the adapter
 * from the model catalogue entry (or the conservative shape for an unknown id).
 */
export interface ModelProfile {
  /** Catalogue key (`claude-sonnet-5-5`...) or `unknown`. */
  family: string;
  name: string;
  /** Tokens per character relative to Sonnet 4.5: prompt budgets in characters shrink by it. */
  tokenRatio: number;
  contextTokens: number;
  maxOutputTokens: number;
  /** Output tokens to leave for thinking on top of the answer (0 when the model does not think). */
  thinkingReserveTokens: number;
  /** Prices of this id from the catalogue (the global or the regional profile's). */
  prices: ModelPrices;
}

/** The daemon's start-up check: one minimal call. */
export type ModelAccessCheck =
  | { status: "ok"; modelId: string; latencyMs: number; requestId?: string }
  | { status: "failed"; modelId: string; kind: ErrorKind; message: string };

export interface FixModelRequest {
  /** Static instructions, identical across jobs: the adapter puts a cache point after them. */
  system: string;
  /** The conversation so far; the first turn is the job's prompt. */
  turns: ModelTurn[];
  /** The one tool the model is asked to call (forced where the model allows it, else by the prompt). */
  toolName: string;
  toolDescription: string;
  /** JSON schema of the tool's input (static too: cached with the system prompt). */
  toolSchema: Record<string, unknown>;
  /** Output tokens for thinking and answer together (Converse maxTokens). */
  maxTokens: number;
}

export interface FixModelToolUse {
  id: string;
  name: string;
  /** Parsed JSON as the model produced it; NOT validated (the model can be wrong). */
  input: unknown;
}

export interface FixModelResponse {
  /** The first call of the requested tool, or undefined when the model answered without one. */
  toolUse: FixModelToolUse | undefined;
  /** Calls of tools that were never offered (each still needs a tool result in the next round). */
  otherToolUses: FixModelToolUse[];
  /** The assistant message exactly as received (reasoning blocks included), to replay unchanged. */
  content: readonly unknown[];
  /** Reasoning blocks in the answer (thinking models). */
  reasoningBlocks: number;
  /** Any plain text the model produced next to (or instead of) the tool call. */
  text: string;
  /** Converse stopReason: tool_use, end_turn, max_tokens, malformed_tool_use, refusal, ... */
  stopReason: string;
  usage: TokenUsage;
  requestId?: string;
}

/** Turns a prompt into a structured proposal (Bedrock Converse, shaped by the model catalogue). */
export interface FixModel {
  readonly modelId: string;
  readonly profile: ModelProfile;
  propose(request: FixModelRequest, signal?: AbortSignal): Promise<FixModelResponse>;
  /** One minimal call that proves the model can be invoked with this configuration; never throws. */
  checkAccess(signal?: AbortSignal): Promise<ModelAccessCheck>;
}

/**
 * Why a model call failed, as far as the caller's own retry loop cares. The adapter's HTTP client
 * already retried throttling, 5xx and network errors; of what is left, only `model-timeout` and
 * `quota` are worth another job-level attempt (shared/reference/services.md §1.5-1.6).
 */
export type FixModelErrorCode =
  | "throttled"
  | "unavailable"
  | "model-timeout"
  | "quota"
  | "validation"
  | "access-denied"
  | "not-found"
  /** The model id is Legacy, end of life, invalid, or needs an inference profile: set another id. */
  | "model-lifecycle"
  /** The request is longer than the model's context window (a smaller prompt may fit). */
  | "context-exceeded"
  | "model-error"
  | "network"
  | "aborted"
  | "unknown";

/** A TerraFixError from a FixModel adapter, with the code the repair loop decides on. */
export class FixModelError extends TerraFixError {
  readonly code: FixModelErrorCode;
  readonly requestId: string | undefined;

  constructor(
    message: string,
    options: { kind: ErrorKind; code: FixModelErrorCode; status?: number; requestId?: string; cause?: unknown },
  ) {
    super(message, {
      kind: options.kind,
      stage: "generate",
      ...(options.status === undefined ? {} : { status: options.status }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = "FixModelError";
    this.code = options.code;
    this.requestId = options.requestId;
  }
}

export function isFixModelError(value: unknown): value is FixModelError {
  return value instanceof FixModelError;
}
