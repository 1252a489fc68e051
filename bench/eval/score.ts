/**
 * Scoring of evaluation cases. A case is positive when TerraFix should give a confident answer
 * (a match, a failing finding, a verified fix) and negative when it must not.
 *   precision = right confident answers / all confident answers
 *   recall    = right confident answers on positive cases / positive cases
 * "Confident answer" means: match status `matched`, check result `fail`, fix outcome `change`.
 */
export type CaseKind = "match" | "check" | "fix";

export interface CaseOutcome {
  kind: CaseKind;
  id: string;
  positive: boolean;
  /** TerraFix gave a confident answer. */
  answered: boolean;
  /** The confident answer is the expected one (only meaningful when answered). */
  right: boolean;
  pass: boolean;
  detail: string;
}

export interface Score {
  cases: number;
  passed: number;
  positives: number;
  answered: number;
  truePositives: number;
  falsePositives: number;
  /** undefined when nothing was answered. */
  precision: number | undefined;
  /** undefined when there are no positive cases. */
  recall: number | undefined;
}

export function score(outcomes: readonly CaseOutcome[]): Score {
  const positives = outcomes.filter((o) => o.positive).length;
  const answered = outcomes.filter((o) => o.answered);
  const truePositives = answered.filter((o) => o.right && o.positive).length;
  const falsePositives = answered.filter((o) => !o.right || !o.positive).length;
  return {
    cases: outcomes.length,
    passed: outcomes.filter((o) => o.pass).length,
    positives,
    answered: answered.length,
    truePositives,
    falsePositives,
    precision: answered.length === 0 ? undefined : (answered.length - falsePositives) / answered.length,
    recall: positives === 0 ? undefined : truePositives / positives,
  };
}

export function formatRatio(value: number | undefined): string {
  return value === undefined ? "n/a" : `${(value * 100).toFixed(1)}%`;
}
