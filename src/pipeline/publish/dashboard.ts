import { PR_BODY_LIMIT } from "../../domain/pull-request.js";
import { secrets } from "../../observability/secrets.js";
import type { RepositoryRef } from "../../ports/repo-workspace.js";
import type { Scm } from "../../ports/scm.js";
import type { JobRecord } from "../../ports/state-store.js";
import { escapeMarkdown, markdownCode } from "../../domain/markdown.js";

/**
 * One dashboard issue per repository, like Renovate's dependency dashboard: what TerraFix has
 * open, held back, declined, could not place, or failed on, each with its key, and checkboxes a
 * human ticks ("retry", "undo decline") that the next cycle acts on. TerraFix owns only the text
 * between its start and end markers; anything a human writes outside them is kept. Found again
 * by title and author, so it survives a lost database.
 */
export const DASHBOARD_TITLE = "TerraFix dashboard";
const START = "<!-- terrafix:dashboard:start -->";
const END = "<!-- terrafix:dashboard:end -->";

export type DashboardStatus = "open" | "deferred" | "declined" | "ambiguous" | "unmatched" | "failed";
export type DashboardAction = "retry" | "undo-decline";

export interface DashboardItem {
  key: string;
  status: DashboardStatus;
  testId: string;
  testName: string;
  /** The resource as people know it (name or ARN). */
  resource: string;
  /** The PR, when there is one. */
  url?: string;
  /** Why it is deferred, declined, unmatched or failed (one line). */
  reason?: string;
  /** Ambiguous matches: `repo:address at file:line (confidence)`. */
  candidates?: string[];
}

const SECTIONS: [DashboardStatus, string, DashboardAction | undefined][] = [
  ["open", "Open pull requests", undefined],
  ["deferred", "Awaiting a free slot (pull request limits; runs again as soon as one frees)", undefined],
  ["declined", "Declined (closed without merging; not proposed again unless the fix changes)", "undo-decline"],
  ["ambiguous", "Ambiguous (several Terraform blocks could be the resource)", "retry"],
  ["unmatched", "No Terraform found", "retry"],
  ["failed", "Failed", "retry"],
];

const ACTION_TEXT: Record<DashboardAction, string> = { retry: "retry", "undo-decline": "undo decline (propose it again)" };

/** How a job record shows on the dashboard; undefined for records it does not list. */
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
    case "ambiguous":
      return { ...base, status: "ambiguous", reason: o.reason, candidates: o.candidates };
    case "no-match":
    case "unsupported":
      return { ...base, status: "unmatched", reason: o.reason };
    case "failed":
      return record.status === "failed" ? { ...base, status: "failed", reason: o.message } : undefined;
    default:
      return undefined;
  }
}

/** The managed section: headings, items with their keys, the checkboxes. */
export function renderManaged(items: readonly DashboardItem[]): string {
  const parts = [START, "This section lists what TerraFix is doing in this repository; it is rewritten after every cycle. Tick a box and the next cycle acts on it.", ""];
  for (const [status, heading, action] of SECTIONS) {
    const rows = items.filter((item) => item.status === status);
    parts.push(`## ${heading} (${rows.length})`, "");
    if (rows.length === 0) parts.push("_None._");
    for (const item of rows) {
      const what = `**${escapeMarkdown(item.testName)}** on ${markdownCode(item.resource)}`;
      const link = item.url === undefined ? "" : ` — ${item.url}`;
      const reason = item.reason === undefined ? "" : ` — ${escapeMarkdown(oneLine(item.reason))}`;
      const box = action === undefined ? "- " : `- [ ] <!-- terrafix:${action} key=${item.key} --> ${ACTION_TEXT[action]}: `;
      parts.push(`${box}${what}${link}${reason} (key \`${item.key.slice(0, 12)}\`)`);
      for (const candidate of (item.candidates ?? []).slice(0, 5)) parts.push(`  - candidate ${markdownCode(candidate)}`);
    }
    parts.push("");
  }
  parts.push(END);
  return parts.join("\n");
}

/** The new body: the managed section replaced, a human's text before and after it kept. */
export function renderDashboard(items: readonly DashboardItem[], previous = ""): string {
  const start = previous.indexOf(START);
  const end = previous.indexOf(END);
  // Without both markers (a first body, or one from an older TerraFix) the whole body is ours.
  const kept = start !== -1 && end > start;
  const before = kept ? previous.slice(0, start) : "";
  const after = kept ? previous.slice(end + END.length) : "";
  const room = PR_BODY_LIMIT - 200 - before.length - after.length;
  let managed = secrets.scrub(renderManaged(items));
  if (managed.length > room) managed = `${managed.slice(0, Math.max(room - END.length - 40, 0))}\n\n… truncated …\n${END}`;
  return `${before}${managed}${after}`;
}

/** The ticked boxes of a dashboard body: which keys a human asked to retry or to un-decline. */
export function checkedActions(body: string): { action: DashboardAction; key: string }[] {
  const out: { action: DashboardAction; key: string }[] = [];
  for (const match of body.matchAll(/^\s*- \[[xX]\] <!-- terrafix:(retry|undo-decline) key=([0-9a-f]{64}) -->/gm)) {
    out.push({ action: match[1] as DashboardAction, key: match[2] ?? "" });
  }
  return out;
}

/** Reads the repository's dashboard issue (its body, for the checkboxes), if there is one. */
export async function readDashboard(scm: Scm, repo: RepositoryRef): Promise<{ number: number; body: string } | undefined> {
  const issue = await scm.findIssue(repo, DASHBOARD_TITLE);
  return issue === undefined ? undefined : { number: issue.number, body: issue.body };
}

export interface DashboardResult {
  url: string;
  number: number;
  action: "created" | "updated" | "unchanged";
}

export async function upsertDashboard(scm: Scm, repo: RepositoryRef, items: readonly DashboardItem[]): Promise<DashboardResult> {
  const existing = await scm.findIssue(repo, DASHBOARD_TITLE);
  if (existing === undefined) {
    const created = await scm.createIssue(repo, DASHBOARD_TITLE, renderDashboard(items));
    return { url: created.url, number: created.number, action: "created" };
  }
  const body = renderDashboard(items, existing.body);
  if (existing.body === body) return { url: existing.url, number: existing.number, action: "unchanged" };
  await scm.updateIssue(repo, existing.number, body);
  return { url: existing.url, number: existing.number, action: "updated" };
}

function oneLine(text: string): string {
  const first = text.split(/\r?\n/)[0] ?? "";
  return first.length > 300 ? `${first.slice(0, 299)}…` : first;
}
