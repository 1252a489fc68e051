import { describe, expect, it } from "vitest";
import { runDemo } from "../../demo/run.js";

describe("npm run demo", () => {
  it("opens a verified pull request for the 14 failures (two tests on one bucket share one), one of them written by the model", async () => {
    const lines: string[] = [];
    const result = await runDemo({ print: (line) => lines.push(line) });
    expect(result.exitCode).toBe(0);
    expect(result.jobs).toHaveLength(14);
    // Two failing tests on one bucket go into one PR (TERRAFIX_GROUP_BY_RESOURCE, default on).
    const outcomes = result.jobs.map((j) => j.result.outcome.type);
    expect(outcomes.filter((o) => o !== "pr-opened")).toEqual(["pr-updated"]);
    expect(result.pulls).toHaveLength(13);
    expect(result.pulls.filter((p) => (p.body ?? "").includes("### Also fixes"))).toHaveLength(1);
    const generators = result.jobs.map((j) => j.result.detail?.["generator"]);
    expect(generators.filter((g) => g === "llm")).toHaveLength(1);
    expect(generators.filter((g) => g === "rules")).toHaveLength(13);
    const llmJob = result.jobs.find((j) => j.result.detail?.["generator"] === "llm");
    expect(llmJob?.job.testId).toBe("serverless-function-error-rate-monitored-aws");
    const output = lines.join("\n");
    expect(output).toContain("match:        module.resizer.aws_lambda_function.this  modules/app/main.tf:29");
    expect(output).toContain("aws_iam_account_password_policy.this  (not in the code yet: the fix adds it)");
    expect(output).toContain("13 pull request(s) opened");
    for (const pull of result.pulls) expect(pull.body).toMatch(/verif/i);
  });
});
