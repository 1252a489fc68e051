import { describe, expect, it } from "vitest";
import { mapBedrockError } from "../../../src/adapters/bedrock/errors.js";
import { resolveModel } from "../../../src/adapters/bedrock/model-id.js";
import { FixModelError } from "../../../src/ports/fix-model.js";

function sdkError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} message`), { name, ...extra });
}

describe("mapBedrockError", () => {
  it.each([
    [sdkError("Error", { code: "ECONNRESET" }), "transient", "network"],
    [sdkError("TimeoutError"), "transient", "network"],
    [sdkError("AbortError"), "transient", "aborted"],
    [sdkError("InternalServerException", { $metadata: { httpStatusCode: 500 } }), "transient", "unavailable"],
    [sdkError("BedrockRuntimeServiceException", { $metadata: { httpStatusCode: 429 } }), "throttled", "throttled"],
    [sdkError("BedrockRuntimeServiceException", { $metadata: { httpStatusCode: 502 } }), "transient", "unavailable"],
    [sdkError("Weird", { $fault: "server" }), "transient", "unavailable"],
    [sdkError("UnrecognizedClientException", { $metadata: { httpStatusCode: 403 } }), "config", "access-denied"],
    [sdkError("SomethingNew", { $metadata: { httpStatusCode: 418 } }), "permanent", "unknown"],
  ])("maps %o", (error, kind, code) => {
    const mapped = mapBedrockError(error, resolveModel("model-x"));
    expect(mapped).toMatchObject({ kind, code, stage: "generate" });
    expect(mapped.message).toContain("Bedrock Converse (model-x) failed");
    expect(mapped.cause).toBe(error);
  });

  it("keeps the status and request id, and truncates long messages", () => {
    const mapped = mapBedrockError(sdkError("ValidationException", { message: "x".repeat(2000), $metadata: { httpStatusCode: 400, requestId: "rid-1" } }), resolveModel("m"));
    expect(mapped).toMatchObject({ status: 400, requestId: "rid-1", kind: "config" });
    expect(mapped.message.length).toBeLessThan(600);
  });

  it("maps non-Error values and passes an already mapped error through", () => {
    expect(mapBedrockError("boom", resolveModel("m"))).toMatchObject({ kind: "permanent", code: "unknown", message: expect.stringContaining("boom") });
    const already = new FixModelError("x", { kind: "throttled", code: "quota" });
    expect(mapBedrockError(already, resolveModel("m"))).toBe(already);
  });

  it.each([
    ["ResourceNotFoundException", "This model version has reached the end of its life. Please refer to the AWS documentation for more details.", "has reached end of life"],
    ["ResourceNotFoundException", "Access denied. This Model is marked by provider as Legacy and you have not been actively using the model in the last 30 days.", "is Legacy"],
    ["ValidationException", "The provided model identifier is invalid.", "does not know the model id"],
  ])("turns %s %j into one config line naming the model and what to set", (name, message, says) => {
    const mapped = mapBedrockError(sdkError(name, { message, $metadata: { httpStatusCode: name === "ValidationException" ? 400 : 404 } }), resolveModel("us.anthropic.claude-sonnet-4-5-20250929-v1:0"));
    expect(mapped).toMatchObject({ kind: "config", code: "model-lifecycle" });
    expect(mapped.message).toContain(says);
    expect(mapped.message).toContain("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    expect(mapped.message).toContain("set BEDROCK_MODEL_ID to global.anthropic.claude-sonnet-5-5");
    expect(mapped.message).not.toContain("\n");
  });

  it("tells a base id to use an inference profile of the same model", () => {
    const message = "Invocation of model ID anthropic.claude-sonnet-5-5 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model.";
    const mapped = mapBedrockError(sdkError("ValidationException", { message }), resolveModel("anthropic.claude-sonnet-5-5"));
    expect(mapped).toMatchObject({ kind: "config", code: "model-lifecycle" });
    expect(mapped.message).toMatch(/^Bedrock model id anthropic\.claude-sonnet-5-5 is a foundation-model id .* such as global\.anthropic\.claude-sonnet-5-5/);
  });
});
