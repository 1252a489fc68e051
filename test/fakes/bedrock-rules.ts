import { TEXTS, type FakeModelRules } from "./bedrock-models.js";

/** The request body as sent (only the fields the fake looks at are typed). */
export interface ConverseBody {
  messages?: { role: string; content: Record<string, unknown>[] }[];
  system?: Record<string, unknown>[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; topK?: number };
  toolConfig?: { tools?: Record<string, unknown>[]; toolChoice?: Record<string, unknown> };
  additionalModelRequestFields?: Record<string, unknown>;
  outputConfig?: { effort?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * Assistant messages the fake sent, by toolUse id, by reasoning signature and by text, so a
 * replayed turn can be compared with what was issued (thinking models only).
 */
export interface IssuedMessages {
  byToolUseId: Map<string, string>;
  bySignature: Map<string, string>;
  byText: Map<string, string>;
}

export function issuedMessages(): IssuedMessages {
  return { byToolUseId: new Map(), bySignature: new Map(), byText: new Map() };
}

export function remember(issued: IssuedMessages, content: Record<string, unknown>[]): void {
  if (!content.some((c) => c.reasoningContent !== undefined)) return;
  const json = canonical(content);
  for (const block of content) {
    const use = block.toolUse as { toolUseId?: string } | undefined;
    if (use?.toolUseId !== undefined) issued.byToolUseId.set(use.toolUseId, json);
    const signature = signatureOf(block);
    if (signature !== undefined) issued.bySignature.set(signature, json);
    if (typeof block.text === "string" && block.text !== "") issued.byText.set(block.text, json);
  }
}

/** The thinking the request asks for, or the model's default. */
export function thinkingOf(body: ConverseBody, rules: FakeModelRules): string {
  const thinking = body.additionalModelRequestFields?.thinking as { type?: string } | undefined;
  return thinking?.type ?? (rules.thinkingDefault === "adaptive" ? "adaptive" : "disabled");
}

/**
 * The per-model rules of the real service (bedrock-models.md §3, services.md §1): several
 * problems are reported together, as Bedrock does ("…; …").
 */
export function validateForModel(body: ConverseBody, rules: FakeModelRules, issued: IssuedMessages): string | undefined {
  const errors: string[] = [];
  const config = body.inferenceConfig ?? {};
  const params = [
    ["temperature", config.temperature],
    ["top_p", config.topP],
    ["top_k", config.topK ?? (body.additionalModelRequestFields?.top_k as number | undefined)],
  ] as const;
  if (rules.sampling === "none") {
    for (const [name, value] of params) if (value !== undefined) errors.push(TEXTS.samplingDeprecated(name));
  } else if (config.temperature !== undefined && config.topP !== undefined) {
    errors.push(TEXTS.samplingBoth);
  }

  const thinkingField = body.additionalModelRequestFields?.thinking as { type?: string } | undefined;
  const thinking = thinkingOf(body, rules);
  if (thinkingField?.type !== undefined && !rules.thinkingTypes.includes(thinkingField.type)) {
    errors.push(thinkingField.type === "enabled" ? TEXTS.thinkingEnabled : thinkingField.type === "disabled" ? TEXTS.thinkingDisabled : TEXTS.thinkingType(thinkingField.type));
  }
  if (thinkingField?.type === "between_tools") {
    const extra = Object.keys(thinkingField).filter((k) => k !== "type");
    if (extra.length > 0) errors.push(TEXTS.betweenToolsFields(extra.join(", ")));
  }
  const strict = (body.toolConfig?.tools ?? []).some((t) => (t.toolSpec as { strict?: unknown } | undefined)?.strict !== undefined);
  if (!rules.structuredOutputs && (strict || body.outputConfig?.["textFormat"] !== undefined)) errors.push(TEXTS.structuredOutputs);
  const effort = body.outputConfig?.effort;
  if (effort !== undefined && !rules.efforts.includes(effort)) errors.push(TEXTS.effort(effort));
  if (thinking === "between_tools" && effort !== undefined && rules.betweenToolsMaxEffort !== undefined) {
    const order = ["low", "medium", "high", "xhigh", "max"];
    if (order.indexOf(effort) > order.indexOf(rules.betweenToolsMaxEffort)) errors.push(TEXTS.betweenToolsEffort(effort));
  }

  const choice = body.toolConfig?.toolChoice;
  const forced = choice !== undefined && ("tool" in choice || "any" in choice);
  if (forced && !rules.forcedToolChoice) errors.push(TEXTS.forcedTool);
  else if (forced && thinking !== "disabled") errors.push(TEXTS.forcedToolWithThinking);

  const max = config.maxTokens;
  if (max !== undefined && max > rules.maxOutputTokens) errors.push(TEXTS.maxTokens(max, rules.maxOutputTokens));

  const messages = body.messages ?? [];
  if (!rules.prefill && messages.at(-1)?.role === "assistant") errors.push(TEXTS.prefill);
  if (thinking !== "disabled") {
    const replay = checkReplay(messages, issued);
    if (replay !== undefined) errors.push(replay);
  }
  return errors.length === 0 ? undefined : `${TEXTS.prefix}${errors.join("; ")}`;
}

/** Input tokens as the fake counts them (chars/4 of each part's JSON, as in its usage figures). */
export function inputTokens(body: ConverseBody): number {
  const parts = [...(body.toolConfig?.tools ?? []), ...(body.system ?? []), ...(body.messages ?? []).flatMap((m) => m.content)];
  return parts.reduce((sum, part) => sum + Math.ceil(JSON.stringify(part).length / 4), 0);
}

/** Every assistant turn the fake issued with reasoning must come back exactly as issued. */
function checkReplay(messages: NonNullable<ConverseBody["messages"]>, issued: IssuedMessages): string | undefined {
  for (const [i, message] of messages.entries()) {
    if (message.role !== "assistant") continue;
    const sent = canonical(message.content);
    for (const [j, block] of message.content.entries()) {
      const signature = signatureOf(block);
      if (block.reasoningContent !== undefined && (signature === undefined || !issued.bySignature.has(signature))) return TEXTS.reasoningAltered(i, j);
    }
    const original = originalOf(message.content, issued);
    if (original === undefined || original === sent) continue;
    const first = message.content[0];
    if (first === undefined || first.reasoningContent === undefined) return TEXTS.reasoningMissing(i, first === undefined ? "nothing" : blockType(first));
    const reasoningNow = canonical(message.content.filter((c) => c.reasoningContent !== undefined));
    const reasoningThen = canonical((JSON.parse(original) as Record<string, unknown>[]).filter((c) => c.reasoningContent !== undefined));
    if (reasoningNow !== reasoningThen) return TEXTS.reasoningAltered(i, 0);
    return TEXTS.assistantEdited(i);
  }
  return undefined;
}

function originalOf(content: Record<string, unknown>[], issued: IssuedMessages): string | undefined {
  for (const block of content) {
    const id = (block.toolUse as { toolUseId?: string } | undefined)?.toolUseId;
    if (id !== undefined && issued.byToolUseId.has(id)) return issued.byToolUseId.get(id);
    const signature = signatureOf(block);
    if (signature !== undefined && issued.bySignature.has(signature)) return issued.bySignature.get(signature);
    if (typeof block.text === "string" && issued.byText.has(block.text)) return issued.byText.get(block.text);
  }
  return undefined;
}

function signatureOf(block: Record<string, unknown>): string | undefined {
  const reasoning = block.reasoningContent as { reasoningText?: { signature?: string } } | undefined;
  return reasoning?.reasoningText?.signature;
}

function blockType(block: Record<string, unknown>): string {
  if (block.toolUse !== undefined) return "tool_use";
  if (block.text !== undefined) return "text";
  return Object.keys(block)[0] ?? "unknown";
}

/** JSON with sorted keys: the SDK may serialise a block's fields in another order than the fake wrote them. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
