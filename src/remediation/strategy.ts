import { failedChecks, type ProposedChange, type VerificationReport } from "../domain/change.js";
import { controlById } from "../controls/catalogue.js";
import type { LlmFixInput } from "./llm/input.js";
import type { RuleFixResult } from "./rules.js";
import { runLlmFix, type LlmAttemptRecord, type LlmFixDeps, type LlmRunStats, type VerifyChange } from "./llm/loop.js";
import { reviewNote } from "./rules.js";

export type GeneratorChoice = "rules" | "llm" | "auto";


export interface GenerateFixInput {
  generator: GeneratorChoice;
  /** The LLM's view of the job; absent when the pipeline could not build one (then no LLM). */
  llm?: LlmFixInput;
}

export interface GenerateFixDeps {
  ruleFix: (signal?: AbortSignal) => RuleFixResult | Promise<RuleFixResult>;
  /** The same gates for both generators. */
  verify: VerifyChange;
  /** The LLM path; absent when no model is configured. */
  llm?: Omit<LlmFixDeps, "verify">;
}

export interface FixEvidence {
  message: string;
  generator: "rules" | "llm";
  verification?: VerificationReport;
  attempts?: LlmAttemptRecord[];
  /** The rule-based attempt that failed verification before the LLM was tried (auto). */
  rules?: { message: string; verification?: VerificationReport };
}

export type GenerateFixResult =
  | { type: "change"; change: ProposedChange; verification: VerificationReport; llm?: LlmRunStats }
  | { type: "unsupported"; reason: string }
  | { type: "already-compliant"; reason: string }
  | { type: "failed"; kind: "verification"; evidence: FixEvidence; llm?: LlmRunStats };

/**
 * Chooses the generator. `rules`: the catalogue only. `llm`: the model only. `auto`: rules first;
 * the model for what no rule covers, and for a rule's change that failed verification (the
 * model then gets the job fresh). A resource the rules find already compliant is never sent to
 * the model: nothing to fix is an answer, not a gap.
 */
export async function generateFix(input: GenerateFixInput, deps: GenerateFixDeps, signal?: AbortSignal): Promise<GenerateFixResult> {
  if (input.generator === "llm") return viaLlm(input, deps, signal, undefined);

  const rule = await deps.ruleFix(signal);
  if (rule.type === "already-compliant") return rule;
  if (rule.type === "unsupported") {
    if (input.generator === "rules") return rule;
    const llm = await viaLlm(input, deps, signal, undefined);
    return llm.type === "unsupported" ? { type: "unsupported", reason: `${rule.reason}; ${llm.reason}` } : llm;
  }
  signal?.throwIfAborted();
  const verification = await deps.verify(rule.change, signal);
  if (verification.passed) return { type: "change", change: rule.change, verification };
  const failedRule = { message: `the rule-based change failed verification: ${failedNames(verification)}`, verification };
  if (input.generator === "rules" || deps.llm === undefined || input.llm === undefined) {
    return { type: "failed", kind: "verification", evidence: { ...failedRule, generator: "rules" } };
  }
  return viaLlm(input, deps, signal, failedRule);
}

async function viaLlm(
  input: GenerateFixInput,
  deps: GenerateFixDeps,
  signal: AbortSignal | undefined,
  rules: FixEvidence["rules"],
): Promise<GenerateFixResult> {
  if (deps.llm === undefined) return { type: "unsupported", reason: "no fix model is configured for the LLM generator" };
  if (input.llm === undefined) return { type: "unsupported", reason: "the job has no context for the LLM generator" };
  const result = await runLlmFix(input.llm, { ...deps.llm, verify: deps.verify }, signal);
  if (result.type === "change") return { type: "change", change: withReviews(result.change), verification: result.verification, llm: result.llm };
  const { evidence } = result;
  return {
    type: "failed",
    kind: "verification",
    evidence: {
      message: evidence.message,
      generator: "llm",
      attempts: evidence.attempts,
      ...(evidence.lastVerification === undefined ? {} : { verification: evidence.lastVerification }),
      ...(rules === undefined ? {} : { rules }),
    },
    llm: result.llm,
  };
}

function failedNames(report: VerificationReport): string {
  return failedChecks(report)
    .map((c) => c.name)
    .join(", ");
}

/** The model's change for a known control carries that control's review notes, as a rule's does. */
function withReviews(change: ProposedChange): ProposedChange {
  const control = change.controlId === undefined ? undefined : controlById(change.controlId);
  return change.reviews !== undefined || control === undefined ? change : { ...change, reviews: [reviewNote(control)] };
}
