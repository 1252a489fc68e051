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

/** One turn of the conversation with the model (the repair loop feeds gate failures back). */
export type ModelTurn =
  | { role: "user"; text: string }
  | { role: "assistant"; toolUseId: string; input: unknown }
  | { role: "tool-result"; toolUseId: string; text: string; isError: boolean };

export interface FixModelRequest {
  /** Static instructions, identical across jobs: the adapter puts a cache point after them. */
  system: string;
  /** The conversation so far; the first turn is the job's prompt. */
  turns: ModelTurn[];
  /** The forced tool (the model must call it, and only it). */
  toolName: string;
  toolDescription: string;
  /** JSON schema of the forced tool's input (static too: cached with the system prompt). */
  toolSchema: Record<string, unknown>;
  maxTokens: number;
}

export interface FixModelToolUse {
  id: string;
  name: string;
  /** Parsed JSON as the model produced it; NOT validated (the model can be wrong). */
  input: unknown;
}

export interface FixModelResponse {
  /** The forced tool call, or undefined when the model answered without one. */
  toolUse: FixModelToolUse | undefined;
  /** Any plain text the model produced next to (or instead of) the tool call. */
  text: string;
  /** Converse stopReason: tool_use, end_turn, max_tokens, malformed_tool_use, ... */
  stopReason: string;
  usage: TokenUsage;
  requestId?: string;
}

/** Turns a prompt into a structured proposal (Bedrock Converse with forced tool use). */
export interface FixModel {
  readonly modelId: string;
  propose(request: FixModelRequest, signal?: AbortSignal): Promise<FixModelResponse>;
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
