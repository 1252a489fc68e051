import { describe, expect, it } from "vitest";
import { mapBedrockError } from "../../../src/adapters/bedrock/errors.js";
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
    const mapped = mapBedrockError(error, "model-x");
    expect(mapped).toMatchObject({ kind, code, stage: "generate" });
    expect(mapped.message).toContain("Bedrock Converse (model-x) failed");
    expect(mapped.cause).toBe(error);
  });

  it("keeps the status and request id, and truncates long messages", () => {
    const mapped = mapBedrockError(sdkError("ValidationException", { message: "x".repeat(2000), $metadata: { httpStatusCode: 400, requestId: "rid-1" } }), "m");
    expect(mapped).toMatchObject({ status: 400, requestId: "rid-1", kind: "config" });
    expect(mapped.message.length).toBeLessThan(600);
  });

  it("maps non-Error values and passes an already mapped error through", () => {
    expect(mapBedrockError("boom", "m")).toMatchObject({ kind: "permanent", code: "unknown", message: expect.stringContaining("boom") });
    const already = new FixModelError("x", { kind: "throttled", code: "quota" });
    expect(mapBedrockError(already, "m")).toBe(already);
  });
});
