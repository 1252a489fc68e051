import type { Control } from "../controls/types.js";
import { identityOf, type Failure, type ResourceIdentity } from "../domain/failure.js";
import { kindsFor } from "../domain/resource-kinds.js";
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

export type MatchOutput =
  | { status: "matched"; repo: IndexedCheckout; target: MatchCandidate }
  | { status: "ambiguous"; reason: string; candidates: string[] }
  | { status: "no-match"; reason: string };

/** Stage 3: the block that defines the failing resource, across every indexed repository. */
export async function matchFailure(input: MatchInput, deps: MatchDeps, signal: AbortSignal): Promise<MatchOutput> {
  const { repos, failure } = input;
  const state = await deps.loadState?.();
  signal.throwIfAborted();
  const result = await matchRepositories(
    repos.map((r) => ({ repo: repoSlug(r.checkout.repo), index: r.index })),
    identityOf(failure),
    state === undefined ? {} : { state },
  );
  if (result.status === "no-match") {
    // An account-level test (password policy) whose resource is not in code yet: the fix adds it.
    return accountLevelTarget(repos, failure, input.controls) ?? { status: "no-match", reason: result.reason };
  }
  if (result.status === "ambiguous")
    return { status: "ambiguous", reason: result.reason, candidates: result.candidates.slice(0, 5).map((c) => `${c.repo}:${c.address} (${c.confidence.toFixed(2)})`) };
  const best = result.candidates[0];
  const repo = repos.find((r) => repoSlug(r.checkout.repo) === best?.repo);
  if (best === undefined || repo === undefined) return { status: "no-match", reason: "the matcher returned no candidate" };
  const { repo: _slug, ...target } = best;
  return { status: "matched", repo, target };
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

/**
 * For an account-level failure whose control can add the missing resource, a target that stands
 * for "the resource this repository should have": the first repository, no existing block.
 */
function accountLevelTarget(repos: readonly IndexedCheckout[], failure: Failure, controls: readonly Control[]): MatchOutput | undefined {
  const kinds = kindsFor(failure.responseType);
  if (kinds.length === 0 || !kinds.every((k) => k.accountLevel === true)) return undefined;
  const control = controls.find((c) => c.accountLevel === true);
  const repo = repos[0];
  if (control === undefined || repo === undefined) return undefined;
  const type = control.resourceTypes[0] ?? "";
  const target: MatchCandidate = {
    address: `${type}.this`,
    file: "",
    startLine: 0,
    endLine: 0,
    confidence: 1,
    reasons: [`account-level ${type} does not exist in ${repoSlug(repo.checkout.repo)}: the fix adds it`],
  };
  return { status: "matched", repo, target };
}
