import type { ProposedChange, VerificationReport } from "./change.js";

import type { ModelCost } from "./outcome.js";

/** What the model cost a job, when the model was asked. */
export type LlmUsage = ModelCost;

/** What the generator concluded, whoever wrote the change (rules or the model). */
export type GenerationVerdict =
  | { type: "change"; change: ProposedChange; verification: VerificationReport }
  | { type: "unsupported"; reason: string }
  | { type: "already-compliant"; reason: string }
  | { type: "failed"; message: string; verification?: VerificationReport };

/**
 * The generation result, the one type of the generate hop. It carries the model's usage and the
 * time spent in verification, so the runner can time the verify stage apart from generation
 * without a callback through the layers.
 */
export type GenerationResult = GenerationVerdict & {
  llm?: LlmUsage;
  /** Milliseconds spent in the verification gates (every round). */
  verifyMs: number;
};
