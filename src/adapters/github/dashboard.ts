import { escapeMarkdown, markdownCode } from "../../domain/markdown.js";
import { PR_BODY_LIMIT } from "../../domain/pull-request.js";
import { secrets } from "../../observability/secrets.js";
import type { BotIdentity, GitHubOctokit } from "./client.js";
import type { RepoCoordinates } from "./branch.js";
import { IssueSummary } from "./schema.js";

/**
 * One dashboard issue per repository, like Renovate's dependency dashboard: what TerraFix has
 * open, deferred, declined, could not match, or failed on. Found again by title and author, so
 * it survives a lost database.
 */
export const DASHBOARD_TITLE = "TerraFix dashboard";
const MARKER = "<!-- terrafix:dashboard -->";

export type DashboardStatus = "open" | "deferred" | "declined" | "unmatched" | "failed";

export interface DashboardItem {
  key: string;
  status: DashboardStatus;
  testId: string;
  testName: string;
  /** The resource as people know it (name or ARN). */
  resource: string;
  /** The PR, when there is one. */
  url?: string;
  /** Why it is deferred, declined, unmatched or failed. */
  reason?: string;
}

export interface DashboardResult {
  url: string;
  number: number;
  action: "created" | "updated" | "unchanged";
}

const SECTIONS: [DashboardStatus, string][] = [
  ["open", "Open pull requests"],
  ["deferred", "Deferred (pull request limits; retried automatically)"],
  ["declined", "Declined (closed without merging; not proposed again unless the fix changes)"],
  ["unmatched", "No matching Terraform found"],
  ["failed", "Failed"],
];

export function renderDashboard(items: readonly DashboardItem[]): string {
  const parts = [MARKER, "This issue lists what TerraFix is doing in this repository. It is updated automatically.", ""];
  for (const [status, heading] of SECTIONS) {
    const rows = items.filter((item) => item.status === status);
    parts.push(`## ${heading} (${rows.length})`, "");
    if (rows.length === 0) parts.push("_None._");
    for (const item of rows) {
      const what = `**${escapeMarkdown(item.testName)}** on ${markdownCode(item.resource)}`;
      const link = item.url === undefined ? "" : ` — ${item.url}`;
      const reason = item.reason === undefined ? "" : ` — ${escapeMarkdown(item.reason.length > 500 ? `${item.reason.slice(0, 499)}…` : item.reason)}`;
      parts.push(`- ${what}${link}${reason}`);
    }
    parts.push("");
  }
  const body = secrets.scrub(parts.join("\n"));
  return body.length < PR_BODY_LIMIT - 100 ? body : `${body.slice(0, PR_BODY_LIMIT - 200)}\n\n… truncated …\n`;
}

export async function upsertDashboard(octokit: GitHubOctokit, at: RepoCoordinates, identity: BotIdentity, items: readonly DashboardItem[]): Promise<DashboardResult> {
  const body = renderDashboard(items);
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { ...at, state: "open", creator: identity.login, per_page: 100 });
  const existing = issues.map((raw) => IssueSummary.parse(raw)).find((issue) => issue.pull_request === undefined && issue.title === DASHBOARD_TITLE);
  if (existing === undefined) {
    const { data } = await octokit.rest.issues.create({ ...at, title: DASHBOARD_TITLE, body });
    return { url: data.html_url, number: data.number, action: "created" };
  }
  if (existing.body === body) return { url: existing.html_url, number: existing.number, action: "unchanged" };
  await octokit.rest.issues.update({ ...at, issue_number: existing.number, body });
  return { url: existing.html_url, number: existing.number, action: "updated" };
}
