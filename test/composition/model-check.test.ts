import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBedrockFixModel } from "../../src/adapters/bedrock/client.js";
import { startModelCheck } from "../../src/composition/model-check.js";
import { startHealthServer } from "../../src/daemon/http-server.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { createLogger } from "../../src/observability/logger.js";
import { openStateStore } from "../../src/adapters/state/open-state-store.js";
import { startFakeBedrock, type FakeBedrock } from "../fakes/bedrock-server.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n").filter((l) => l !== "")) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: "info", format: "json", destination: stream }) };
}

let fake: FakeBedrock;
let retired: FakeBedrock;
beforeAll(async () => {
  fake = await startFakeBedrock();
  retired = await startFakeBedrock({ lifecycle: { "claude-sonnet-4-5": "end-of-life" } });
});
afterAll(async () => {
  await Promise.all([fake.close(), retired.close()]);
});

function model(modelId: string, endpoint: string, maxAttempts = 3) {
  return createBedrockFixModel({ modelId, region: "us-east-1", endpoint, maxAttempts, timeoutMs: 5000, credentials: { accessKeyId: "a", secretAccessKey: "b" }, logger: createLogger({ level: "silent" }) });
}

describe("the daemon's start-up model check", () => {
  it("makes one minimal call in the model's own shape and logs that it passed", async () => {
    fake.enqueue({ type: "text", text: "OK" });
    const { lines, logger } = capture();
    const check = startModelCheck(model("global.anthropic.claude-sonnet-5-5", fake.url), logger);
    expect(check.current().status).toBe("pending");
    expect(await check.done).toMatchObject({ status: "ok", modelId: "global.anthropic.claude-sonnet-5-5", detail: expect.stringContaining("Claude Sonnet 5.5 answered") });
    const sent = fake.requests.at(-1)!.body;
    expect(sent.toolConfig).toBeUndefined();
    expect(sent.inferenceConfig).toEqual({ maxTokens: 16 + 1024 });
    expect(sent.additionalModelRequestFields).toEqual({ thinking: { type: "between_tools" } });
    expect(lines.find((l) => l.msg === "model check passed")).toMatchObject({ modelId: "global.anthropic.claude-sonnet-5-5", family: "claude-sonnet-5-5" });
  });

  it("fails with one clear config message for an end-of-life model, and /readyz reports it", async () => {
    const { lines, logger } = capture();
    const check = startModelCheck(model("us.anthropic.claude-sonnet-4-5-20250929-v1:0", retired.url), logger);
    const result = await check.done;
    expect(result.status).toBe("failed");
    expect(result.detail).toMatch(/^Bedrock model Claude Sonnet 4\.5 \(us\.anthropic\.claude-sonnet-4-5-20250929-v1:0\) has reached end of life: set BEDROCK_MODEL_ID to global\.anthropic\.claude-sonnet-5-5/);
    expect(lines.find((l) => l.msg === "model check failed")).toMatchObject({ level: 50, kind: "config" });

    const store = await openStateStore(join(mkdtempSync(join(tmpdir(), "tf-ready-")), "s.db"), { logger, retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000 } });
    const server = await startHealthServer({ port: 0, host: "127.0.0.1", store, registry: createMetrics().registry, maxPollAgeMs: 60_000, startupGraceMs: 0, model: () => check.current() });
    try {
      await store.savePollState({ runDates: new Map(), fullSync: true, success: true }, new Date());
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ ready: false, reason: expect.stringContaining("model check failed: Bedrock model Claude Sonnet 4.5"), model: { status: "failed" } });
    } finally {
      await server.close();
      await store.close();
    }
  });

  it("stays ready but unverified after a transient error", async () => {
    fake.setFault({ error: "ServiceUnavailableException", count: 1 });
    const { logger } = capture();
    const result = await startModelCheck(model("global.anthropic.claude-sonnet-5-5", fake.url, 1), logger).done;
    fake.setFault(undefined);
    expect(result).toMatchObject({ status: "unverified", detail: expect.stringContaining("ServiceUnavailableException") });
  });

  it("is skipped, and says so, when the configuration never calls the model (generator rules)", async () => {
    const { lines, logger } = capture();
    const before = fake.requests.length;
    const result = await startModelCheck(undefined, logger).done;
    expect(result).toEqual({ status: "skipped", detail: "TERRAFIX_GENERATOR=rules: the model is never called, so its access is not checked" });
    expect(lines.find((l) => l.msg === "model check skipped")).toBeDefined();
    expect(fake.requests.length).toBe(before);
  });
});
