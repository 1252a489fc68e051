import type { ResourceIdentity } from "../domain/failure.js";
import { matchResource, type MatchCandidate, type MatchOptions, type MatchResult, type MatchStatus } from "./match.js";
import type { RepositoryIndex } from "./types.js";

export interface RepositoryCandidate extends MatchCandidate {
  repo: string;
}

export interface CrossRepositoryResult {
  status: MatchStatus;
  candidates: RepositoryCandidate[];
  reason: string;
  /** Repositories that each claim the resource; more than one is a conflict to report, not to guess. */
  conflicts: string[];
  /** With status `missing` (no repository defines the account-wide resource): its Terraform types. */
  missing?: string[];
}

/** Matches one identity in every configured repository; several repositories claiming it is ambiguity. */
export function matchAcrossRepositories(indexes: readonly { repo: string; index: RepositoryIndex }[], identity: ResourceIdentity, options: MatchOptions = {}): CrossRepositoryResult {
  return combineRepositoryMatches(indexes.map(({ repo, index }) => ({ repo, result: matchResource(index, identity, options) })));
}

/** Several repositories' match results as one answer (each repository matched on its own, e.g. validated). */
export function combineRepositoryMatches(results: readonly { repo: string; result: MatchResult }[]): CrossRepositoryResult {
  const candidates = results
    .flatMap(({ repo, result }) => result.candidates.map((c) => ({ ...c, repo })))
    .sort((a, b) => b.confidence - a.confidence || a.repo.localeCompare(b.repo));
  const matched = results.filter((r) => r.result.status === "matched");
  if (matched.length === 1 && matched[0] !== undefined) {
    const only = matched[0];
    return { status: "matched", candidates: candidates.filter((c) => c.repo === only.repo).concat(candidates.filter((c) => c.repo !== only.repo)), reason: `${only.repo}: ${only.result.reason}`, conflicts: [] };
  }
  if (matched.length > 1) {
    const repos = matched.map((m) => m.repo);
    return { status: "ambiguous", candidates, reason: `the resource matches in ${repos.length} repositories: ${repos.join(", ")}`, conflicts: repos };
  }
  if (results.some((r) => r.result.status === "ambiguous")) {
    const repos = results.filter((r) => r.result.status === "ambiguous").map((r) => r.repo);
    return { status: "ambiguous", candidates, reason: `ambiguous in ${repos.join(", ")}`, conflicts: repos.length > 1 ? repos : [] };
  }
  const missing = results.find((r) => r.result.status === "missing");
  if (missing !== undefined && results.every((r) => r.result.status === "missing"))
    return { status: "missing", candidates: [], reason: `${missing.result.reason} (${results.map((r) => r.repo).join(", ")})`, conflicts: [], missing: missing.result.missing ?? [] };
  return { status: "no-match", candidates: [], reason: `no match in ${results.length} repositories`, conflicts: [] };
}
