import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createBedrockFixModel } from "../../src/adapters/bedrock/client.js";
import type { ProposedChange, VerificationReport } from "../../src/domain/change.js";
import { silentLogger } from "../../src/observability/logger.js";
import { pricesFromInput } from "../../src/remediation/llm/cost.js";
import type { LlmFixInput } from "../../src/remediation/llm/input.js";
import type { RuleFixResult } from "../../src/remediation/rules.js";
import { generateFix, type GenerateFixDeps } from "../../src/remediation/strategy.js";
import { startFakeBedrock, type FakeBedrock } from "../fakes/bedrock-server.js";
import { VERSIONING_BLOCK, fixture, inputFor, simpleVerify, validProposal } from "./llm/helpers.js";

const TEXT = fixture("s3-injection.tf");
let fake: FakeBedrock;
let llmInput: LlmFixInput;

beforeAll(async () => {
  fake = await startFakeBedrock();
  llmInput = await inputFor("main.tf", TEXT, "aws_s3_bucket.logs");
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  fake.script([]);
  fake.requests.length = 0;
});

function ruleChange(after: string): RuleFixResult {
  const change: ProposedChange = { files: [{ path: "main.tf", before: TEXT, after }], generator: "rules", rationale: "rule", confidence: 1, controlId: "s3-versioning" };
  return { type: "change", change, applied: ["s3-versioning"], skipped: [] };
}
const goodRule = ruleChange(TEXT.replace('resource "aws_s3_bucket_policy"', `${VERSIONING_BLOCK}\n\nresource "aws_s3_bucket_policy"`));
const badRule = ruleChange(`${TEXT}\nresource "broken" {`);

function deps(rule: RuleFixResult, withLlm = true): GenerateFixDeps & { verified: ProposedChange[] } {
  const verified: ProposedChange[] = [];
  const verify = async (change: ProposedChange): Promise<VerificationReport> => {
    verified.push(change);
    return simpleVerify(change);
  };
  return {
    verified,
    ruleFix: () => rule,
    verify,
    ...(withLlm
      ? {
          llm: {
            model: createBedrockFixModel({ modelId: "global.anthropic.claude-sonnet-5-5", region: "us-east-1", endpoint: fake.url, timeoutMs: 5000, credentials: { accessKeyId: "a", secretAccessKey: "b" }, logger: silentLogger() }),
            logger: silentLogger(),
            prices: pricesFromInput(3, 15),
          },
        }
      : {}),
  };
}

describe("generateFix", () => {
  it("auto: a verified rule change wins and the model is never called", async () => {
    const d = deps(goodRule);
    const result = await generateFix({ generator: "auto", llm: llmInput }, d);
    expect(result).toMatchObject({ type: "change", change: { generator: "rules" }, verification: { passed: true } });
    expect(result.type === "change" ? result.llm : "x").toBeUndefined();
    expect(fake.requests).toHaveLength(0);
    expect(d.verified).toHaveLength(1);
  });

  it("auto: already compliant is an answer, not a job for the model", async () => {
    const result = await generateFix({ generator: "auto", llm: llmInput }, deps({ type: "already-compliant", reason: "versioning already enabled" }));
    expect(result).toEqual({ type: "already-compliant", reason: "versioning already enabled" });
    expect(fake.requests).toHaveLength(0);
  });

  it("auto: unsupported by rules goes to the model, which passes the same verify", async () => {
    fake.enqueue({ type: "tool", input: validProposal() });
    const d = deps({ type: "unsupported", reason: "no rule for this resource" });
    const result = await generateFix({ generator: "auto", llm: llmInput }, d);
    expect(result.type).toBe("change");
    if (result.type !== "change") return;
    expect(result.change.generator).toBe("llm");
    expect(result.llm).toMatchObject({ rounds: 1, modelId: "global.anthropic.claude-sonnet-5-5" });
    expect(result.llm!.costUsd).toBeGreaterThan(0);
    expect(d.verified.map((c) => c.generator)).toEqual(["llm"]);
  });

  it("auto: a rule change that fails verification falls back to the model, keeping the rule's evidence on failure", async () => {
    const broken = validProposal({ edits: [{ action: "insert_after", address: "aws_s3_bucket.logs", file: "main.tf", new_text: "resource \"x\" \"y\" {" }] });
    fake.enqueue({ type: "tool", input: broken }, { type: "tool", input: broken }, { type: "tool", input: broken });
    const result = await generateFix({ generator: "auto", llm: llmInput }, deps(badRule));
    expect(result.type).toBe("failed");
    if (result.type !== "failed") return;
    expect(result.kind).toBe("verification");
    expect(result.evidence.generator).toBe("llm");
    expect(result.evidence.rules?.message).toContain("the rule-based change failed verification: parse");
    expect(result.evidence.attempts).toHaveLength(3);
    expect(result.llm?.rounds).toBe(3);
  });

  it("rules: unsupported stays unsupported and a failing rule change is failed(verification)", async () => {
    expect(await generateFix({ generator: "rules", llm: llmInput }, deps({ type: "unsupported", reason: "no rule" }))).toEqual({ type: "unsupported", reason: "no rule" });
    const failed = await generateFix({ generator: "rules", llm: llmInput }, deps(badRule));
    expect(failed).toMatchObject({ type: "failed", kind: "verification", evidence: { generator: "rules", verification: { passed: false } } });
    expect(fake.requests).toHaveLength(0);
  });

  it("llm: skips the rules entirely", async () => {
    fake.enqueue({ type: "tool", input: validProposal() });
    let ruleCalls = 0;
    const d = deps(goodRule);
    const result = await generateFix({ generator: "llm", llm: llmInput }, { ...d, ruleFix: () => ((ruleCalls += 1), goodRule) });
    expect(result).toMatchObject({ type: "change", change: { generator: "llm" } });
    expect(ruleCalls).toBe(0);
  });

  it("without a model or LLM input the LLM generator answers unsupported", async () => {
    expect(await generateFix({ generator: "llm", llm: llmInput }, deps(goodRule, false))).toEqual({ type: "unsupported", reason: "no fix model is configured for the LLM generator" });
    expect(await generateFix({ generator: "llm" }, deps(goodRule))).toEqual({ type: "unsupported", reason: "the job has no context for the LLM generator" });
    const auto = await generateFix({ generator: "auto" }, deps({ type: "unsupported", reason: "no rule" }));
    expect(auto).toEqual({ type: "unsupported", reason: "no rule; the job has no context for the LLM generator" });
    const autoBad = await generateFix({ generator: "auto", llm: llmInput }, deps(badRule, false));
    expect(autoBad).toMatchObject({ type: "failed", evidence: { generator: "rules" } });
  });
});
