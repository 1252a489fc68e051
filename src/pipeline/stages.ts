import type { ProposedChange, VerificationReport } from "../domain/change.js";
import type { Failure } from "../domain/failure.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { Checkout, RepositoryRef } from "../ports/repo-workspace.js";
import type { MatchedTarget, PublishRequest } from "../ports/publisher.js";

/** A checkout with its `.terrafix.yml` and its index. */
export interface IndexedCheckout<Index> {
  checkout: Checkout;
  config: RepoConfig;
  index: Index;
}

export type MatchStep<Index> =
  | { status: "matched"; repo: IndexedCheckout<Index>; target: MatchedTarget; candidate: unknown }
  | { status: "ambiguous"; reason: string; candidates: string[] }
  | { status: "no-match"; reason: string };

export interface LlmUsage {
  modelId: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  rounds: number;
}

export type GenerateStep =
  | { type: "change"; change: ProposedChange; verification: VerificationReport; llm?: LlmUsage }
  | { type: "unsupported"; reason: string }
  | { type: "already-compliant"; reason: string }
  | { type: "failed"; message: string; verification?: VerificationReport; llm?: LlmUsage };

/**
 * The stages the runner times, as injectable functions: the composition root binds them to the
 * Terraform index, the matcher and the fix strategy; unit tests bind them to in-memory fakes.
 */
export interface PipelineStages<Index> {
  /** Repositories to search for a failure (all configured ones, or those mapped to its account). */
  repositoriesFor(failure: Failure): RepositoryRef[];
  index(checkout: Checkout, config: RepoConfig, signal: AbortSignal): Promise<Index>;
  match(repos: IndexedCheckout<Index>[], failure: Failure): MatchStep<Index> | Promise<MatchStep<Index>>;
  /**
   * Writes and verifies a change. `timeVerify` wraps each verification so its time is recorded
   * as the verify stage rather than as generation.
   */
  generate(
    input: { failure: Failure; match: Extract<MatchStep<Index>, { status: "matched" }> },
    timeVerify: <T>(work: () => Promise<T>) => Promise<T>,
    signal: AbortSignal,
  ): Promise<GenerateStep>;
  /** Extra fields for the publish request (labels and reviewers from `.terrafix.yml`). */
  publishExtras?(repo: IndexedCheckout<Index>): Partial<PublishRequest>;
}
