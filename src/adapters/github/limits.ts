import type { GitHubOctokit } from "./client.js";
import type { RepoCoordinates } from "./branch.js";
import { PullSummary } from "./schema.js";

/**
 * PR flood limits, counted from GitHub itself (not the database) so they hold after the
 * database is lost and across replicas: TerraFix PRs are those whose head branch starts with
 * `terrafix/` (see branchName in domain/failure.ts).
 */
export const BRANCH_PREFIX = "terrafix/";
const HOUR_MS = 3600_000;

export interface LimitSettings {
  maxPrsPerHour: number;
  maxOpenPrs: number;
  now: () => Date;
}

export type LimitVerdict = { allowed: true } | { allowed: false; reason: string; until?: string };

export async function checkPrLimits(octokit: GitHubOctokit, at: RepoCoordinates, settings: LimitSettings): Promise<LimitVerdict> {
  const open = await octokit.paginate(octokit.rest.pulls.list, { ...at, state: "open", per_page: 100 });
  const openCount = open.filter((pull) => pull.head.ref.startsWith(BRANCH_PREFIX)).length;
  if (openCount >= settings.maxOpenPrs) {
    return { allowed: false, reason: `open pull request limit reached: ${openCount} open TerraFix pull requests (max ${settings.maxOpenPrs})` };
  }
  const nowMs = settings.now().getTime();
  const cutoff = nowMs - HOUR_MS;
  const recent: number[] = [];
  // Newest first; stop at the first page that reaches past the last hour.
  for await (const page of octokit.paginate.iterator(octokit.rest.pulls.list, { ...at, state: "all", sort: "created", direction: "desc", per_page: 100 })) {
    let older = false;
    for (const raw of page.data) {
      const pull = PullSummary.parse(raw);
      const created = Date.parse(pull.created_at);
      if (created < cutoff) older = true;
      else if (pull.head.ref.startsWith(BRANCH_PREFIX)) recent.push(created);
    }
    if (older) break;
  }
  if (recent.length < settings.maxPrsPerHour) return { allowed: true };
  // The window frees a slot when enough of the oldest recent PRs pass the one-hour mark.
  const ascending = recent.sort((a, b) => a - b);
  const freeing = ascending[recent.length - settings.maxPrsPerHour] ?? nowMs;
  return {
    allowed: false,
    reason: `hourly pull request limit reached: ${recent.length} TerraFix pull requests in the last hour (max ${settings.maxPrsPerHour})`,
    until: new Date(freeing + HOUR_MS).toISOString(),
  };
}
