import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { createBedrockFixModel } from "../../../src/adapters/bedrock/client.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { FixModelError, type FixModelRequest } from "../../../src/ports/fix-model.js";
import { startFakeBedrock, type FakeBedrock } from "../../fakes/bedrock-server.js";

const MODEL_ID = "global.anthropic.claude-sonnet-5-5";
const SONNET_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
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

function model(maxAttempts = 3, modelId = MODEL_ID, effort?: "low" | "medium" | "high" | "xhigh" | "max") {
  return createBedrockFixModel({ modelId, region: "us-east-1", endpoint: fake.url, maxAttempts, timeoutMs: 5000, credentials: CREDENTIALS, logger: silentLogger(), ...(effort === undefined ? {} : { effort }) });
}

describe("createBedrockFixModel against the fake Bedrock", () => {
  it("sends Sonnet 5.5 the request its catalogue entry allows: auto tool choice, no sampling, between_tools, effort", async () => {
    fake.enqueue({ type: "tool", input: { edits: [{ action: "replace_block" }] } });

    const response = await model().propose(request());

    expect(response.toolUse?.input).toEqual({ edits: [{ action: "replace_block" }] });
    expect(response.toolUse?.name).toBe("submit_fix");
    expect(response.stopReason).toBe("tool_use");
    expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const sent = fake.requests[0]!;
    expect(sent.modelId).toBe(MODEL_ID);
    expect(sent.body.inferenceConfig).toEqual({ maxTokens: 1024 });
    expect(sent.body.toolConfig?.toolChoice).toEqual({ auto: {} });
    expect(sent.body.additionalModelRequestFields).toEqual({ thinking: { type: "between_tools" } });
    expect(sent.body.outputConfig).toEqual({ effort: "medium" });
    expect(sent.body.toolConfig?.tools?.[1]).toEqual({ cachePoint: { type: "default" } });
    expect(sent.body.system?.[1]).toEqual({ cachePoint: { type: "default" } });
  });

  it("sends Sonnet 4.5 forced tool use with temperature 0 only and no thinking or effort", async () => {
    fake.enqueue({ type: "tool", input: { edits: [] } });
    await model(3, SONNET_45).propose(request());
    const sent = fake.requests[0]!;
    expect(sent.path).toContain("us.anthropic.claude-sonnet-4-5-20250929-v1%3A0");
    expect(sent.body.inferenceConfig).toEqual({ maxTokens: 1024, temperature: 0 });
    expect(sent.body.toolConfig?.toolChoice).toEqual({ tool: { name: "submit_fix" } });
    expect(sent.body.additionalModelRequestFields).toBeUndefined();
    expect(sent.body.outputConfig).toBeUndefined();
  });

  it("uses adaptive thinking on Sonnet 5.5 above effort high, where between_tools is not allowed", async () => {
    fake.enqueue({ type: "tool", input: { edits: [] } });
    const response = await model(3, MODEL_ID, "xhigh").propose(request());
    expect(fake.requests[0]!.body.additionalModelRequestFields).toEqual({ thinking: { type: "adaptive" } });
    expect(fake.requests[0]!.body.outputConfig).toEqual({ effort: "xhigh" });
    // Adaptive thinking: the answer starts with a reasoning block (empty text, signature kept on 5.5).
    expect(response.reasoningBlocks).toBe(1);
    expect(response.content[0]).toMatchObject({ reasoningContent: { reasoningText: { text: "", signature: expect.any(String) } } });
  });

  it("is rejected when it sends today's old request shape to Sonnet 5.5 (temperature 0 + forced tool)", async () => {
    const client = new BedrockRuntimeClient({ region: "us-east-1", endpoint: fake.url, credentials: CREDENTIALS, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
    const call = client.send(
      new ConverseCommand({
        modelId: MODEL_ID,
        messages: [{ role: "user", content: [{ text: "fix it" }] }],
        inferenceConfig: { maxTokens: 4096, temperature: 0 },
        toolConfig: { tools: [{ toolSpec: { name: "submit_fix", inputSchema: { json: { type: "object" } } } }], toolChoice: { tool: { name: "submit_fix" } } },
      }),
    );
    await expect(call).rejects.toMatchObject({
      name: "ValidationException",
      message: 'The model returned the following errors: `temperature` is deprecated for this model; tool_choice: type "tool" and "any" are not supported for this model.',
    });
    client.destroy();
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

  it("replays an assistant turn exactly as received, reasoning block first, in the repair round", async () => {
    fake.enqueue({ type: "tool", input: { edits: [] }, reasoning: true }, { type: "tool", input: { edits: [1] } });
    const first = await model().propose(request());
    const call = first.toolUse!;
    await model().propose(
      request({
        turns: [
          { role: "user", text: "Fix aws_s3_bucket.logs" },
          { role: "assistant", text: first.text, calls: [{ toolUseId: call.id, name: call.name, input: call.input }], replay: first.content },
          { role: "tool-result", toolUseId: call.id, text: "parse failed", isError: true },
        ],
      }),
    );
    const messages = fake.requests[1]!.body.messages!;
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(Object.keys(messages[1]!.content[0]!)).toEqual(["reasoningContent"]);
    expect(messages[1]!.content[1]).toEqual({ toolUse: { toolUseId: call.id, name: "submit_fix", input: { edits: [] } } });
    expect(messages[2]!.content[0]).toEqual({ toolResult: { toolUseId: call.id, content: [{ text: "parse failed" }], status: "error" } });
  });

  it("is rejected by the fake when a repair round drops or alters the reasoning block", async () => {
    fake.enqueue({ type: "tool", input: { edits: [] }, reasoning: true }, { type: "tool", input: {} }, { type: "tool", input: {} });
    const first = await model().propose(request());
    const call = first.toolUse!;
    const turns = (replay: readonly unknown[] | undefined) =>
      request({
        turns: [
          { role: "user", text: "Fix aws_s3_bucket.logs" },
          { role: "assistant", text: "", calls: [{ toolUseId: call.id, name: call.name, input: call.input }], ...(replay === undefined ? {} : { replay }) },
          { role: "tool-result", toolUseId: call.id, text: "parse failed", isError: true },
        ],
      });
    const dropped = await model(1).propose(turns(undefined)).catch((e: unknown) => e);
    expect(dropped).toMatchObject({ kind: "config", code: "validation", message: expect.stringContaining("Expected `thinking` or `redacted_thinking`, but found `tool_use`") });
    const altered = structuredClone(first.content) as { reasoningContent?: { reasoningText: { signature: string } } }[];
    altered[0]!.reasoningContent!.reasoningText.signature = "forged";
    const forged = await model(1).propose(turns(altered)).catch((e: unknown) => e);
    expect(forged).toMatchObject({ code: "validation", message: expect.stringContaining("Invalid `signature` in `thinking` block") });
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
      new ConverseCommand({ modelId: SONNET_45, messages: [{ role: "user", content: [{ text: "hi" }] }], inferenceConfig: { temperature: 0, topP: 0.9 } }),
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
