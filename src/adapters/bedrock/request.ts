import type { ContentBlock, ConverseCommandInput, Message, Tool } from "@aws-sdk/client-bedrock-runtime";
import type { FixModelRequest, ModelTurn } from "../../ports/fix-model.js";

/**
 * Builds the Converse request. Design choices, each from shared/reference/services.md §1:
 * - forced tool use (`toolChoice.tool`), so the answer is a JSON object, never prose; thinking
 *   stays off because Anthropic allows only auto/none tool choice with thinking on;
 * - only `temperature: 0`, never `topP`: Sonnet 4.5 rejects both together (400);
 * - cache points after the tool spec and after the static system prompt: Bedrock caches the
 *   prefix tools -> system -> messages, so everything job-specific comes after them
 *   (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html).
 */
export function buildConverseInput(modelId: string, request: FixModelRequest): ConverseCommandInput {
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
  return {
    modelId,
    system: [{ text: request.system }, { cachePoint: { type: "default" } }],
    messages: toMessages(request.turns, request.toolName),
    inferenceConfig: { maxTokens: request.maxTokens, temperature: 0 },
    toolConfig: { tools, toolChoice: { tool: { name: request.toolName } } },
  };
}

/** Converse wants alternating user/assistant messages; a tool result is content of a user message. */
function toMessages(turns: readonly ModelTurn[], toolName: string): Message[] {
  const messages: Message[] = [];
  for (const turn of turns) {
    const role = turn.role === "assistant" ? "assistant" : "user";
    const block = toContent(turn, toolName);
    const last = messages.at(-1);
    if (last !== undefined && last.role === role) last.content = [...(last.content ?? []), block];
    else messages.push({ role, content: [block] });
  }
  return messages;
}

function toContent(turn: ModelTurn, toolName: string): ContentBlock {
  switch (turn.role) {
    case "user":
      return { text: turn.text };
    case "assistant":
      return { toolUse: { toolUseId: turn.toolUseId, name: toolName, input: turn.input as never } };
    case "tool-result":
      return {
        toolResult: { toolUseId: turn.toolUseId, content: [{ text: turn.text }], status: turn.isError ? "error" : "success" },
      };
  }
}
