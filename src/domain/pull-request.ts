import { createHash } from "node:crypto";
import { createTwoFilesPatch } from "diff";
import type { Failure } from "./failure.js";
import type { ApplyImpact, ControlReviewNote, ProposedChange, VerificationReport } from "./change.js";
import { fixesTrailer } from "./proposal.js";
import { secrets } from "../observability/secrets.js";
import { escapeMarkdown, markdownCode, quotedProse } from "./markdown.js";

/**
 * GitHub rejects a pull request body over 65,536 characters ("body is too long (maximum is
 * 65536 characters)"). We stay a little under it. https://github.com/orgs/community/discussions/27190
 */
export const PR_BODY_LIMIT = 65_536;
const BODY_BUDGET = PR_BODY_LIMIT - 512;
/** GitHub limits titles to 256 characters. */
export const PR_TITLE_LIMIT = 256;
export const DIFF_TRUNCATED_MARKER = "… diff truncated: the full change is on the branch …";

/** The commit-message trailer that marks a commit as TerraFix's own work for a key. */
export const KEY_TRAILER = "TerraFix-Key";

export interface PullRequestTarget {
  address: string;
  file: string;
  startLine: number;
  endLine: number;
}

export interface PullRequestContent {
  key: string;
  /** The hidden first line (domain/proposal.ts renderMarker); default: the version 1 marker. */
  marker?: string;
  /** Every Vanta test the PR fixes, for the `Fixes:` trailer; default: the failure's test. */
  fixes?: string[];
  /** One line on what this PR replaces (a merged or closed earlier proposal); written by TerraFix, rendered as is. */
  replaces?: string;
  failure: Failure;
  target: PullRequestTarget;
  change: ProposedChange;
  verification: VerificationReport;
  /** `inputTokens` counts every input token, cache reads and writes included (domain/outcome ModelCost). */
  llm?: { modelId: string; inputTokens: number; outputTokens: number; costUsd: number; rounds: number; cacheReadTokens?: number; cacheWriteTokens?: number };
}

export interface RenderOptions {
  vantaAppUrl: string;
  /** Removes secret values; defaults to the process-wide registry. */
  scrub?: (text: string) => string;
  /** Only for tests of the truncation; never above PR_BODY_LIMIT. */
  limit?: number;
}

export interface BodyMarker {
  key: string;
  changeHash: string;
}

export interface LabelSpec {
  name: string;
  color: string;
  description: string;
}

/** `fix(<resource address>): <test name>`, within GitHub's title limit. */
export function pullRequestTitle(failure: Pick<Failure, "testName">, target: Pick<PullRequestTarget, "address">): string {
  const title = `fix(${escapeMarkdown(target.address, "plain")}): ${escapeMarkdown(failure.testName, "plain").replace(/\s+/g, " ").trim()}`;
  return title.length <= PR_TITLE_LIMIT ? title : `${title.slice(0, PR_TITLE_LIMIT - 1)}…`;
}

/** SHA-256 of the proposed files (path and new content), independent of their order. */
export function changeHash(change: Pick<ProposedChange, "files">): string {
  const hash = createHash("sha256");
  for (const file of [...change.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(`${file.path}\0${file.after.length}\0${file.after}\0`, "utf8");
  }
  return hash.digest("hex");
}

/** The hidden first line of every TerraFix PR body: lets a rerun without a database compare changes. */
export function bodyMarker(key: string, hash: string): string {
  return `<!-- terrafix:key=${key} change=sha256:${hash} -->`;
}

/** Reads the marker from the start of a body (a marker quoted further down is not trusted). */
export function parseBodyMarker(body: string | null | undefined): BodyMarker | undefined {
  const match = /^<!-- terrafix:key=([0-9a-f]{64}) change=sha256:([0-9a-f]{64}) -->/.exec(body ?? "");
  if (match === null) return undefined;
  return { key: match[1] ?? "", changeHash: match[2] ?? "" };
}

/** The commit message: a conventional subject and the key trailer. */
export function commitMessage(title: string, key: string, rationale: string): string {
  const flat = escapeMarkdown(rationale, "plain").trim();
  const why = flat.length <= 500 ? flat : `${flat.slice(0, 499)}…`;
  return `${title}\n\n${why === "" ? "" : `${why}\n\n`}${KEY_TRAILER}: ${key}\n`;
}

/** True when a commit message carries the trailer for this key. */
export function hasKeyTrailer(message: string, key: string): boolean {
  return new RegExp(`^${KEY_TRAILER}: ${key}\\s*$`, "m").test(message);
}

/** A unified diff of every file in the change. */
export function unifiedDiff(change: Pick<ProposedChange, "files">): string {
  return change.files
    .map((file) => createTwoFilesPatch(`a/${file.path}`, `b/${file.path}`, file.before, file.after, undefined, undefined, { context: 3 }))
    .map((patch) => patch.replace(/^=+\n/, ""))
    .join("");
}

/** The label's colour and description; known labels get fixed ones, others a stable colour. */
export function labelSpec(name: string): LabelSpec {
  switch (name) {
    case "terrafix":
      return { name, color: "5319e7", description: "Opened by TerraFix for a failing compliance test" };
    case "compliance":
      return { name, color: "d93f0b", description: "Fixes a failing compliance test" };
    default:
      return { name, color: createHash("sha256").update(name).digest("hex").slice(0, 6), description: "Added by TerraFix" };
  }
}

/** The PR body: always under GitHub's limit (the diff is cut first), secrets scrubbed. */
export function renderPullRequestBody(content: PullRequestContent, options: RenderOptions): string {
  const scrub = options.scrub ?? ((text: string) => secrets.scrub(text));
  const limit = Math.min(options.limit ?? BODY_BUDGET, BODY_BUDGET);
  const head = scrub(renderHead(content, options.vantaAppUrl));
  const tail = scrub(renderTail(content));
  const diff = scrub(unifiedDiff(content.change));
  const fence = diff.includes("```") ? "~~~~" : "```";
  const wrap = (text: string): string => `<details><summary>Diff</summary>\n\n${fence}diff\n${text}${text.endsWith("\n") ? "" : "\n"}${fence}\n</details>\n\n`;
  const full = head + wrap(diff) + tail;
  if (full.length <= limit) return full;
  const room = limit - head.length - tail.length - wrap("").length - DIFF_TRUNCATED_MARKER.length - 2;
  if (room > 200) return head + wrap(`${cutAtLine(diff, room)}\n${DIFF_TRUNCATED_MARKER}\n`) + tail;
  // The prose itself is too long (a huge rationale): keep the marker line, cut the rest.
  const cut = `${head}${wrap(DIFF_TRUNCATED_MARKER)}${tail}`;
  return `${cut.slice(0, limit - 40)}\n\n… body truncated …\n`;
}

function renderHead(content: PullRequestContent, vantaAppUrl: string): string {
  const { failure, target, change, key } = content;
  const link = `${vantaAppUrl.replace(/\/+$/, "")}/tests/${encodeURIComponent(failure.testId)}`;
  const resource = [
    `${markdownCode(failure.displayName)} (${inline(failure.responseType)})`,
    failure.arn === undefined ? "" : `ARN ${markdownCode(failure.arn)}`,
    failure.account === undefined ? "" : `account ${inline(failure.account)}`,
    failure.region === undefined ? "" : `region ${inline(failure.region)}`,
  ].filter((part) => part !== "");
  const summary = change.files.map((file) => {
    const { added, removed } = lineCounts(file.before, file.after);
    return `| ${markdownCode(file.path).replace(/\|/g, "\\|")} | +${added} | −${removed} |`;
  });
  return [
    content.marker ?? bodyMarker(key, changeHash(change)),
    `## TerraFix: ${inline(failure.testName)}`,
    "",
    // TerraFix's own sentence (PR numbers and dates), not untrusted text: `#N` must link.
    ...(content.replaces === undefined ? [] : [`> ${content.replaces.replace(/[\r\n]+/g, " ")}`, ""]),
    `**Failing test:** [${inline(failure.testName)}](${link}) (${markdownCode(failure.testId)})`,
    `**Resource:** ${resource.join(", ")}`,
    `**Terraform:** ${markdownCode(target.address)} in ${markdownCode(`${target.file}:${target.startLine}-${target.endLine}`)}`,
    failure.failureDescription === undefined ? "" : `\n> ${oneParagraph(failure.failureDescription, 1000)}`,
    "",
    "### What changes",
    "",
    "| file | added | removed |",
    "|---|---|---|",
    ...summary,
    "",
    "",
  ].join("\n");
}

function renderTail(content: PullRequestContent): string {
  const { change, verification, llm } = content;
  // A gate that did not run is shown as skipped (⚪) with its reason, never as passed.
  const icon = { pass: "✅", fail: "❌", skipped: "⚪ skipped:" } as const;
  const checks = verification.checks.map((check) => `- ${icon[check.status]} **${inline(check.name)}**: ${oneParagraph(check.detail, 400)}`);
  const generator =
    change.generator === "rules"
      ? `Rule-based fix${change.controlId === undefined ? "" : ` from control ${markdownCode(change.controlId)}`} (deterministic).`
      : `Model ${markdownCode(llm?.modelId ?? "unknown")}, confidence ${change.confidence.toFixed(2)}` +
        (llm === undefined ? "." : `, ${llm.rounds} round(s), ${inputTokensText(llm)} / ${llm.outputTokens} output tokens, cost $${llm.costUsd.toFixed(4)}.`);
  const risks = (change.risks ?? []).map((risk) => `- ${oneParagraph(risk, 300)}`);
  return [
    "### Why",
    "",
    // The model's prose, quoted and fenced: it cannot open a heading or forge a section below.
    change.rationale.trim() === "" ? "_No rationale given._" : quotedProse(change.rationale),
    ...(risks.length === 0 ? [] : ["", "**Risks noted:**", ...risks]),
    "",
    `### Verification (${verification.passed ? "passed" : "FAILED"})`,
    "",
    ...(checks.length === 0 ? ["_No checks recorded._"] : checks),
    "",
    "### Generator",
    "",
    generator,
    "",
    ...renderReviewNotes(change.reviews ?? []),
    "### Review checklist",
    "",
    "- [ ] The change touches only the resource named above",
    planChecklistItem(change.reviews ?? []),
    "- [ ] Dependent resources and modules still receive the values they expect",
    "- [ ] The fix matches your organisation's policy for this control",
    "",
    "### Rollback",
    "",
    ...(change.reviews ?? []).map((r) => `- **${inline(r.controlId)}**: ${oneParagraph(r.rollback, 600)}`),
    ...((change.reviews ?? []).length > 0 ? [""] : []),
    "Revert this pull request (or its merge commit) and apply; the change is confined to the files listed above. " +
      "Closing this pull request without merging tells TerraFix not to propose the same change again.",
    "",
    // Vanta's own fix flow ends with this trailer; it ties the PR to the test it fixes.
    fixesTrailer(content.fixes ?? [content.failure.testId]),
    "",
  ].join("\n");
}

/**
 * The plan a reviewer should expect. A control whose fix replaces the resource (RDS or EBS
 * encryption) must not be contradicted by a generic "no replacement" item.
 */
function planChecklistItem(reviews: readonly ControlReviewNote[]): string {
  const replacing = reviews.filter((r) => r.impact.includes("replacement")).map((r) => inline(r.controlId));
  return replacing.length === 0
    ? "- [ ] `terraform plan` shows only the expected in-place updates (no replacement, no destroy)"
    : `- [ ] \`terraform plan\` shows the replacement described under Apply impact (${replacing.join(", ")}) and nothing else replaced or destroyed; the replacement is scheduled for a maintenance window`;
}

const IMPACT_LABEL: Record<ApplyImpact, string> = { "in-place": "in place", replacement: "REPLACEMENT", "brief-outage": "brief outage", "cost-change": "cost change" };

/** Per control: what applying does and, when Vanta asks for more than the change does, what is left. */
function renderReviewNotes(reviews: readonly ControlReviewNote[]): string[] {
  if (reviews.length === 0) return [];
  const impact = reviews.map((r) => `- **${inline(r.controlId)}** (${r.impact.map((i) => IMPACT_LABEL[i]).join(", ")}): ${oneParagraph(r.applyNote, 600)}`);
  const gaps = reviews.filter((r) => r.notCovered !== undefined).map((r) => `- **Not covered by this PR** (${inline(r.controlId)}): ${oneParagraph(r.notCovered ?? "", 600)}`);
  return ["### Apply impact", "", ...impact, ...(gaps.length === 0 ? [] : ["", ...gaps]), "", ""];
}

function lineCounts(before: string, after: string): { added: number; removed: number } {
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

function inline(text: string): string {
  return escapeMarkdown(text);
}

/** Cut before escaping, so the cut never splits an escape or an entity. */
function oneParagraph(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return inline(flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`);
}

function cutAtLine(text: string, max: number): string {
  const cut = text.slice(0, max);
  const newline = cut.lastIndexOf("\n");
  return newline > max / 2 ? cut.slice(0, newline) : cut;
}

/**
 * Input tokens as billed: the total, and when the prompt cache was used, how many of them were
 * uncached, read from the cache and written to it (each has its own price).
 */
function inputTokensText(llm: NonNullable<PullRequestContent["llm"]>): string {
  const read = llm.cacheReadTokens ?? 0;
  const write = llm.cacheWriteTokens ?? 0;
  if (read === 0 && write === 0) return `${llm.inputTokens} input`;
  return `${llm.inputTokens} input (${Math.max(0, llm.inputTokens - read - write)} uncached, ${read} cache read, ${write} cache write)`;
}
