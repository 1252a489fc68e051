import type { ModelProfile } from "../../ports/fix-model.js";

/** Config defaults (BEDROCK_MAX_TOKENS, TERRAFIX_LLM_PROMPT_BUDGET_TOKENS). */
export const DEFAULT_ANSWER_TOKENS = 4096;
export const DEFAULT_PROMPT_BUDGET = 24_000;

export interface JobBudgets {
  /** Answer tokens of this model (thinking comes on top: ModelProfile.thinkingReserveTokens). */
  answerTokens: number;
  /**
   * The prompt budget for buildPrompt, which counts chars/4 (Sonnet 4.5 tokens). A model whose
   * tokenizer makes 30% more tokens of the same text gets 1/1.3 of the characters.
   */
  promptBudgetChars4: number;
}

/**
 * Budgets of one job from the model's catalogue entry: the configured answer size is in Sonnet
 * 4.5 tokens (the unit the defaults were tuned in), scaled by the model's token ratio; the prompt
 * budget is in the model's own tokens and never more than a quarter of its context window
 * (the conversation grows by an answer and a tool result per round).
 */
export function jobBudgets(profile: ModelProfile, answerTokens45: number, promptBudgetTokens: number): JobBudgets {
  const ratio = profile.tokenRatio > 0 ? profile.tokenRatio : 1;
  const room = Math.max(256, profile.maxOutputTokens - profile.thinkingReserveTokens);
  const prompt = Math.min(promptBudgetTokens, Math.floor(profile.contextTokens / 4));
  return {
    answerTokens: Math.min(room, Math.ceil(answerTokens45 * ratio)),
    promptBudgetChars4: Math.floor(prompt / ratio),
  };
}
