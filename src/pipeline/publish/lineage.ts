import { generationBranch, markedKeys, parseMarker, type PrMarker } from "../../domain/proposal.js";
import type { RepositoryRef } from "../../ports/repo-workspace.js";
import type { Scm, ScmPull } from "../../ports/scm.js";

/**
 * Where a key's proposals stand, read from the platform alone (so it holds after a lost
 * database and across replicas). Generation 1 lives on the key's branch; when a proposal ends
 * (merged, or closed) and the failure needs a new one, it goes on `<branch>-2`, `-3`...
 */

/** Labels TerraFix puts on what it closes itself, and a human puts on a decline to undo it. */
export const RESOLVED_LABEL = "terrafix:resolved";
export const UNDO_DECLINE_LABEL = "terrafix:undo-decline";
/** Comment markers: each kind of comment is posted at most once per PR. */
export const MARKERS = {
  resolved: "<!-- terrafix:resolved -->",
  humanCommits: "<!-- terrafix:human-commits -->",
  conflicted: "<!-- terrafix:conflicted -->",
} as const;

/** A PR's place in its lifecycle, with the reason a reader sees. */
export type Lifecycle =
  | { state: "none" }
  | { state: "open"; pull: ScmPull; marker: PrMarker | undefined }
  | { state: "merged"; pull: ScmPull; marker: PrMarker | undefined }
  /** Closed by TerraFix itself (the test passed): not a decline. */
  | { state: "resolved"; pull: ScmPull; marker: PrMarker | undefined }
  /** Closed by a human without merging: a decline, held until the change itself changes. */
  | { state: "declined"; pull: ScmPull; marker: PrMarker | undefined; undone: boolean };

export interface Lineage {
  /** The newest PR's lifecycle (of the highest generation that has PRs). */
  latest: Lifecycle;
  /** Generation of `latest` (1 when there is none). */
  generation: number;
  /** Branch of that generation. */
  branch: string;
}

/** Upper bound on generations looked at: a failure fixed and broken this often needs a human. */
const MAX_GENERATIONS = 50;

export async function findLineage(scm: Scm, repo: RepositoryRef, baseBranch: string): Promise<Lineage> {
  let found: Lineage = { latest: { state: "none" }, generation: 1, branch: baseBranch };
  for (let generation = 1; generation <= MAX_GENERATIONS; generation += 1) {
    const branch = generationBranch(baseBranch, generation);
    const pulls = await scm.pullsForBranch(repo, branch);
    const newest = pulls[0];
    if (newest === undefined) break;
    found = { latest: await classify(scm, repo, newest), generation, branch };
    if (found.latest.state === "open") break;
  }
  return found;
}

/** Open, merged, closed by TerraFix (label, or its comment marker), or declined by a human. */
export async function classify(scm: Scm, repo: RepositoryRef, pull: ScmPull): Promise<Lifecycle> {
  const marker = parseMarker(pull.body);
  if (pull.state === "open") return { state: "open", pull, marker };
  if (pull.state === "merged") return { state: "merged", pull, marker };
  if (hasLabel(pull, RESOLVED_LABEL)) return { state: "resolved", pull, marker };
  // The label may have failed to stick; TerraFix's closing comment says the same.
  if (marker !== undefined && (await scm.comments(repo, pull.number)).some((body) => body.includes(MARKERS.resolved))) return { state: "resolved", pull, marker };
  return { state: "declined", pull, marker, undone: hasLabel(pull, UNDO_DECLINE_LABEL) };
}

/**
 * GitHub's label names are case-insensitive: adding `terrafix:resolved` where a human made
 * `TerraFix:Resolved` puts theirs on the PR, and the PR then carries their casing.
 */
function hasLabel(pull: ScmPull, name: string): boolean {
  return pull.labels.some((label) => label.toLowerCase() === name.toLowerCase());
}

/** The fingerprint recorded for `key` in a marker, if the marker lists the key. */
export function recordedFingerprint(marker: PrMarker | undefined, key: string): { fingerprint: string; legacy: boolean } | undefined {
  if (marker === undefined) return undefined;
  const entry = markedKeys(marker).find((k) => k.key === key);
  return entry === undefined ? undefined : { fingerprint: entry.fingerprint, legacy: marker.version === 1 };
}
