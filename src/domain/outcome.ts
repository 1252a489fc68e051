import type { ErrorKind } from "../errors.js";
import type { CheckStatus } from "./change.js";

/**
 * How a job ended. Expected results are values: `no-match`, `pr-exists`, `declined` and
 * `unsupported` are answers, not errors. `deferred` means held back by a PR limit and retried.
 */
export type Outcome = (
  | { type: "pr-opened"; url: string }
  | { type: "pr-updated"; url: string }
  | { type: "pr-exists"; url: string }
  | { type: "declined"; url: string; reason: string }
  | { type: "merged"; url: string }
  | { type: "no-match"; reason: string }
  | { type: "ambiguous"; reason: string; candidates: string[] }
  | { type: "unsupported"; reason: string }
  | { type: "ignored"; reason: string }
  | { type: "deferred"; reason: string; until?: string }
  | { type: "dry-run"; path: string }
  | { type: "committed"; branch: string }
  | { type: "failed"; kind: FailureKind; message: string; retryable: boolean }
) & {
  /** What the model cost the job, when it was asked (kept in the job record, summed by `stats`). */
  llm?: ModelCost;
  /** The verification gates of the change the job proposed (kept in the job record, summed by `stats`). */
  gates?: GateResult[];
};

/** One gate of a job's verification, as kept in the job record. */
export interface GateResult {
  name: string;
  status: CheckStatus;
  detail: string;
}

/** Tokens and USD of the model calls of one job (prices from the model catalogue or overrides). */
export interface ModelCost {
  modelId: string;
  /** All input tokens, cache reads and writes included. */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  rounds: number;
}

/** Why a job failed: an error kind from TerraFixError, or a verification that never passed. */
export type FailureKind = ErrorKind | "verification";

export type OutcomeType = Outcome["type"];

export const OUTCOME_TYPES: readonly OutcomeType[] = [
  "pr-opened",
  "pr-updated",
  "pr-exists",
  "declined",
  "merged",
  "no-match",
  "ambiguous",
  "unsupported",
  "ignored",
  "deferred",
  "dry-run",
  "committed",
  "failed",
];

/** Outcomes after which the job is done for good (until the failure itself changes). */
export function isTerminal(outcome: Outcome): boolean {
  switch (outcome.type) {
    case "deferred":
      return false;
    case "failed":
      return !outcome.retryable;
    default:
      return true;
  }
}
