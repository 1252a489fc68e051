import type { ModelPrices, TokenUsage } from "../../ports/fix-model.js";

export type { ModelPrices };

export function costUsd(usage: TokenUsage, prices: ModelPrices): number {
  const micro =
    usage.inputTokens * prices.inputPerMtok +
    usage.outputTokens * prices.outputPerMtok +
    usage.cacheReadInputTokens * prices.cacheReadPerMtok +
    usage.cacheWriteInputTokens * prices.cacheWritePerMtok;
  // Rounded to a millionth of a dollar, so sums over many jobs stay readable.
  return Math.round(micro) / 1_000_000;
}

/** Prices derived from the input price alone, with Anthropic's cache multipliers. */
export function pricesFromInput(inputPerMtok: number, outputPerMtok: number): ModelPrices {
  return { inputPerMtok, outputPerMtok, cacheReadPerMtok: inputPerMtok * 0.1, cacheWritePerMtok: inputPerMtok * 1.25 };
}
