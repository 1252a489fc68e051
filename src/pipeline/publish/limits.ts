import type { RepositoryRef } from "../../ports/repo-workspace.js";
import type { Scm, ScmPull } from "../../ports/scm.js";

/**
 * PR flood limits, counted from the platform itself (not the database) so they hold after the
 * database is lost and across replicas: TerraFix PRs are those whose head branch starts with
 * `terrafix/` (see branchName in domain/failure.ts).
 */
export const BRANCH_PREFIX = "terrafix/";
const HOUR_MS = 3600_000;

export interface LimitSettings {
  maxPrsPerHour: number;
  maxOpenPrs: number;
  now: () => Date;
  /**
   * When work held back by the open-PR limit is looked at again: the next cycle (a merge or
   * close frees the slot at any time, so there is no fixed wait).
   */
  recheckMs: number;
}

export type LimitVerdict = { allowed: true } | { allowed: false; reason: string; until: string; limit: "open" | "hourly" };

export function isTerraFixPull(pull: Pick<ScmPull, "head">): boolean {
  return pull.head.startsWith(BRANCH_PREFIX);
}

export async function checkPrLimits(scm: Scm, repo: RepositoryRef, settings: LimitSettings): Promise<LimitVerdict> {
  const nowMs = settings.now().getTime();
  const open = (await scm.listPulls(repo, { state: "open" })).filter(isTerraFixPull);
  if (open.length >= settings.maxOpenPrs) {
    return {
      allowed: false,
      limit: "open",
      reason: `open pull request limit reached: ${open.length} open TerraFix pull requests (max ${settings.maxOpenPrs}); runs again as soon as one is merged or closed`,
      until: new Date(nowMs + settings.recheckMs).toISOString(),
    };
  }
  const recent = (await scm.listPulls(repo, { state: "all", since: new Date(nowMs - HOUR_MS) })).filter(isTerraFixPull).map((pull) => Date.parse(pull.createdAt));
  if (recent.length < settings.maxPrsPerHour) return { allowed: true };
  // The window frees a slot when enough of the oldest recent PRs pass the one-hour mark.
  const ascending = recent.sort((a, b) => a - b);
  const freeing = ascending[recent.length - settings.maxPrsPerHour] ?? nowMs;
  return {
    allowed: false,
    limit: "hourly",
    reason: `hourly pull request limit reached: ${recent.length} TerraFix pull requests in the last hour (max ${settings.maxPrsPerHour})`,
    until: new Date(freeing + HOUR_MS).toISOString(),
  };
}
