/**
 * The matched target, the one type of the match hop: the block a change applies to, for the
 * generator, titles, bodies and records. terraform/match's `MatchCandidate` extends it with the
 * indexed block itself, so the candidate the matcher ranked is the target the pipeline carries.
 */
export interface MatchedTarget {
  /** Full Terraform address (`module.logs.aws_s3_bucket.this`). */
  address: string;
  /** Path relative to the repository root. */
  file: string;
  startLine: number;
  endLine: number;
  /** 0..1 */
  confidence: number;
  reasons: string[];
}

/** Only the target's own fields (a candidate also carries its indexed block, which must not travel on). */
export function matchedTarget(t: MatchedTarget): MatchedTarget {
  return { address: t.address, file: t.file, startLine: t.startLine, endLine: t.endLine, confidence: t.confidence, reasons: [...t.reasons] };
}

/**
 * An account-wide resource the code lacks (terraform/match's `missing` answer): the fix adds it.
 * `address` is the block the fix will add (`aws_iam_account_password_policy.this`).
 */
export interface MissingTarget {
  address: string;
  resourceType: string;
  reasons: string[];
}

/** Where the added block of a missing resource stands in the change, as the target of its pull request. */
export function addedTarget(missing: MissingTarget, files: readonly { path: string; after: string }[]): MatchedTarget {
  const name = missing.address.slice(missing.resourceType.length + 1);
  const header = new RegExp(`^resource\\s+"${escapeRegExp(missing.resourceType)}"\\s+"${escapeRegExp(name)}"`);
  for (const file of files) {
    const lines = file.after.split("\n");
    const start = lines.findIndex((line) => header.test(line));
    if (start < 0) continue;
    const end = lines.findIndex((line, i) => i > start && line.startsWith("}"));
    return { address: missing.address, file: file.path, startLine: start + 1, endLine: (end < 0 ? start : end) + 1, confidence: 1, reasons: [...missing.reasons] };
  }
  const first = files[0];
  return { address: missing.address, file: first?.path ?? "", startLine: 1, endLine: 1, confidence: 1, reasons: [...missing.reasons] };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
