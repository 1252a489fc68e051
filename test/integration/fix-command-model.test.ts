import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeBedrock, type FakeBedrock, type FakeBedrockStep } from "../fakes/bedrock-server.js";
import { runTerrafix } from "../support/cli.js";

/**
 * `terrafix fix --generator llm` against the fake Bedrock's Sonnet 5.5 (the default model): the
 * real CLI, adapter and repair loop over HTTP, with the fake enforcing Sonnet 5.5's rules
 * (no sampling parameters, no forced tool choice, reasoning blocks replayed unchanged).
 */
function copyDemoRepo(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "tf-fix-llm-")), "repo");
  cpSync("demo/repo", dir, { recursive: true });
  return dir;
}

const KEY = (body: string, description = "Application data key") =>
  `resource "aws_kms_key" "app" {\n  description             = "${description}"\n  deletion_window_in_days = 30\n${body}  tags                    = merge(local.common_tags, { Name = "\${local.prefix}-app-key" })\n}`;
const proposal = (newText: string): FakeBedrockStep => ({
  type: "tool",
  input: { edits: [{ action: "replace_block", address: "aws_kms_key.app", file: "compute.tf", new_text: newText }], rationale: "Turn on key rotation.", confidence: 0.8, risks: [] },
});
// Changes the block but leaves rotation off: the control gate rejects it.
const wrong = proposal(KEY("", "Application data key (rotated)"));
const right = proposal(KEY("  enable_key_rotation     = true\n"));
const ARGS = ["fix", "--test", "kms-rotation", "--name", "acme-prod-app-key", "--type", "KMS key", "--generator", "llm"];

describe("terrafix fix --generator llm against the fake Sonnet 5.5", () => {
  let bedrock: FakeBedrock;
  beforeAll(async () => {
    bedrock = await startFakeBedrock();
  });
  afterAll(async () => {
    await bedrock.close();
  });
  afterEach(() => {
    bedrock.script([]);
    bedrock.requests.length = 0;
  });
  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    PATH: process.env["PATH"],
    LOG_LEVEL: "silent",
    BEDROCK_ENDPOINT_URL: bedrock.url,
    AWS_ACCESS_KEY_ID: "AKIATEST",
    AWS_SECRET_ACCESS_KEY: "secret-test-key",
    ...extra,
  });

  it("proposes, repairs with the reasoning block replayed, and ends with a verified change", async () => {
    bedrock.script([wrong, wrong, right]);
    const result = await runTerrafix([...ARGS, "--repo", copyDemoRepo(), "--json"], env());

    expect(result.code).toBe(0);
    const json = JSON.parse(result.out) as { outcome: string; generator: string; verification: { passed: boolean }; llm: { rounds: number; costUsd: number; modelId: string } };
    expect(json).toMatchObject({ outcome: "change", generator: "llm", verification: { passed: true }, llm: { rounds: 3, modelId: "global.anthropic.claude-sonnet-5-5" } });
    expect(json.llm.costUsd).toBeGreaterThan(0);
    expect(bedrock.requests.map((r) => r.modelId)).toEqual(Array(3).fill("global.anthropic.claude-sonnet-5-5"));
    for (const request of bedrock.requests) {
      expect(request.body.inferenceConfig).not.toHaveProperty("temperature");
      expect(request.body.toolConfig?.toolChoice).toEqual({ auto: {} });
      expect(request.body.additionalModelRequestFields).toEqual({ thinking: { type: "between_tools" } });
    }
    // Round 2 answered after a tool result, so it carried a thinking block; round 3 sends that
    // assistant turn back with the block first and unchanged (the fake rejects anything else).
    const replayed = bedrock.requests[2]!.body.messages![3]!;
    expect(replayed.role).toBe("assistant");
    expect(Object.keys(replayed.content[0]!)).toEqual(["reasoningContent"]);
    expect(replayed.content[1]).toHaveProperty("toolUse");
  });

  it("exits 1 with one clear line when the model never proposes a valid change", async () => {
    bedrock.script([wrong, wrong, wrong]);
    const result = await runTerrafix([...ARGS, "--repo", copyDemoRepo()], env());

    expect(result.code).toBe(1);
    const lines = result.err.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^terrafix fix: failed: no proposal passed verification in 3 rounds \(last: control: .*kms-rotation/);
    expect(bedrock.requests).toHaveLength(3);
  });

  it("exits 2 with one line naming the retired model and what to set", async () => {
    const retired = await startFakeBedrock({ lifecycle: { "claude-sonnet-4-5": "end-of-life" } });
    try {
      const result = await runTerrafix([...ARGS, "--repo", copyDemoRepo()], env({ BEDROCK_ENDPOINT_URL: retired.url, BEDROCK_MODEL_ID: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" }));
      expect(result.code).toBe(2);
      const lines = result.err.split("\n").filter((l) => l !== "");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/Bedrock model Claude Sonnet 4\.5 \(us\.anthropic\.claude-sonnet-4-5-20250929-v1:0\) has reached end of life: set BEDROCK_MODEL_ID to global\.anthropic\.claude-sonnet-5-5/);
      expect(retired.requests).toHaveLength(1);
    } finally {
      await retired.close();
    }
  });
});
