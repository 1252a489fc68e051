import { afterEach, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { createBedrockFixModel } from "../../../src/adapters/bedrock/client.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { pricesFromInput } from "../../../src/remediation/llm/cost.js";
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

async function post(fake: FakeBedrock, body: unknown, model = "m%3A0") {
  const response = await fetch(`${fake.url}/model/${model}/converse`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return {
    status: response.status,
    errorType: response.headers.get("x-amzn-errortype"),
    requestId: response.headers.get("x-amzn-requestid"),
    body: await response.json(),
  };
}

const minimal = { messages: [{ role: "user", content: [{ text: "hi" }] }] };

describe("fake Bedrock server", () => {
  it.each([
    ["both temperature and topP", { ...minimal, inferenceConfig: { temperature: 0, topP: 1 } }, "temperature and top_p cannot both be specified"],
    ["empty messages", { messages: [] }, "messages must not be empty"],
    ["assistant first", { messages: [{ role: "assistant", content: [{ text: "x" }] }] }, "must start with a user message"],
    ["no alternation", { messages: [{ role: "user", content: [{ text: "a" }] }, { role: "user", content: [{ text: "b" }] }] }, "must alternate"],
    ["unknown forced tool", { ...minimal, toolConfig: { tools: [{ toolSpec: { name: "a" } }], toolChoice: { tool: { name: "b" } } } }, "unknown tool: b"],
    ["thinking with forced tool", { ...minimal, additionalModelRequestFields: { thinking: { type: "enabled" } }, toolConfig: { tools: [{ toolSpec: { name: "a" } }], toolChoice: { tool: { name: "a" } } } }, "Thinking may not be enabled"],
    [
      "tool use without result",
      { messages: [{ role: "user", content: [{ text: "a" }] }, { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "a", input: {} } }] }, { role: "user", content: [{ text: "b" }] }] },
      "Expected toolResult blocks",
    ],
    ["five cache points", { ...minimal, system: Array.from({ length: 5 }, () => ({ cachePoint: { type: "default" } })) }, "at most 4 cache points"],
  ])("rejects %s with a 400 ValidationException", async (_name, body, message) => {
    const fake = await start({ scenario: [{ type: "text", text: "unused" }] });
    const response = await post(fake, body);
    expect(response.status).toBe(400);
    expect(response.errorType).toMatch(/^ValidationException/);
    expect(response.body.message).toContain(message);
    expect(fake.pending()).toBe(1);
  });

  it("decodes the model id, records the request and sends a request id", async () => {
    const fake = await start({ scenario: [{ type: "text", text: "hello" }] });
    const response = await post(fake, minimal, encodeURIComponent("arn:aws:bedrock:eu-west-1:1:inference-profile/global.x:0"));
    expect(response.status).toBe(200);
    expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.output.message.content).toEqual([{ text: "hello" }]);
    expect(fake.requests[0]!.modelId).toBe("arn:aws:bedrock:eu-west-1:1:inference-profile/global.x:0");
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
    const model = createBedrockFixModel({ modelId: "m", region: "us-east-1", endpoint: fake.url, timeoutMs: 5000, credentials: { accessKeyId: "a", secretAccessKey: "b" }, logger: silentLogger() });
    const result = await runLlmFix(await inputFor("main.tf", text, "aws_s3_bucket.logs"), { model, verify: simpleVerify, logger: silentLogger(), prices: pricesFromInput(3, 15), retryDelayMs: () => 1 });
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
    const model = createBedrockFixModel({ modelId: "m", region: "us-east-1", endpoint: fake.url, timeoutMs: 5000, credentials: { accessKeyId: "a", secretAccessKey: "b" }, logger: silentLogger() });
    const result = await runLlmFix(await inputFor("main.tf", text, "aws_s3_bucket.logs"), { model, verify: simpleVerify, logger: silentLogger(), prices: pricesFromInput(3, 15) });
    expect(result.type).toBe("change");
    const view = readPrompt(fake.requests[0]!);
    expect(view).toMatchObject({ round: 0, target: { address: "aws_s3_bucket.logs", file: "main.tf" } });
    expect(view.target!.code).toContain('resource "aws_s3_bucket" "logs" {');
  });
});
