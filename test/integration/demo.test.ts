import { describe, expect, it } from "vitest";
import { runDemo } from "../../demo/run.js";

describe("npm run demo", () => {
  it("opens a verified pull request for each of the 14 failing resources, one of them written by the model", async () => {
    const lines: string[] = [];
    const result = await runDemo({ print: (line) => lines.push(line) });
    expect(result.exitCode).toBe(0);
    expect(result.jobs).toHaveLength(14);
    expect(result.jobs.map((j) => `${j.job.testId} ${j.result.outcome.type}`).filter((s) => !s.endsWith("pr-opened"))).toEqual([]);
    expect(result.pulls).toHaveLength(14);
    const generators = result.jobs.map((j) => j.result.detail?.["generator"]);
    expect(generators.filter((g) => g === "llm")).toHaveLength(1);
    expect(generators.filter((g) => g === "rules")).toHaveLength(13);
    const llmJob = result.jobs.find((j) => j.result.detail?.["generator"] === "llm");
    expect(llmJob?.job.testId).toBe("serverless-function-error-rate-monitored-aws");
    const output = lines.join("\n");
    expect(output).toContain("match:        module.resizer.aws_lambda_function.this  modules/app/main.tf:29");
    expect(output).toContain("aws_iam_account_password_policy.this  (not in the code yet: the fix adds it)");
    expect(output).toContain("14 pull request(s) opened");
    for (const pull of result.pulls) expect(pull.body).toMatch(/verif/i);
  });
});
