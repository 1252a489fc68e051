/**
 * The one place untrusted text (Vanta test names and descriptions, resource names, repository
 * content, the model's prose) is made safe for GitHub-flavoured Markdown: PR titles, bodies,
 * comments, commit messages and the dashboard issue all go through `escapeMarkdown`.
 *
 * What it defends against (issue 16, attack 6):
 * - mentions: `@user`, `@org/team` ping people. A zero-width space after `@` stops GitHub's
 *   mention filter (the same trick as Renovate's `sanitizeMarkdown`,
 *   https://github.com/renovatebot/renovate/blob/main/lib/modules/platform/utils/pr-body.ts).
 * - references: `#12`, `GH-12`, `owner/repo#12` link (and with a closing keyword such as
 *   `Fixes #12` close) issues on merge
 *   (https://docs.github.com/en/issues/tracking-your-work-with-issues/linking-a-pull-request-to-an-issue).
 *   A zero-width space after `#` / in `GH-` breaks the reference, and closing keywords are broken
 *   too, so `Fixes https://github.com/o/r/issues/1` closes nothing either.
 * - HTML: `<`, `>`, `&` are escaped, so no raw tags, comments (our hidden markers) or entities.
 * - structure: line breaks are folded to spaces and Markdown punctuation is backslash-escaped,
 *   so a value cannot open a heading, list, table row, quote, link or emphasis, nor forge a
 *   "Verification (passed)" section.
 */
export type MarkdownContext =
  /** Body text (PR body, comment, dashboard): everything above. */
  | "inline"
  /**
   * Plain-text places GitHub does not render as HTML (PR and issue titles, commit messages):
   * mentions, references and closing keywords are broken and lines folded, but HTML and
   * Markdown punctuation are left alone (an entity would show literally).
   */
  | "plain";

const ZWSP = "\u200b";
// Control characters (bidi overrides and isolates included) can hide or reorder what a reviewer
// reads; tabs and line feeds are kept for the callers that fold or keep lines.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /[\r\n\u2028\u2029\u0085]+/g;
/** A closing keyword followed by something that may be a reference (`#1`, `o/r#1`, `GH-1`, an issue URL). */
const CLOSING = /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)(?=\s*:?\s+(?:#|[\w.-]+\/[\w.-]+#|gh-|https?:|www\.|[\w.-]+\.[a-z]{2,}\/))/gi;

export function escapeMarkdown(text: string, context: MarkdownContext = "inline"): string {
  let out = text.replace(LINE_BREAKS, " ").replace(CONTROLS, "");
  if (context === "inline") {
    out = out
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/([\\`*_[\]|~])/g, "\\$1")
      // Only at the very start can a value open a block (heading, list, quote, setext underline).
      .replace(/^(\s*)([#+=-])/, "$1\\$2")
      .replace(/^(\s*\d+)([.)])/, "$1\\$2");
  }
  return out
    .replace(/@(?=[\p{L}\p{N}_-])/gu, `@${ZWSP}`)
    .replace(/#(?=\d)/g, `#${ZWSP}`)
    .replace(/\b(GH)(\\?-)(?=\d)/gi, `$1${ZWSP}$2`)
    .replace(CLOSING, (word: string) => `${word.slice(0, 1)}${ZWSP}${word.slice(1)}`);
}

/**
 * An inline code span holding `text` verbatim (line breaks folded): the fence is longer than
 * any backtick run inside, so the value cannot close it. GitHub renders neither mentions,
 * references nor HTML inside code (https://spec.commonmark.org/0.31.2/#code-spans).
 */
export function markdownCode(text: string): string {
  const flat = text.replace(LINE_BREAKS, " ").replace(CONTROLS, "").replace(/\t/g, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * Multi-line prose from an untrusted author (the model's rationale) as a quoted fenced block:
 * every line sits inside a code fence longer than any fence-like run in the text, inside a
 * block quote, so nothing in it can open a heading, close the section or render as Markdown.
 */
export function quotedProse(text: string, info = "text"): string {
  const clean = text.replace(/\r\n?|[\u2028\u2029\u0085]/g, "\n").replace(CONTROLS, "").trimEnd();
  const longest = Math.max(2, ...(clean.match(/`+|~+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const lines = clean.split("\n").map((line) => (line === "" ? ">" : `> ${line}`));
  return [`> ${fence}${info}`, ...lines, `> ${fence}`].join("\n");
}
