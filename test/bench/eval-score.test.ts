import { describe, expect, it } from "vitest";
import { CaseFile } from "../../bench/eval/schema.js";
import { judgeCheckCase } from "../../bench/eval/runner.js";
import { score, type CaseOutcome } from "../../bench/eval/score.js";

const o = (positive: boolean, answered: boolean, right: boolean): CaseOutcome => ({ kind: "match", id: "x", positive, answered, right, pass: positive ? right : !answered, detail: "" });

describe("eval scoring", () => {
  it.each<[string, CaseOutcome[], number | undefined, number | undefined]>([
    ["all right", [o(true, true, true), o(false, false, false)], 1, 1],
    ["a confident answer on a negative case is a false positive", [o(true, true, true), o(false, true, false)], 0.5, 1],
    ["a wrong address is a false positive and a miss", [o(true, true, false), o(true, true, true)], 0.5, 0.5],
    ["unanswered positives lower recall only", [o(true, false, false), o(true, true, true)], 1, 0.5],
    ["nothing answered: precision undefined", [o(true, false, false)], undefined, 0],
  ])("%s", (_label, outcomes, precision, recall) => {
    const s = score(outcomes);
    expect(s.precision).toBe(precision);
    expect(s.recall).toBe(recall);
  });

  it("judges check cases by control, address and root; unknown is not a finding", () => {
    const findings = [
      { control: "s3-versioning", address: "aws_s3_bucket.a", file: "a.tf", root: "envs/prod", result: "fail" as const },
      { control: "s3-versioning", address: "aws_s3_bucket.a", file: "a.tf", root: "envs/staging", result: "unknown" as const },
    ];
    expect(judgeCheckCase(findings, { id: "1", control: "s3-versioning", address: "aws_s3_bucket.a", root: "envs/prod", expect: "fail" }).pass).toBe(true);
    expect(judgeCheckCase(findings, { id: "2", control: "s3-versioning", address: "aws_s3_bucket.a", root: "envs/staging", expect: "fail" }).pass).toBe(false);
    expect(judgeCheckCase(findings, { id: "3", control: "s3-versioning", address: "aws_s3_bucket.b", expect: "absent" }).pass).toBe(true);
    expect(judgeCheckCase(findings, { id: "4", control: "s3-versioning", address: "aws_s3_bucket.a", root: "envs/prod", expect: "pass" })).toMatchObject({ pass: false, answered: true, right: false });
  });

  it("rejects a case file without a pinned commit or with an identity that says nothing", () => {
    expect(CaseFile.safeParse({ corpus: "a/b", commit: "HEAD" }).success).toBe(false);
    expect(CaseFile.safeParse({ corpus: "a/b", commit: "a".repeat(40), match: [{ id: "x", identity: { name: "n" }, expect: { status: "not-matched" } }] }).success).toBe(false);
  });
});
