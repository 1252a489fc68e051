import type { DashboardItem, GitHubPublisher } from "../adapters/github/index.js";
import { coerceError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import { repoSlug, type RepositoryRef } from "../ports/repo-workspace.js";
import type { JobRecord, StateStore } from "../ports/state-store.js";

/** How a job record shows on the dashboard issue; undefined for records it does not list. */
export function dashboardItem(record: JobRecord): DashboardItem | undefined {
  if (record.resolvedAt !== null) return undefined;
  const base = { key: record.key, testId: record.testId, testName: record.failure.testName, resource: record.resource };
  const o = record.outcome;
  if (record.status === "deferred") return { ...base, status: "deferred", ...(o !== null && "reason" in o ? { reason: o.reason } : {}) };
  if (o === null) return undefined;
  switch (o.type) {
    case "pr-opened":
    case "pr-updated":
    case "pr-exists":
      return { ...base, status: "open", url: o.url };
    case "declined":
      return { ...base, status: "declined", url: o.url, reason: o.reason };
    case "no-match":
    case "ambiguous":
    case "unsupported":
      return { ...base, status: "unmatched", reason: o.reason };
    case "failed":
      return record.status === "failed" ? { ...base, status: "failed", reason: o.message } : undefined;
    default:
      return undefined;
  }
}

/**
 * Keeps one dashboard issue per repository up to date. Items with a pull request go to the
 * repository of that pull request; the others (unmatched, failed, deferred) to the first
 * configured repository, since they belong to no repository yet.
 */
export async function refreshDashboards(store: StateStore, publisher: GitHubPublisher, repositories: readonly RepositoryRef[], logger: Logger): Promise<void> {
  const first = repositories[0];
  if (first === undefined) return;
  const items = (await store.list({ limit: 5000 })).map(dashboardItem).filter((i): i is DashboardItem => i !== undefined);
  for (const repo of repositories) {
    const slug = repoSlug(repo);
    const mine = items.filter((i) => (i.url !== undefined ? i.url.includes(`/${slug}/`) : repo === first));
    try {
      await publisher.updateDashboard(repo, mine);
    } catch (error) {
      logger.warn({ repo: slug, err: coerceError(error, "publish") }, "updating the dashboard issue failed");
    }
  }
}
