import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../../src/adapters/vanta/retry-after.js";

const NOW = Date.parse("2026-11-25T12:00:00.000Z");

describe("parseRetryAfter", () => {
  it.each([
    ["delay-seconds", "7", 7000],
    ["zero", "0", 0],
    ["fractional seconds", "1.5", 1500],
    ["padded", "  30 ", 30_000],
    ["number value", 12, 12_000],
    ["array header (first wins)", ["3", "9"], 3000],
    ["HTTP-date in the future", "Wed, 25 Nov 2026 12:00:42 GMT", 42_000],
    ["HTTP-date in the past", "Wed, 25 Nov 2026 11:59:00 GMT", 0],
    ["absent", undefined, undefined],
    ["empty", "", undefined],
    ["negative", "-5", undefined],
    ["garbage", "soon", undefined],
    ["object", { a: 1 }, undefined],
  ])("%s", (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
