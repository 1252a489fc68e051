/** Token usage of one model call. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}

/** One turn of the conversation with the model (the repair loop feeds gate failures back). */
export type ModelTurn =
  | { role: "user"; text: string }
  | { role: "assistant"; toolUseId: string; input: unknown }
  | { role: "tool-result"; toolUseId: string; text: string; isError: boolean };

export interface FixModelRequest {
  /** Static instructions, identical across jobs: cached behind a cache point. */
  system: string;
  /** The conversation so far; the first turn is the job's prompt. */
  turns: ModelTurn[];
  /** JSON schema of the forced tool's input. */
  toolName: string;
  toolDescription: string;
  toolSchema: Record<string, unknown>;
  maxTokens: number;
}

export interface FixModelResponse {
  /** The forced tool's input, parsed JSON but not yet validated. */
  input: unknown;
  toolUseId: string;
  stopReason: string;
  usage: TokenUsage;
  requestId?: string;
}

/** Turns a prompt into a structured proposal (Bedrock Converse with forced tool use). */
export interface FixModel {
  readonly modelId: string;
  propose(request: FixModelRequest, signal?: AbortSignal): Promise<FixModelResponse>;
}
