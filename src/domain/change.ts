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
}

export interface VerificationCheck {
  name: string;
  /** True for a gate that passed, and (so that it never blocks) for one that was skipped. */
  passed: boolean;
  detail: string;
  /** pass / fail / skipped (did not run, or nothing to check): a skipped gate is never shown as passed. */
  status?: GateStatus;
}

export type GateStatus = "pass" | "fail" | "skipped";

/** The gate's tri-state; a check without `status` is pass or fail by `passed`. */
export function gateStatus(check: Pick<VerificationCheck, "passed" | "status">): GateStatus {
  return check.status ?? (check.passed ? "pass" : "fail");
}

export interface VerificationReport {
  passed: boolean;
  checks: VerificationCheck[];
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
