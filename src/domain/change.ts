/** A replacement of the exact UTF-16 range [start, end) of a file's text. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** One file's proposed new content, with the original for diffs and verification. */
export interface FileChange {
  /** Path relative to the repository root, with forward slashes. */
  path: string;
  before: string;
  after: string;
}

export type Generator = "rules" | "llm";

/** How applying a change behaves on the live resource (what `terraform apply` will do). */
export type ApplyImpact = "in-place" | "replacement" | "brief-outage" | "cost-change";

/**
 * What a reviewer needs to know about one control's change before merging: data on each control
 * (src/controls/), rendered per control in the pull request body.
 */
export interface ControlReview {
  /** Most serious first; `["in-place"]` alone means an in-place update with no outage and no cost change. */
  impact: readonly ApplyImpact[];
  /** What applying does to the running resource and to whoever uses it. */
  applyNote: string;
  /** What reverting this change does (not always an undo: S3 versioning can only be suspended). */
  rollback: string;
  /** When Vanta's remediation asks for more than this change does: the part left to do. */
  notCovered?: string;
}

/** A control's review notes, as carried by a change. */
export interface ControlReviewNote extends ControlReview {
  controlId: string;
  title: string;
}

/** A proposed change to a repository, ready for verification and publishing. */
export interface ProposedChange {
  files: FileChange[];
  generator: Generator;
  rationale: string;
  /** 0..1; rules are 1. */
  confidence: number;
  risks?: string[];
  /** Control id the change is meant to satisfy, when known. */
  controlId?: string;
  /** Apply impact, rollback and gaps of each control the change satisfies (from the catalogue). */
  reviews?: ControlReviewNote[];
  /**
   * Where a value was changed at its source instead of on the resource (a variable default, a
   * tfvars file, a module call's input): the scope gate allows these blocks besides the target.
   */
  sources?: SourceEdit[];
}

/** A block changed at the source of a value: `variable.x`, `module.m`, or "" for a whole tfvars file. */
export interface SourceEdit {
  path: string;
  block: string;
}

/**
 * A gate's result. A gate that did not run (no terraform binary, no control covering the test)
 * is `skipped` with the reason in `detail`, never `pass`.
 */
export type CheckStatus = "pass" | "fail" | "skipped";

export interface VerificationCheck {
  name: string;
  status: CheckStatus;
  /** `status === "pass"`; kept for the JSON contract of `fix --json` (`verification.checks[].passed`). */
  passed: boolean;
  detail: string;
}

export interface VerificationReport {
  /** No gate failed (skipped gates do not fail a change; they are shown as skipped). */
  passed: boolean;
  checks: VerificationCheck[];
}

/** A gate's result with `passed` derived from its status. */
export function gateResult(name: string, status: CheckStatus, detail: string): VerificationCheck {
  return { name, status, passed: status === "pass", detail };
}

/** A report whose `passed` says that no gate failed. */
export function verificationReport(checks: VerificationCheck[]): VerificationReport {
  return { passed: checks.every((c) => c.status !== "fail"), checks };
}

/** The gates that failed (not the skipped ones): what is fed back to the model. */
export function failedChecks(report: VerificationReport): VerificationCheck[] {
  return report.checks.filter((c) => c.status === "fail");
}

/** Counts by status, e.g. for "passed (5 pass, 1 skipped)". */
export function checkCounts(checks: readonly VerificationCheck[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, skipped: 0 };
  for (const c of checks) counts[c.status] += 1;
  return counts;
}

/** Applies non-overlapping edits to a text, keeping every byte outside them. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = "";
  let cursor = 0;
  for (const edit of sorted) {
    if (edit.start < cursor) throw new Error(`overlapping edits at ${edit.start}`);
    if (edit.start > edit.end || edit.end > text.length) throw new Error(`edit range [${edit.start}, ${edit.end}) outside text`);
    out += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return out + text.slice(cursor);
}
