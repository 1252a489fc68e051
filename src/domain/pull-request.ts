import { createHash } from "node:crypto";
import type { Failure } from "./failure.js";
import type { ApplyImpact, ControlReviewNote, ProposedChange, VerificationReport } from "./change.js";
import { fixesTrailer } from "./proposal.js";
import { fitChangeBody, type FitOptions } from "./change-summary.js";
import { escapeMarkdown, markdownCode, quotedProse } from "./markdown.js";

export { DIFF_TRUNCATED_MARKER, PR_BODY_LIMIT, unifiedDiff } from "./change-summary.js";

/** GitHub limits titles to 256 characters. */
export const PR_TITLE_LIMIT = 256;

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

/** `scrub` and `limit` as in fitChangeBody. */
export interface RenderOptions extends FitOptions {
  vantaAppUrl: string;
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
  return fitChangeBody(
    { intro: renderHead(content, options.vantaAppUrl), files: content.change.files, outro: renderTail(content) },
    options,
  );
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
    // The "What changes" table and the diff follow (change-summary.ts).
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

function inline(text: string): string {
  return escapeMarkdown(text);
}

/** Cut before escaping, so the cut never splits an escape or an entity. */
function oneParagraph(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return inline(flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`);
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
