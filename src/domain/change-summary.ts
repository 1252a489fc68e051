import { createTwoFilesPatch } from "diff";
import type { FileChange } from "./change.js";
import { markdownCode } from "./markdown.js";
import { secrets } from "../observability/secrets.js";

/**
 * The part of a PR body that shows what the branch changes: the "What changes" table and the
 * collapsed diff, fitted under GitHub's body limit. One implementation for a PR's first body
 * (renderPullRequestBody) and for a group's body after each member's edits are merged in.
 */

/**
 * GitHub rejects a pull request body over 65,536 characters ("body is too long (maximum is
 * 65536 characters)"). We stay a little under it. https://github.com/orgs/community/discussions/27190
 */
export const PR_BODY_LIMIT = 65_536;
export const BODY_BUDGET = PR_BODY_LIMIT - 512;
export const DIFF_TRUNCATED_MARKER = "… diff truncated: the full change is on the branch …";
export const BODY_TRUNCATED_MARKER = "… body truncated …";
export const CHANGES_HEADING = "### What changes";
export const DIFF_SUMMARY = "<details><summary>Diff</summary>";

export type ChangedFile = Pick<FileChange, "path" | "before" | "after">;

export interface FitOptions {
  /** Removes secret values; defaults to the process-wide registry. */
  scrub?: (text: string) => string;
  /** Only for tests of the truncation; never above the budget. */
  limit?: number;
}

/** A unified diff of every file in the change. */
export function unifiedDiff(change: { files: readonly ChangedFile[] }): string {
  return change.files
    .map((file) => createTwoFilesPatch(`a/${file.path}`, `b/${file.path}`, file.before, file.after, undefined, undefined, { context: 3 }))
    .map((patch) => patch.replace(/^=+\n/, ""))
    .join("");
}

/** The "What changes" section: one row per file with its added and removed line counts. */
export function changeTable(files: readonly ChangedFile[]): string {
  const rows = files.map((file) => {
    const { added, removed } = lineCounts(file.before, file.after);
    return `| ${markdownCode(file.path).replace(/\|/g, "\\|")} | +${added} | −${removed} |`;
  });
  return [CHANGES_HEADING, "", "| file | added | removed |", "|---|---|---|", ...rows, "", ""].join("\n");
}

/**
 * `intro`, the table and the diff of `files`, then `outro`, every part scrubbed of secrets, and
 * always within the budget: the diff is cut first (at a line, with DIFF_TRUNCATED_MARKER); when
 * the prose alone is too long the diff is only the marker and the body is cut at its end.
 */
export function fitChangeBody(parts: { intro: string; files: readonly ChangedFile[]; outro: string }, options: FitOptions = {}): string {
  const scrub = options.scrub ?? ((text: string) => secrets.scrub(text));
  const limit = Math.min(options.limit ?? BODY_BUDGET, BODY_BUDGET);
  const head = scrub(parts.intro + changeTable(parts.files));
  const tail = scrub(parts.outro);
  const diff = scrub(unifiedDiff(parts));
  const fence = diff.includes("```") ? "~~~~" : "```";
  const wrap = (text: string): string => `${DIFF_SUMMARY}\n\n${fence}diff\n${text}${text.endsWith("\n") ? "" : "\n"}${fence}\n</details>\n\n`;
  const full = head + wrap(diff) + tail;
  if (full.length <= limit) return full;
  const room = limit - head.length - tail.length - wrap("").length - DIFF_TRUNCATED_MARKER.length - 2;
  if (room > 200) return head + wrap(`${cutAtLine(diff, room)}\n${DIFF_TRUNCATED_MARKER}\n`) + tail;
  // The prose itself is too long (a huge rationale): keep the marker line, cut the rest.
  const cut = `${head}${wrap(DIFF_TRUNCATED_MARKER)}${tail}`;
  return `${cut.slice(0, limit - 40)}\n\n${BODY_TRUNCATED_MARKER}\n`;
}

/**
 * A rendered body split around its change section (table and diff), for re-rendering it with
 * another change. Undefined when the body does not have one (a human rewrote it, or it was cut).
 * Only the lines TerraFix writes itself are matched: untrusted text above the table is escaped
 * or quoted (it cannot be a bare heading line), and every line inside the diff starts with a
 * diff prefix, so neither can fake the heading or the closing `</details>`.
 */
export function splitChangeBody(body: string): { intro: string; outro: string } | undefined {
  const lines = body.split("\n");
  const heading = lines.indexOf(CHANGES_HEADING);
  const details = lines.indexOf(DIFF_SUMMARY, heading + 1);
  const close = lines.indexOf("</details>", details + 1);
  if (heading === -1 || details === -1 || close === -1) return undefined;
  // The change section ends with a blank line after `</details>` (fitChangeBody's wrap).
  const after = lines[close + 1] === "" ? close + 2 : close + 1;
  return { intro: lines.slice(0, heading).join("\n") + (heading === 0 ? "" : "\n"), outro: lines.slice(after).join("\n") };
}

export function lineCounts(before: string, after: string): { added: number; removed: number } {
  const a = new Map<string, number>();
  for (const line of before.split("\n")) a.set(line, (a.get(line) ?? 0) + 1);
  let added = 0;
  for (const line of after.split("\n")) {
    const n = a.get(line) ?? 0;
    if (n > 0) a.set(line, n - 1);
    else added += 1;
  }
  let removed = 0;
  for (const n of a.values()) removed += n;
  return { added, removed };
}

function cutAtLine(text: string, max: number): string {
  const cut = text.slice(0, max);
  const newline = cut.lastIndexOf("\n");
  return newline > max / 2 ? cut.slice(0, newline) : cut;
}
