import { describe, expect, it } from "vitest";
import { TerraFixError, coerceError, isTerraFixError } from "../src/errors.js";

describe("coerceError", () => {
  it.each([
    [Object.assign(new Error("reset"), { code: "ECONNRESET" }), "transient"],
    [Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), "transient"],
    [Object.assign(new Error("aborted"), { name: "AbortError" }), "transient"],
    [new Error("something odd"), "permanent"],
    ["a string", "permanent"],
    [{ weird: true }, "permanent"],
  ] as const)("%s -> %s", (input, kind) => {
    const error = coerceError(input, "publish");
    expect(error.kind).toBe(kind);
    expect(error.stage).toBe("publish");
  });

  it("keeps an existing TerraFixError's kind and fills in a missing stage", () => {
    const original = new TerraFixError("slow down", { kind: "throttled", status: 429, retryAfterSeconds: 3 });
    const coerced = coerceError(original, "poll");
    expect(coerced).toMatchObject({ kind: "throttled", stage: "poll", status: 429, retryAfterSeconds: 3, message: "slow down" });
    expect(coerced.retryable).toBe(true);
    const staged = new TerraFixError("x", { kind: "config", stage: "verify" });
    expect(coerceError(staged, "poll")).toBe(staged);
    expect(staged.retryable).toBe(false);
    expect(isTerraFixError(staged)).toBe(true);
    expect(isTerraFixError(new Error("x"))).toBe(false);
  });

  it("keeps the cause", () => {
    const cause = new Error("root");
    expect(coerceError(cause).cause).toBe(cause);
  });
});
