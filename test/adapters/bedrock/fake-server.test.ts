import { afterEach, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { createBedrockFixModel } from "../../../src/adapters/bedrock/client.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { runLlmFix } from "../../../src/remediation/llm/loop.js";
import { readPrompt, startFakeBedrock, type FakeBedrock } from "../../fakes/bedrock-server.js";
import { fixture, inputFor, simpleVerify, validProposal } from "../../remediation/llm/helpers.js";

const servers: FakeBedrock[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Parameters<typeof startFakeBedrock>[0] = {}) {
  const fake = await startFakeBedrock(options);
  servers.push(fake);
  return fake;
}

const S55 = "global.anthropic.claude-sonnet-5-5";
const S5 = "us.anthropic.claude-sonnet-5";
const S46 = "eu.anthropic.claude-sonnet-4-6";
const S45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

async function post(fake: FakeBedrock, body: unknown, model = S55) {
  model = encodeURIComponent(model);
  const response = await fetch(`${fake.url}/model/${model}/converse`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return {
    status: response.status,
    errorType: response.headers.get("x-amzn-errortype"),
    requestId: response.headers.get("x-amzn-requestid"),
    // Loosely typed on purpose: each test reads the fields of the Converse shape it expects.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    body: (await response.json()) as any,
  };
}

const minimal = { messages: [{ role: "user", content: [{ text: "hi" }] }] };

describe("fake Bedrock server", () => {
  it.each([
    ["empty messages", { messages: [] }, "messages must not be empty"],
    ["assistant first", { messages: [{ role: "assistant", content: [{ text: "x" }] }] }, "must start with a user message"],
    ["no alternation", { messages: [{ role: "user", content: [{ text: "a" }] }, { role: "user", content: [{ text: "b" }] }] }, "must alternate"],
    ["unknown forced tool", { ...minimal, toolConfig: { tools: [{ toolSpec: { name: "a" } }], toolChoice: { tool: { name: "b" } } } }, "unknown tool: b"],
    [
      "tool use without result",
      { messages: [{ role: "user", content: [{ text: "a" }] }, { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "a", input: {} } }] }, { role: "user", content: [{ text: "b" }] }] },
      "Expected toolResult blocks",
    ],
    ["five cache points", { ...minimal, system: Array.from({ length: 5 }, () => ({ cachePoint: { type: "default" } })) }, "at most 4 cache points"],
  ])("rejects %s with a 400 ValidationException (every model)", async (_name, body, message) => {
    const fake = await start({ scenario: [{ type: "text", text: "unused" }] });
    const response = await post(fake, body, S45);
    expect(response.status).toBe(400);
    expect(response.errorType).toMatch(/^ValidationException/);
    expect(response.body.message).toContain(message);
    expect(fake.pending()).toBe(1);
  });

  const forced = { tools: [{ toolSpec: { name: "a" } }], toolChoice: { tool: { name: "a" } } };
  const prefill = { messages: [...minimal.messages, { role: "assistant", content: [{ text: "{" }] }] };
  it.each([
    [S55, "temperature 0", { ...minimal, inferenceConfig: { temperature: 0 } }, "The model returned the following errors: `temperature` is deprecated for this model"],
    [S55, "topP", { ...minimal, inferenceConfig: { topP: 0.9 } }, "`top_p` is deprecated for this model"],
    [S5, "temperature 1", { ...minimal, inferenceConfig: { temperature: 1 } }, "`temperature` is deprecated for this model"],
    [S55, "forced tool choice", { ...minimal, toolConfig: forced }, 'tool_choice: type "tool" and "any" are not supported for this model.'],
    [S55, "any tool choice", { ...minimal, toolConfig: { ...forced, toolChoice: { any: {} } } }, 'tool_choice: type "tool" and "any"'],
    [S5, "forced tool choice", { ...minimal, toolConfig: forced }, 'tool_choice: type "tool" and "any"'],
    [S55, "thinking disabled", { ...minimal, additionalModelRequestFields: { thinking: { type: "disabled" } } }, '"thinking.type.disabled" is not supported for this model. Use "thinking.type.between_tools"'],
    [S55, "budgeted thinking", { ...minimal, additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 2048 } } }, '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort"'],
    [S5, "between_tools (a 5.5 setting)", { ...minimal, additionalModelRequestFields: { thinking: { type: "between_tools" } } }, '"thinking.type.between_tools" is not supported'],
    [S45, "adaptive thinking", { ...minimal, additionalModelRequestFields: { thinking: { type: "adaptive" } } }, '"thinking.type.adaptive" is not supported'],
    [S55, "between_tools above effort high", { ...minimal, additionalModelRequestFields: { thinking: { type: "between_tools" } }, outputConfig: { effort: "max" } }, "between_tools\" is only supported with output_config.effort \"high\" or lower"],
    [S45, "an effort", { ...minimal, outputConfig: { effort: "medium" } }, 'output_config.effort: "medium" is not supported'],
    [S46, "effort xhigh", { ...minimal, outputConfig: { effort: "xhigh" } }, 'output_config.effort: "xhigh" is not supported'],
    [S55, "an assistant prefill", prefill, "This model does not support assistant message prefill. The conversation must end with a user message."],
    [S46, "an assistant prefill", prefill, "does not support assistant message prefill"],
    [S45, "temperature and topP together", { ...minimal, inferenceConfig: { temperature: 0, topP: 1 } }, "temperature and top_p cannot both be specified for this model. Please use only one."],
    [S45, "thinking with forced tool", { ...minimal, additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 1024 } }, toolConfig: forced }, "Thinking may not be enabled"],
    [S45, "maxTokens above 64K", { ...minimal, inferenceConfig: { maxTokens: 64_001 } }, "max_tokens: 64001 > 64000"],
    [S55, "maxTokens above 128K", { ...minimal, inferenceConfig: { maxTokens: 128_001 } }, "max_tokens: 128001 > 128000"],
    [S55, "a strict tool (structured outputs)", { ...minimal, toolConfig: { tools: [{ toolSpec: { name: "a", strict: true } }], toolChoice: { auto: {} } } }, "structured outputs (toolSpec.strict, outputConfig.textFormat) are not supported"],
    [S55, "outputConfig.textFormat", { ...minimal, outputConfig: { textFormat: { type: "json_schema" } } }, "structured outputs"],
    [S55, "between_tools with a budget", { ...minimal, additionalModelRequestFields: { thinking: { type: "between_tools", budget_tokens: 1024 } } }, '"thinking.type.between_tools" takes no other fields, found: budget_tokens'],
  ])("%s rejects %s with the service's 400 text", async (model, _name, body, message) => {
    const fake = await start({ scenario: [{ type: "text", text: "unused" }] });
    const response = await post(fake, body, model);
    expect(response.status).toBe(400);
    expect(response.errorType).toMatch(/^ValidationException/);
    expect(response.body.message).toContain(message);
    expect(fake.pending()).toBe(1);
  });

  it.each([
    [S45, "temperature 0 + forced tool, no thinking", { ...minimal, inferenceConfig: { temperature: 0 }, toolConfig: forced }],
    [S46, "temperature 0 + forced tool + effort medium", { ...minimal, inferenceConfig: { temperature: 0 }, toolConfig: forced, outputConfig: { effort: "medium" } }],
    [S45, "an assistant prefill", prefill],
    [S55, "auto tool choice, between_tools, effort high", { ...minimal, toolConfig: { ...forced, toolChoice: { auto: {} } }, additionalModelRequestFields: { thinking: { type: "between_tools" } }, outputConfig: { effort: "high" } }],
    [S5, "adaptive thinking, effort xhigh", { ...minimal, additionalModelRequestFields: { thinking: { type: "adaptive" } }, outputConfig: { effort: "xhigh" } }],
    [S45, "a strict tool", { ...minimal, toolConfig: { tools: [{ toolSpec: { name: "a", strict: true } }], toolChoice: { tool: { name: "a" } } } }],
  ])("%s accepts %s", async (model, _name, body) => {
    const fake = await start({ scenario: [{ type: "text", text: "ok" }] });
    expect((await post(fake, body, model)).status).toBe(200);
  });

  it.each([
    ["anthropic.claude-sonnet-5-5", 400, "ValidationException", "Invocation of model ID anthropic.claude-sonnet-5-5 with on-demand throughput isn't supported"],
    ["global.anthropic.claude-sonnet-9", 400, "ValidationException", "The provided model identifier is invalid."],
    ["m", 400, "ValidationException", "The provided model identifier is invalid."],
  ])("rejects the model id %s", async (model, status, type, message) => {
    const fake = await start({ scenario: [{ type: "text", text: "unused" }] });
    const response = await post(fake, minimal, model);
    expect(response).toMatchObject({ status, body: { message: expect.stringContaining(message) } });
    expect(response.errorType).toMatch(new RegExp(`^${type}`));
  });

  it.each([
    ["end-of-life", "This model version has reached the end of its life."],
    ["legacy-inactive", "This Model is marked by provider as Legacy and you have not been actively using the model in the last 30 days"],
  ] as const)("answers a model marked %s with a 404 ResourceNotFoundException", async (state, message) => {
    const fake = await start({ lifecycle: { "claude-sonnet-4-5": state }, scenario: [{ type: "text", text: "unused" }] });
    const response = await post(fake, minimal, S45);
    expect(response).toMatchObject({ status: 404, body: { message: expect.stringContaining(message) } });
    expect(response.errorType).toMatch(/^ResourceNotFoundException/);
    expect((await post(fake, minimal, S55)).status).toBe(200);
  });

  it("emits reasoning for thinking models: empty text on Sonnet 5.5, summarized on Sonnet 5, none on Sonnet 4.5", async () => {
    const fake = await start({ responder: () => ({ type: "text", text: "ok" }) });
    const s55 = await post(fake, minimal, S55);
    const s5 = await post(fake, minimal, S5);
    const s45 = await post(fake, minimal, S45);
    expect(s55.body.output.message.content[0]).toEqual({ reasoningContent: { reasoningText: { text: "", signature: expect.stringMatching(/.{20,}/) } } });
    expect(s5.body.output.message.content[0].reasoningContent.reasoningText.text).not.toBe("");
    expect(s45.body.output.message.content).toEqual([{ text: "ok" }]);
    // between_tools: no up-front thinking on the first turn.
    const first = await post(fake, { ...minimal, additionalModelRequestFields: { thinking: { type: "between_tools" } } }, S55);
    expect(first.body.output.message.content).toEqual([{ text: "ok" }]);
  });

  it("caches from each model's minimum: 512 tokens on Sonnet 5.5, 1,024 on Sonnet 4.5", async () => {
    const fake = await start({ responder: () => ({ type: "text", text: "ok" }) });
    // About 700 tokens at chars/4: above 5.5's minimum, below 4.5's.
    const body = { ...minimal, system: [{ text: "x".repeat(2800) }, { cachePoint: { type: "default" } }] };
    expect((await post(fake, body, S55)).body.usage.cacheWriteInputTokens).toBeGreaterThan(512);
    expect((await post(fake, body, S45)).body.usage.cacheWriteInputTokens).toBe(0);
  });

  it("rejects an input over the model's context window with Bedrock's 400 text", async () => {
    const fake = await start({ contextTokens: 50, scenario: [{ type: "text", text: "unused" }] });
    const response = await post(fake, { messages: [{ role: "user", content: [{ text: "x".repeat(400) }] }] });
    expect(response).toMatchObject({ status: 400, body: { message: "Input is too long for requested model." } });
    expect(response.errorType).toMatch(/^ValidationException/);
    expect((await post(fake, minimal)).status).toBe(200);
  });

  it("decodes the model id, records the request and sends a request id", async () => {
    const fake = await start({ scenario: [{ type: "text", text: "hello" }] });
    const arn = "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0";
    const response = await post(fake, minimal, arn);
    expect(response.status).toBe(200);
    expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.output.message.content).toEqual([{ text: "hello" }]);
    expect(fake.requests[0]!.modelId).toBe(arn);
  });

  it("answers unknown routes with 404 and an empty queue with a non-retryable 400", async () => {
    const fake = await start();
    expect((await fetch(`${fake.url}/nope`)).status).toBe(404);
    const response = await post(fake, minimal);
    expect(response.status).toBe(400);
    expect(response.body.message).toContain("no scripted answer");
  });

  it("applies a fault a fixed number of times before the queue", async () => {
    const fake = await start({ scenario: [{ type: "text", text: "ok" }] });
    fake.setFault({ error: "ServiceUnavailableException", count: 2 });
    expect((await post(fake, minimal)).status).toBe(503);
    expect((await post(fake, minimal)).status).toBe(503);
    expect((await post(fake, minimal)).status).toBe(200);
  });

  it("applies a fault at a seeded rate, reproducibly", async () => {
    const statuses = async () => {
      const fake = await start({ seed: 7, responder: () => ({ type: "text", text: "ok" }) });
      fake.setFault({ error: "ThrottlingException", rate: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 20; i += 1) out.push((await post(fake, minimal)).status);
      return out;
    };
    const first = await statuses();
    expect(first).toEqual(await statuses());
    expect(first.filter((s) => s === 429).length).toBeGreaterThan(3);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(3);
  });

  it("sends raw answers verbatim and applies a latency function per request", async () => {
    let drawn = 0;
    const fake = await start({ latencyMs: () => ((drawn += 1), 5), scenario: [{ type: "raw", status: 424, body: { message: "model error" }, headers: { "x-amzn-errortype": "ModelErrorException" } }] });
    const response = await post(fake, minimal);
    expect(response).toMatchObject({ status: 424, errorType: "ModelErrorException", body: { message: "model error" } });
    expect(drawn).toBe(1);
  });

  it("runs a scenario file (throttle, timeout, prose, answer) through the real adapter and repair loop", async () => {
    const fake = await start({ scenario: fileURLToPath(new URL("../../fakes/scenarios/bedrock-flaky.json", import.meta.url)) });
    const text = fixture("s3-injection.tf");
    const model = createBedrockFixModel({ modelId: S55, region: "us-east-1", endpoint: fake.url, timeoutMs: 5000, credentials: { accessKeyId: "a", secretAccessKey: "b" }, logger: silentLogger() });
    const result = await runLlmFix(await inputFor("main.tf", text, "aws_s3_bucket.logs"), { model, verify: simpleVerify, logger: silentLogger(), retryDelayMs: () => 1 });
    expect(result.type).toBe("change");
    expect(fake.requests).toHaveLength(4);
    expect(fake.pending()).toBe(0);
  });

  it("lets a responder read the prompt and answer plausibly (as the demo does)", async () => {
    const fake = await start({
      responder: (request) => {
        const view = readPrompt(request);
        if (view.target === undefined) return { type: "text", text: "no target" };
        return { type: "tool", input: validProposal({ edits: [{ action: "insert_after", address: view.target.address, file: view.target.file, new_text: `resource "aws_s3_bucket_versioning" "logs" {\n  bucket = aws_s3_bucket.logs.id\n\n  versioning_configuration {\n    status = "Enabled"\n  }\n}` }] }) };
      },
    });
    const text = fixture("s3-injection.tf");
    const model = createBedrockFixModel({ modelId: S55, region: "us-east-1", endpoint: fake.url, timeoutMs: 5000, credentials: { accessKeyId: "a", secretAccessKey: "b" }, logger: silentLogger() });
    const result = await runLlmFix(await inputFor("main.tf", text, "aws_s3_bucket.logs"), { model, verify: simpleVerify, logger: silentLogger() });
    expect(result.type).toBe("change");
    const view = readPrompt(fake.requests[0]!);
    expect(view).toMatchObject({ round: 0, target: { address: "aws_s3_bucket.logs", file: "main.tf" } });
    expect(view.target!.code).toContain('resource "aws_s3_bucket" "logs" {');
  });
});
