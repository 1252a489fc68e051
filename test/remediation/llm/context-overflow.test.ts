import { afterEach, describe, expect, it } from "vitest";
import { createBedrockFixModel } from "../../../src/adapters/bedrock/client.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { FixModelError } from "../../../src/ports/fix-model.js";
import { runLlmFix } from "../../../src/remediation/llm/loop.js";
import { readPrompt, startFakeBedrock, type FakeBedrock } from "../../fakes/bedrock-server.js";
import { inputFor, simpleVerify, validProposal } from "./helpers.js";

/**
 * An input longer than the model's context window, against the fake Bedrock (which answers
 * Bedrock's "Input is too long for requested model."): one retry with fewer related blocks, or
 * a permanent error that names the limit; never a generic failure.
 */
const servers: FakeBedrock[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const S55 = "global.anthropic.claude-sonnet-5-5";
const statements = Array.from({ length: 60 }, (_, i) => `      {\n        Sid       = "Read${i}"\n        Effect    = "Allow"\n        Principal = { AWS = "arn:aws:iam::123456789012:role/reader-${i}" }\n        Action    = "s3:GetObject"\n        Resource  = "\${aws_s3_bucket.logs.arn}/team-${i}/*"\n      },`).join("\n");
// A bucket and a large policy that references it: the policy is related context the prompt may drop.
const TEXT = `resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n}\n\nresource "aws_s3_bucket_policy" "logs" {\n  bucket = aws_s3_bucket.logs.id\n  policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [\n${statements}\n    ]\n  })\n}\n`;

async function fake(options: Parameters<typeof startFakeBedrock>[0]): Promise<FakeBedrock> {
  const server = await startFakeBedrock({ responder: () => ({ type: "tool", input: validProposal() }), ...options });
  servers.push(server);
  return server;
}

function model(server: FakeBedrock) {
  return createBedrockFixModel({ modelId: S55, region: "us-east-1", endpoint: server.url, timeoutMs: 5000, credentials: { accessKeyId: "a", secretAccessKey: "b" }, logger: silentLogger() });
}

/** Tokens of a request as the fake counts them. */
function tokensOf(server: FakeBedrock, i: number): number {
  const body = server.requests[i]!.body;
  const parts = [...(body.toolConfig?.tools ?? []), ...(body.system ?? []), ...(body.messages ?? []).flatMap((m) => m.content)];
  return parts.reduce((sum, part) => sum + Math.ceil(JSON.stringify(part).length / 4), 0);
}

describe("an input over the model's context window", () => {
  it("is retried once with fewer related blocks, and the smaller prompt gets the fix", async () => {
    const probe = await fake({});
    await runLlmFix(await inputFor("main.tf", TEXT, "aws_s3_bucket.logs", { referencing: ["aws_s3_bucket_policy.logs"] }), { model: model(probe), verify: simpleVerify, logger: silentLogger() });
    const full = tokensOf(probe, 0);
    expect(readPrompt(probe.requests[0]!).prompt).toContain("aws_s3_bucket_policy");

    const server = await fake({ contextTokens: full - 200 });
    const result = await runLlmFix(await inputFor("main.tf", TEXT, "aws_s3_bucket.logs", { referencing: ["aws_s3_bucket_policy.logs"] }), { model: model(server), verify: simpleVerify, logger: silentLogger() });

    expect(result.type).toBe("change");
    expect(server.requests).toHaveLength(2);
    expect(tokensOf(server, 1)).toBeLessThan(full - 200);
    const retried = readPrompt(server.requests[1]!).prompt;
    expect(retried).toContain('resource "aws_s3_bucket" "logs"');
    expect(retried).not.toContain("reader-59");
    if (result.type === "change") expect(result.attempts[0]).toMatchObject({ outcome: "model-retry", detail: expect.stringContaining("context-exceeded") });
  });

  it("fails with one permanent error naming the model and its limit when even the smaller prompt is too long", async () => {
    const server = await fake({ contextTokens: 100 });

    const run = runLlmFix(await inputFor("main.tf", TEXT, "aws_s3_bucket.logs", { referencing: ["aws_s3_bucket_policy.logs"] }), { model: model(server), verify: simpleVerify, logger: silentLogger() });

    const error = await run.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(FixModelError);
    expect(error).toMatchObject({ code: "context-exceeded", kind: "permanent" });
    expect((error as Error).message).toMatch(/^the prompt is longer than the context window of Claude Sonnet 5\.5 \(global\.anthropic\.claude-sonnet-5-5\), 1,000,000 tokens: lower TERRAFIX_LLM_PROMPT_BUDGET_TOKENS\. Bedrock said: Input is too long for requested model\.$/);
    expect(server.requests).toHaveLength(2);
  });
});
