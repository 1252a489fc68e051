import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeBedrock, type FakeBedrock } from "../fakes/bedrock-server.js";
import { runTerrafix } from "../support/cli.js";

/**
 * Issue 16, attack 1 end to end: the answer that once shipped as a PR with every check green
 * (`Action = "*"`, `Resource = "*"`), for a test no control covers, through the real CLI, the
 * real model client and the fake Bedrock server. It must end as a failed verification.
 */
describe("a hostile model answer through terrafix fix", () => {
  let bedrock: FakeBedrock;
  beforeAll(async () => {
    bedrock = await startFakeBedrock();
  });
  afterAll(async () => {
    await bedrock.close();
  });

  // The test id is declared through TERRAFIX_TEST_MAPPINGS with no control (`id=`): known to the
  // CLI (not a typo, no usage error), covered by no control, so the model is the only generator.
  it("an IAM wildcard policy for an uncovered test is refused by the guardrail gate", async () => {
    const repo = join(mkdtempSync(join(tmpdir(), "tf-hostile-")), "repo");
    cpSync("demo/repo", repo, { recursive: true });
    const answer = {
      type: "tool" as const,
      input: {
        edits: [
          {
            action: "insert_after",
            address: "module.resizer.aws_lambda_function.this",
            file: "modules/app/main.tf",
            new_text:
              'resource "aws_iam_role_policy" "errors" {\n  role = aws_iam_role.this.id\n  policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{\n      Effect   = "Allow"\n      Action   = "*"\n      Resource = "*"\n    }]\n  })\n}',
          },
        ],
        rationale: "The function needs permission to publish its error metric.",
        confidence: 0.95,
        risks: [],
      },
    };
    bedrock.script([answer]);
    const env = { PATH: process.env["PATH"], LOG_LEVEL: "silent", BEDROCK_ENDPOINT_URL: bedrock.url, AWS_ACCESS_KEY_ID: "AKIATEST", AWS_SECRET_ACCESS_KEY: "secret-test-key", TERRAFIX_LLM_MAX_ROUNDS: "1", TERRAFIX_TEST_MAPPINGS: "acme-lambda-error-alarm=" };
    const result = await runTerrafix(
      ["fix", "--repo", repo, "--test", "acme-lambda-error-alarm", "--name", "acme-prod-image-resizer", "--type", "aws_lambda_function", "--generator", "llm", "--json"],
      env,
    );
    const json = JSON.parse(result.out) as { outcome: string; verification: { checks: { name: string; passed: boolean; detail: string }[] } | null };
    expect(json.outcome).toBe("failed");
    const gate = json.verification?.checks.find((c) => c.name === "guardrails");
    expect(gate?.passed).toBe(false);
    expect(gate?.detail).toContain('[iam-wildcard] modules/app/main.tf:');
    expect(gate?.detail).toContain('grants Action "*"');
    expect(gate?.detail).toContain('grants Resource "*"');
    expect(result.code).toBe(1);
    // The model was asked (the answer did not stop at a usage error) and nothing was written.
    expect(bedrock.requests.length).toBeGreaterThan(0);
  });
});
