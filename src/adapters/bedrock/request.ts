import type { ContentBlock, ConverseCommandInput, Message, Tool, ToolChoice } from "@aws-sdk/client-bedrock-runtime";
import type { FixModelRequest, ModelTurn } from "../../ports/fix-model.js";
import { EFFORTS, type Effort, type ModelEntry, type ThinkingMode } from "./models.js";

/** The request settings one catalogue entry and the configured effort lead to. */
export interface RequestPlan {
  /** Sent as inferenceConfig.temperature (only where the entry accepts a sampling parameter). */
  temperature?: number;
  toolChoice: "tool" | "auto";
  /** Sent as additionalModelRequestFields.thinking; absent = the model's default. */
  thinking?: Extract<ThinkingMode, "adaptive" | "between_tools">;
  /** Sent as outputConfig.effort; absent when the entry takes no effort. */
  effort?: Effort;
  /** Output tokens to leave for thinking on top of the answer. */
  thinkingReserveTokens: number;
  /** What had to give way (an effort the model does not take), for one warning at start. */
  adjustments: string[];
}

/**
 * Output tokens thinking may take before the answer, by effort: `max_tokens` covers thinking and
 * answer together (ref §4), so the loop adds this to the answer budget. TerraFix's own estimates
 * for one small Terraform edit: `between_tools` writes only short notes between tool calls.
 */
const THINKING_RESERVE: Record<Effort, number> = { low: 2048, medium: 8192, high: 16_384, xhigh: 32_000, max: 32_000 };
const BETWEEN_TOOLS_RESERVE = 1024;

/**
 * Chooses the request shape from the entry alone (never from the id's spelling):
 * - sampling: `temperature: 0` where the entry accepts one parameter, nothing where any is a 400;
 * - tool choice: forced (`tool`) where the model takes it and does not think, else `auto` with the
 *   system prompt requiring the tool (the answer is validated either way);
 * - thinking: the lowest setting the model takes: `between_tools` where allowed at this effort,
 *   else `adaptive` for models that think anyway, else none;
 * - effort: the configured level, or the nearest lower one the model takes.
 */
export function planRequest(entry: ModelEntry, effort: Effort): RequestPlan {
  const adjustments: string[] = [];
  const thinks = entry.thinkingDefault !== "off";
  let chosen: Effort | undefined;
  if (entry.efforts.length > 0) {
    // Without thinking the service caps effort at `high` (SDK OutputConfig doc).
    const ceiling = thinks ? effort : minEffort(effort, "high");
    chosen = nearestSupported(ceiling, entry.efforts);
    if (chosen !== effort) adjustments.push(`effort ${effort} is not available for ${entry.name}${thinks ? "" : " without thinking"}: using ${chosen}`);
  }
  let thinking: RequestPlan["thinking"];
  if (thinks) {
    const betweenTools = entry.thinkingModes.includes("between_tools") && rank(chosen ?? "high") <= rank(entry.betweenToolsMaxEffort ?? "high");
    if (betweenTools) thinking = "between_tools";
    else if (entry.thinkingModes.includes("adaptive")) thinking = "adaptive";
  }
  const reserve = !thinks ? 0 : thinking === "between_tools" ? BETWEEN_TOOLS_RESERVE : THINKING_RESERVE[chosen ?? "high"];
  return {
    ...(entry.sampling === "one-of" ? { temperature: 0 } : {}),
    toolChoice: !thinks && entry.toolChoices.includes("tool") ? "tool" : "auto",
    ...(thinking === undefined ? {} : { thinking }),
    ...(chosen === undefined ? {} : { effort: chosen }),
    thinkingReserveTokens: reserve,
    adjustments,
  };
}

function rank(effort: Effort): number {
  return EFFORTS.indexOf(effort);
}

function minEffort(a: Effort, b: Effort): Effort {
  return rank(a) <= rank(b) ? a : b;
}

function nearestSupported(effort: Effort, supported: readonly Effort[]): Effort {
  const lower = supported.filter((e) => rank(e) <= rank(effort));
  return lower.at(-1) ?? supported[0] ?? effort;
}

/**
 * Builds the Converse request from the plan. Cache points follow the tool spec and the static
 * system prompt: Bedrock caches the prefix tools -> system -> messages, so everything
 * job-specific comes after them (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html).
 */
export function buildConverseInput(modelId: string, plan: RequestPlan, request: FixModelRequest): ConverseCommandInput {
  const tools: Tool[] = [
    {
      toolSpec: {
        name: request.toolName,
        description: request.toolDescription,
        // The SDK types the schema as a smithy DocumentType; a plain JSON object is what it sends.
        inputSchema: { json: request.toolSchema as never },
      },
    },
    { cachePoint: { type: "default" } },
  ];
  const toolChoice: ToolChoice = plan.toolChoice === "tool" ? { tool: { name: request.toolName } } : { auto: {} };
  return {
    modelId,
    system: [{ text: request.system }, { cachePoint: { type: "default" } }],
    messages: toMessages(request.turns),
    inferenceConfig: { maxTokens: request.maxTokens, ...(plan.temperature === undefined ? {} : { temperature: plan.temperature }) },
    toolConfig: { tools, toolChoice },
    ...(plan.thinking === undefined ? {} : { additionalModelRequestFields: { thinking: { type: plan.thinking } } }),
    ...(plan.effort === undefined ? {} : { outputConfig: { effort: plan.effort } }),
  };
}

/** The daemon's start-up probe: one short user message in the planned shape, no tools. */
export function buildAccessCheckInput(modelId: string, plan: RequestPlan): ConverseCommandInput {
  return {
    modelId,
    messages: [{ role: "user", content: [{ text: "Reply with OK." }] }],
    inferenceConfig: { maxTokens: 16 + plan.thinkingReserveTokens, ...(plan.temperature === undefined ? {} : { temperature: plan.temperature }) },
    ...(plan.thinking === undefined ? {} : { additionalModelRequestFields: { thinking: { type: plan.thinking } } }),
    ...(plan.effort === undefined ? {} : { outputConfig: { effort: plan.effort } }),
  };
}

/** Converse wants alternating user/assistant messages; a tool result is content of a user message. */
function toMessages(turns: readonly ModelTurn[]): Message[] {
  const messages: Message[] = [];
  for (const turn of turns) {
    const role = turn.role === "assistant" ? "assistant" : "user";
    const blocks = toContent(turn);
    const last = messages.at(-1);
    if (last !== undefined && last.role === role) last.content = [...(last.content ?? []), ...blocks];
    else messages.push({ role, content: blocks });
  }
  return messages;
}

function toContent(turn: ModelTurn): ContentBlock[] {
  switch (turn.role) {
    case "user":
      return [{ text: turn.text }];
    case "assistant":
      // The message exactly as received: reasoning blocks first, unchanged (ref §4).
      if (turn.replay !== undefined) return turn.replay as ContentBlock[];
      return [
        ...(turn.text === "" ? [] : [{ text: turn.text }]),
        ...turn.calls.map((c): ContentBlock => ({ toolUse: { toolUseId: c.toolUseId, name: c.name, input: c.input as never } })),
      ];
    case "tool-result":
      return [{ toolResult: { toolUseId: turn.toolUseId, content: [{ text: turn.text }], status: turn.isError ? "error" : "success" } }];
  }
}
