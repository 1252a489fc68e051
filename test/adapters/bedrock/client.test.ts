import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { createBedrockFixModel } from "../../../src/adapters/bedrock/client.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { FixModelError, type FixModelRequest } from "../../../src/ports/fix-model.js";
import { startFakeBedrock, type FakeBedrock } from "../../fakes/bedrock-server.js";

const MODEL_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const CREDENTIALS = { accessKeyId: "AKIAFAKE", secretAccessKey: "fake-secret" };

function request(overrides: Partial<FixModelRequest> = {}): FixModelRequest {
  return {
    // Long enough (> 1,024 tokens at chars/4) for the fake's cache simulation.
    system: `You are a careful Terraform engineer.\n${"Static rule text. ".repeat(300)}`,
    turns: [{ role: "user", text: "Fix aws_s3_bucket.logs" }],
    toolName: "submit_fix",
    toolDescription: "Submit the fix",
    toolSchema: { type: "object", properties: { edits: { type: "array" } }, required: ["edits"] },
    maxTokens: 1024,
    ...overrides,
  };
}

let fake: FakeBedrock;
beforeAll(async () => {
  fake = await startFakeBedrock();
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  fake.script([]);
  fake.setFault(undefined);
  fake.requests.length = 0;
});

function model(maxAttempts = 3) {
  return createBedrockFixModel({ modelId: MODEL_ID, region: "us-east-1", endpoint: fake.url, maxAttempts, timeoutMs: 5000, credentials: CREDENTIALS, logger: silentLogger() });
}

describe("createBedrockFixModel against the fake Bedrock", () => {
  it("sends a forced-tool Converse request with temperature only, cache points, and parses the tool input", async () => {
    fake.enqueue({ type: "tool", input: { edits: [{ action: "replace_block" }] } });

    const response = await model().propose(request());

    expect(response.toolUse?.input).toEqual({ edits: [{ action: "replace_block" }] });
    expect(response.toolUse?.name).toBe("submit_fix");
    expect(response.stopReason).toBe("tool_use");
    expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const sent = fake.requests[0]!;
    expect(sent.modelId).toBe(MODEL_ID);
    expect(sent.path).toContain("us.anthropic.claude-sonnet-4-5-20250929-v1%3A0");
    expect(sent.body.inferenceConfig).toEqual({ maxTokens: 1024, temperature: 0 });
    expect(sent.body.toolConfig?.toolChoice).toEqual({ tool: { name: "submit_fix" } });
    expect(sent.body.toolConfig?.tools?.[1]).toEqual({ cachePoint: { type: "default" } });
    expect(sent.body.system?.[1]).toEqual({ cachePoint: { type: "default" } });
    expect(sent.body.additionalModelRequestFields).toBeUndefined();
  });

  it("records cache writes on the first call and cache reads on the next with the same static prefix", async () => {
    fake.enqueue({ type: "tool", input: { edits: [] } }, { type: "tool", input: { edits: [] } });
    const first = await model().propose(request({ system: `unique prefix A\n${"Static rule text. ".repeat(300)}` }));
    const second = await model().propose(request({ system: `unique prefix A\n${"Static rule text. ".repeat(300)}`, turns: [{ role: "user", text: "another job" }] }));

    expect(first.usage.cacheWriteInputTokens).toBeGreaterThan(1024);
    expect(first.usage.cacheReadInputTokens).toBe(0);
    expect(second.usage.cacheReadInputTokens).toBe(first.usage.cacheWriteInputTokens);
    expect(second.usage.cacheWriteInputTokens).toBe(0);
    expect(second.usage.inputTokens).toBeGreaterThan(0);
  });

  it("sends a repair conversation as alternating messages with a tool result", async () => {
    fake.enqueue({ type: "tool", input: { edits: [] } });
    await model().propose(
      request({
        turns: [
          { role: "user", text: "fix it" },
          { role: "assistant", toolUseId: "tooluse_1", input: { edits: [] } },
          { role: "tool-result", toolUseId: "tooluse_1", text: "parse failed", isError: true },
        ],
      }),
    );
    const messages = fake.requests[0]!.body.messages!;
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(messages[1]!.content[0]).toEqual({ toolUse: { toolUseId: "tooluse_1", name: "submit_fix", input: { edits: [] } } });
    expect(messages[2]!.content[0]).toEqual({ toolResult: { toolUseId: "tooluse_1", content: [{ text: "parse failed" }], status: "error" } });
  });

  it("returns a text answer without a tool call as toolUse undefined", async () => {
    fake.enqueue({ type: "text", text: "I think you should enable versioning." });
    const response = await model().propose(request());
    expect(response.toolUse).toBeUndefined();
    expect(response.text).toBe("I think you should enable versioning.");
    expect(response.stopReason).toBe("end_turn");
  });

  it("lets the SDK retry throttling and 503 and succeeds within maxAttempts", async () => {
    fake.enqueue({ type: "error", error: "ThrottlingException" }, { type: "error", error: "ServiceUnavailableException" }, { type: "tool", input: { ok: true } });
    const response = await model(3).propose(request());
    expect(response.toolUse?.input).toEqual({ ok: true });
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[2]!.headers["amz-sdk-request"]).toContain("attempt=3");
  });

  it("does not retry ModelTimeoutException (408) in the SDK and maps it to a transient model-timeout", async () => {
    fake.enqueue({ type: "error", error: "ModelTimeoutException" }, { type: "tool", input: {} });
    const error = await model(3).propose(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FixModelError);
    expect(error).toMatchObject({ kind: "transient", code: "model-timeout", status: 408, stage: "generate" });
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    ["ThrottlingException", "throttled", "throttled"],
    ["ServiceQuotaExceededException", "throttled", "quota"],
    ["ValidationException", "config", "validation"],
    ["AccessDeniedException", "config", "access-denied"],
    ["ResourceNotFoundException", "config", "not-found"],
    ["ServiceUnavailableException", "transient", "unavailable"],
    ["ModelNotReadyException", "transient", "unavailable"],
    ["ModelErrorException", "permanent", "model-error"],
  ] as const)("maps %s to kind %s / code %s", async (name, kind, code) => {
    fake.setFault({ error: name });
    const error = await model(1).propose(request()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "FixModelError", kind, code });
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).not.toContain("fake-secret");
  });

  it("rejects temperature together with topP like Sonnet 4.5 does (the adapter never sends topP)", async () => {
    const client = new BedrockRuntimeClient({ region: "us-east-1", endpoint: fake.url, credentials: CREDENTIALS, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
    const call = client.send(
      new ConverseCommand({ modelId: MODEL_ID, messages: [{ role: "user", content: [{ text: "hi" }] }], inferenceConfig: { temperature: 0, topP: 0.9 } }),
    );
    await expect(call).rejects.toMatchObject({ name: "ValidationException", message: expect.stringContaining("temperature and top_p cannot both be specified") });
    client.destroy();
  });

  it("maps an abort to a transient aborted error", async () => {
    const slow = await startFakeBedrock({ latencyMs: 2000, scenario: [{ type: "tool", input: {} }] });
    try {
      const m = createBedrockFixModel({ modelId: MODEL_ID, region: "us-east-1", endpoint: slow.url, timeoutMs: 5000, credentials: CREDENTIALS, logger: silentLogger() });
      const controller = new AbortController();
      const pending = m.propose(request(), controller.signal).catch((e: unknown) => e);
      setTimeout(() => controller.abort(), 50);
      expect(await pending).toMatchObject({ code: "aborted", kind: "transient" });
    } finally {
      await slow.close();
    }
  });
});
