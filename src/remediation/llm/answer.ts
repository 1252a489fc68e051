import type { FixModelResponse, FixModelToolUse, ModelTurn } from "../../ports/fix-model.js";
import { TOOL_NAME } from "./schema.js";

/** What one model answer was, before its proposal (if any) is validated and verified. */
export type AnswerOutcome = "no-tool-call" | "other-tool" | "cut-off" | "malformed" | "refused" | "context-exceeded";

/**
 * How the loop goes on after an answer:
 * - `usable`: a call of our tool to validate (other calls next to it get an error result);
 * - `retry`: ask the same question again (nothing in the answer can be replied to), optionally
 *   with more output room;
 * - `repair`: append these turns (the answer, replayed, and a precise message) and ask again;
 * - `stop`: the job cannot succeed by asking again (refusal, prompt too large).
 */
export type AnswerVerdict =
  | { type: "usable"; call: FixModelToolUse; others: FixModelToolUse[]; assistant: ModelTurn }
  | { type: "retry"; outcome: AnswerOutcome; detail: string; moreTokens: boolean }
  | { type: "repair"; outcome: AnswerOutcome; detail: string; turns: ModelTurn[] }
  | { type: "stop"; outcome: AnswerOutcome; detail: string };

/** Stop reasons that end the attempt for good. Anthropic's `refusal` (ref §4) may reach Converse under its own name. */
const REFUSALS = new Set(["refusal", "content_filtered", "guardrail_intervened"]);

export function judgeAnswer(response: FixModelResponse): AnswerVerdict {
  const { stopReason } = response;
  const said = response.text === "" ? "" : `; it said: ${response.text.slice(0, 300)}`;
  if (REFUSALS.has(stopReason)) return { type: "stop", outcome: "refused", detail: `the model declined to answer (stopReason ${stopReason})${said}` };
  if (stopReason === "model_context_window_exceeded")
    return { type: "stop", outcome: "context-exceeded", detail: "the prompt and answer exceed the model's context window (stopReason model_context_window_exceeded): lower TERRAFIX_LLM_PROMPT_BUDGET_TOKENS" };
  // A cut-off or garbled tool input cannot be answered with a tool result: ask again (with more room when cut off).
  if (stopReason === "max_tokens")
    return { type: "retry", outcome: "cut-off", detail: `the answer was cut off at maxTokens${response.toolUse === undefined ? "" : " inside the tool input"}`, moreTokens: true };
  if (stopReason === "malformed_tool_use" || stopReason === "malformed_model_output")
    return { type: "retry", outcome: "malformed", detail: `the model produced an unreadable tool call (stopReason ${stopReason})`, moreTokens: false };

  const calls = [...(response.toolUse === undefined ? [] : [response.toolUse]), ...response.otherToolUses];
  const assistant: ModelTurn = {
    role: "assistant",
    text: response.text,
    calls: calls.map((c) => ({ toolUseId: c.id, name: c.name, input: c.input })),
    replay: response.content,
  };
  if (response.toolUse !== undefined) return { type: "usable", call: response.toolUse, others: response.otherToolUses, assistant };
  if (response.otherToolUses.length > 0) {
    const names = [...new Set(response.otherToolUses.map((c) => c.name))].join(", ");
    return {
      type: "repair",
      outcome: "other-tool",
      detail: `the model called ${names} instead of ${TOOL_NAME}`,
      turns: [assistant, ...response.otherToolUses.map((c) => unknownToolResult(c))],
    };
  }
  // Text only (or nothing): with `auto` tool choice the model may answer in prose. Reply to it,
  // unless there is nothing to reply to (an assistant turn needs content).
  if (response.text === "") return { type: "retry", outcome: "no-tool-call", detail: `no tool call and no text (stopReason ${stopReason})`, moreTokens: false };
  return {
    type: "repair",
    outcome: "no-tool-call",
    detail: `the model answered in text without calling ${TOOL_NAME} (stopReason ${stopReason})${said}`,
    turns: [
      assistant,
      {
        role: "user",
        text: `You answered in text without calling the tool. Call ${TOOL_NAME} now with the complete set of edits, a rationale, a confidence and the risks; do not answer in prose. If no safe change exists, still call it with your best minimal edits and a low confidence.`,
      },
    ],
  };
}

export function unknownToolResult(call: FixModelToolUse): ModelTurn {
  return {
    role: "tool-result",
    toolUseId: call.id,
    text: `There is no tool named ${call.name}. The only tool is ${TOOL_NAME}: call it with your proposal.`,
    isError: true,
  };
}
