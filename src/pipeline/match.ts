import type { Control } from "../controls/types.js";
import { identityOf, type Failure, type ResourceIdentity } from "../domain/failure.js";
import type { MissingTarget } from "../domain/target.js";
import { repoSlug } from "../ports/repo-workspace.js";
import {
  combineRepositoryMatches,
  matchResourceValidated,
  type CrossRepositoryResult,
  type MatchCandidate,
  type MatchOptions,
  type MatchResult,
} from "../terraform/match.js";
import type { TerraformState } from "../terraform/state.js";
import type { RepositoryIndex } from "../terraform/types.js";
import type { IndexedCheckout } from "./index.js";

export interface MatchInput {
  failure: Failure;
  repos: readonly IndexedCheckout[];
  /** The job's controls, resolved once by the runner. */
  controls: readonly Control[];
}

export interface MatchDeps {
  /** The configured Terraform state file (TERRAFIX_TERRAFORM_STATE), read once per process. */
  loadState?: () => Promise<TerraformState | undefined>;
}

/** A match as the generator needs it: the block to fix, the account-wide resource to add, or why neither. */
export type TargetResult =
  | { status: "matched"; target: MatchCandidate }
  | { status: "missing"; target: MissingTarget }
  | { status: "ambiguous"; reason: string; candidates: string[] }
  | { status: "no-match"; reason: string };

export type MatchOutput =
  | { status: "matched"; repo: IndexedCheckout; target: MatchCandidate }
  | { status: "missing"; repo: IndexedCheckout; target: MissingTarget }
  | Extract<TargetResult, { status: "ambiguous" | "no-match" }>;

/** Stage 3: the block that defines the failing resource, across every indexed repository. */
export async function matchFailure(input: MatchInput, deps: MatchDeps, signal: AbortSignal): Promise<MatchOutput> {
  const { repos } = input;
  const state = await deps.loadState?.();
  signal.throwIfAborted();
  const result = await matchRepositories(
    repos.map((r) => ({ repo: repoSlug(r.checkout.repo), index: r.index })),
    identityOf(input.failure),
    state === undefined ? {} : { state },
  );
  const found = targetOf(result, input.controls);
  switch (found.status) {
    case "ambiguous":
    case "no-match":
      return found;
    case "missing": {
      // No repository defines the account-wide resource: the first one gets it.
      const repo = repos[0];
      return repo === undefined ? { status: "no-match", reason: result.reason } : { status: "missing", repo, target: found.target };
    }
    case "matched": {
      const best = result.candidates[0];
      const repo = repos.find((r) => repoSlug(r.checkout.repo) === best?.repo);
      return repo === undefined ? { status: "no-match", reason: "the matcher returned no candidate" } : { status: "matched", repo, target: found.target };
    }
  }
}

/**
 * What a match means for the job, the same for the daemon and `terrafix fix`: the best candidate
 * of a match; for a missing account-wide resource, the block the job's control adds (or no-match
 * when no control of the job can add it); ambiguity with the leading candidates.
 */
export function targetOf(result: MatchResult | CrossRepositoryResult, controls: readonly Control[]): TargetResult {
  // Repository, address, file and line: what a human needs to pick one on the dashboard.
  const label = (c: MatchCandidate & { repo?: string }): string => `${c.repo === undefined ? "" : `${c.repo}:`}${c.address} at ${c.file}:${c.startLine} (${c.confidence.toFixed(2)})`;
  switch (result.status) {
    case "no-match":
      return { status: "no-match", reason: result.reason };
    case "ambiguous":
      return { status: "ambiguous", reason: result.reason, candidates: result.candidates.slice(0, 5).map(label) };
    case "missing": {
      const types = result.missing ?? [];
      const control = controls.find((c) => c.accountLevel === true && c.fixMissing !== undefined && c.resourceTypes.some((t) => types.includes(t)));
      const type = control?.resourceTypes.find((t) => types.includes(t));
      if (control === undefined || type === undefined) return { status: "no-match", reason: `${result.reason}; no control of this test can add it` };
      return { status: "missing", target: { address: `${type}.this`, resourceType: type, reasons: [`${result.reason}: the fix adds ${type}.this`] } };
    }
    case "matched": {
      const best: (MatchCandidate & { repo?: string }) | undefined = result.candidates[0];
      if (best === undefined) return { status: "no-match", reason: "the matcher returned no candidate" };
      const { repo: _repo, ...target } = best;
      return { status: "matched", target };
    }
  }
}

/**
 * One repository's match (`terrafix match`, `terrafix fix`): terraform/match's validated match,
 * the one implementation of the validation retry (indexes are built with lazy validation).
 */
export function matchRepository(index: RepositoryIndex, identity: ResourceIdentity, options: MatchOptions = {}): Promise<MatchResult> {
  return matchResourceValidated(index, identity, options);
}

/** Every repository's validated match, combined: several repositories claiming it is ambiguity. */
export async function matchRepositories(
  indexes: readonly { repo: string; index: RepositoryIndex }[],
  identity: ResourceIdentity,
  options: MatchOptions = {},
): Promise<CrossRepositoryResult> {
  const results: { repo: string; result: MatchResult }[] = [];
  for (const { repo, index } of indexes) results.push({ repo, result: await matchResourceValidated(index, identity, options) });
  return combineRepositoryMatches(results);
}
