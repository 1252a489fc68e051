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
