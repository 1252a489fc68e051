import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCatalogueTable } from "../../../src/adapters/bedrock/catalogue-table.js";
import { createBedrockFixModel } from "../../../src/adapters/bedrock/client.js";
import { resolveModel } from "../../../src/adapters/bedrock/model-id.js";
import { EFFORTS, MODEL_CATALOGUE, UNKNOWN_MODEL } from "../../../src/adapters/bedrock/models.js";
import { planRequest } from "../../../src/adapters/bedrock/request.js";
import { createLogger, silentLogger } from "../../../src/observability/logger.js";
import { FAKE_MODELS } from "../../fakes/bedrock-models.js";
import { startFakeBedrock, type FakeBedrock } from "../../fakes/bedrock-server.js";

describe("resolveModel", () => {
  it.each([
    ["global.anthropic.claude-sonnet-5-5", "claude-sonnet-5-5", "global"],
    ["us.anthropic.claude-sonnet-5-5", "claude-sonnet-5-5", "us"],
    ["eu.anthropic.claude-sonnet-5", "claude-sonnet-5", "eu"],
    ["jp.anthropic.claude-sonnet-4-6", "claude-sonnet-4-6", "jp"],
    ["au.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5", "au"],
    ["apac.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5", "apac"],
    ["anthropic.claude-sonnet-5-5", "claude-sonnet-5-5", "base"],
    ["arn:aws:bedrock:eu-west-1:123456789012:inference-profile/global.anthropic.claude-sonnet-5-5", "claude-sonnet-5-5", "global"],
    ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-6", "claude-sonnet-4-6", "base"],
  ])("recognises %s as %s (%s)", (id, family, scope) => {
    expect(resolveModel(id)).toMatchObject({ modelId: id, known: true, scope, entry: { key: family } });
  });

  it.each([
    "global.anthropic.claude-sonnet-9",
    "us.anthropic.claude-sonnet-5-55",
    "anthropic.claude-opus-5",
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
    "m",
  ])("gives %s the most conservative shape", (id) => {
    const model = resolveModel(id);
    expect(model).toMatchObject({ known: false, entry: UNKNOWN_MODEL });
    expect(planRequest(model.entry, "medium")).toEqual({ toolChoice: "auto", thinkingReserveTokens: 16_384, adjustments: [] });
  });

  it("charges the global price for global., +10% for geo profiles and base ids", () => {
    expect(resolveModel("global.anthropic.claude-sonnet-5-5").prices).toEqual({ input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 });
    expect(resolveModel("us.anthropic.claude-sonnet-5-5").prices).toEqual({ input: 2.2, output: 11, cacheWrite: 2.75, cacheRead: 0.22 });
    expect(resolveModel("eu.anthropic.claude-sonnet-4-6").prices).toEqual({ input: 3.3, output: 16.5, cacheWrite: 4.125, cacheRead: 0.33 });
  });
});

describe("planRequest", () => {
  it.each([
    ["claude-sonnet-5-5", "medium", { toolChoice: "auto", thinking: "between_tools", effort: "medium", thinkingReserveTokens: 1024 }],
    ["claude-sonnet-5-5", "max", { toolChoice: "auto", thinking: "adaptive", effort: "max", thinkingReserveTokens: 32_000 }],
    ["claude-sonnet-5", "medium", { toolChoice: "auto", thinking: "adaptive", effort: "medium", thinkingReserveTokens: 8192 }],
    ["claude-sonnet-4-6", "medium", { temperature: 0, toolChoice: "tool", effort: "medium", thinkingReserveTokens: 0 }],
    ["claude-sonnet-4-6", "max", { temperature: 0, toolChoice: "tool", effort: "high", thinkingReserveTokens: 0 }],
    ["claude-sonnet-4-5", "high", { temperature: 0, toolChoice: "tool", thinkingReserveTokens: 0 }],
  ] as const)("%s at effort %s", (family, effort, expected) => {
    const entry = MODEL_CATALOGUE.find((e) => e.key === family)!;
    const { adjustments: _ignored, ...plan } = planRequest(entry, effort);
    expect(plan).toEqual(expected);
  });
});

/**
 * The catalogue is TerraFix's claim about each model; the fake's table is written separately from
 * the reference. Every request the adapter plans, for every entry and every effort, must be one
 * the fake accepts for that model; a wrong entry fails here.
 */
describe("catalogue against the fake Bedrock's rules", () => {
  let fake: FakeBedrock;
  beforeAll(async () => {
    fake = await startFakeBedrock({ responder: () => ({ type: "text", text: "OK" }) });
  });
  afterAll(async () => {
    await fake.close();
  });

  it("has an entry for every model the fake knows, and the fake a table for every entry", () => {
    expect(MODEL_CATALOGUE.map((e) => e.key).sort()).toEqual(FAKE_MODELS.map((m) => m.family).sort());
    for (const entry of MODEL_CATALOGUE) {
      const rules = FAKE_MODELS.find((m) => m.family === entry.key)!;
      expect({ baseId: entry.baseId, maxOutput: entry.maxOutputTokens, cacheMin: entry.cacheMinTokens }).toEqual({ baseId: rules.baseId, maxOutput: rules.maxOutputTokens, cacheMin: rules.cacheMinTokens });
    }
  });

  const cases = MODEL_CATALOGUE.flatMap((entry) => EFFORTS.map((effort) => [entry.key, entry.baseId, effort] as const));
  it.each(cases)("%s at effort %s (%s): the access check and a tool request are accepted", async (_family, baseId, effort) => {
    const model = createBedrockFixModel({ modelId: `global.${baseId}`, effort: effort, region: "us-east-1", endpoint: fake.url, timeoutMs: 5000, credentials: { accessKeyId: "a", secretAccessKey: "b" }, logger: silentLogger() });
    expect(await model.checkAccess()).toMatchObject({ status: "ok" });
    const response = await model.propose({
      system: "s",
      turns: [{ role: "user", text: "fix" }],
      toolName: "submit",
      toolDescription: "d",
      toolSchema: { type: "object" },
      maxTokens: model.profile.maxOutputTokens,
    });
    expect(response.stopReason).toBe("end_turn");
  });
});

describe("warnings at start", () => {
  function capture() {
    const lines: { level: number; msg: string }[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _e, done) {
        for (const l of chunk.toString().split("\n").filter((x) => x !== "")) lines.push(JSON.parse(l) as { level: number; msg: string });
        done();
      },
    });
    return { lines, logger: createLogger({ level: "info", destination }) };
  }
  const create = (modelId: string, logger = silentLogger()) => createBedrockFixModel({ modelId, region: "us-east-1", timeoutMs: 1000, credentials: { accessKeyId: "a", secretAccessKey: "b" }, logger });

  it("warns exactly once, naming the id, for an id the catalogue does not know", () => {
    const { lines, logger } = capture();
    create("us.anthropic.claude-sonnet-9", logger);
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain("model id us.anthropic.claude-sonnet-9 is not in TerraFix's model catalogue");
  });

  it("says nothing for the default, and names a base id's profile", () => {
    const quiet = capture();
    create("global.anthropic.claude-sonnet-5-5", quiet.logger);
    expect(quiet.lines.filter((l) => l.level >= 40)).toEqual([]);
    const base = capture();
    create("anthropic.claude-sonnet-5-5", base.logger);
    expect(base.lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([expect.stringContaining("use an inference profile such as global.anthropic.claude-sonnet-5-5")]);
  });
});

describe("README", () => {
  it("shows the catalogue table exactly as the data says", () => {
    const readme = readFileSync("README.md", "utf8");
    const between = /<!-- model-catalogue:start -->\n([\s\S]*?)\n<!-- model-catalogue:end -->/.exec(readme)?.[1];
    expect(between).toBe(renderCatalogueTable());
  });
});
