import type { Failure } from "../domain/failure.js";
import type { ProposedChange, VerificationReport } from "../domain/change.js";
import type { LlmUsage } from "../domain/generation.js";
import type { Outcome } from "../domain/outcome.js";
import type { MatchedTarget } from "../domain/target.js";
import type { Checkout, RepositoryRef } from "./repo-workspace.js";

export type { MatchedTarget };

export interface PublishRequest {
  key: string;
  failure: Failure;
  repo: RepositoryRef;
  checkout: Checkout;
  branch: string;
  target: MatchedTarget;
  change: ProposedChange;
  verification: VerificationReport;
  /** Labels and reviewers the repository's `.terrafix.yml` adds to the configured ones. */
  labels?: string[];
  reviewers?: string[];
  /** Model cost and tokens when the model wrote the change. */
  llm?: LlmUsage;
  /**
   * Runs the verification gates on another version of the change (the pipeline's verify stage
   * bound to this job's index and controls): a change combined with an open PR for the same
   * resource is published only if it passes them too.
   */
  reverify?: (change: ProposedChange) => Promise<VerificationReport>;
}

export type PublishOutcome = Extract<
  Outcome,
  { type: "pr-opened" | "pr-updated" | "pr-exists" | "declined" | "merged" | "deferred" | "dry-run" | "committed" }
>;

export interface ResolvedRequest {
  key: string;
  failure: Failure;
  repo: RepositoryRef;
  branch: string;
}

export interface Publisher {
  readonly name: string;
  /** Idempotent: publishing the same key twice never makes a second pull request. */
  publish(request: PublishRequest, signal?: AbortSignal): Promise<PublishOutcome>;
  /** Vanta reports the failure resolved: close TerraFix's open PR for it, if any. */
  resolve(request: ResolvedRequest, signal?: AbortSignal): Promise<{ closed: boolean; url?: string }>;
}
