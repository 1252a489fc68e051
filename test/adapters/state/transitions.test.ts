import { describe, expect, it } from "vitest";
import { toDate, toJobRecord, type JobRow } from "../../../src/adapters/state/rows.js";
import { backoffMs, deferUntil, finishTransition, percentile, stageLatencies } from "../../../src/adapters/state/transitions.js";
import { TerraFixError } from "../../../src/errors.js";

const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

describe("backoffMs", () => {
  it.each([
    [0, 100],
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1_000],
    [2_000, 1_000],
  ])("after attempt %i waits %i ms", (attempts, expected) => {
    expect(backoffMs(policy, attempts)).toBe(expected);
  });
});

describe("deferUntil", () => {
  const now = new Date("2026-03-01T00:00:00.000Z");
  it.each([
    ["a future instant", "2026-03-01T01:00:00.000Z", "2026-03-01T01:00:00.000Z"],
    ["a past instant", "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:05.000Z"],
    ["not a date", "tomorrow-ish", "2026-03-01T00:00:05.000Z"],
    ["nothing", undefined, "2026-03-01T00:00:05.000Z"],
  ])("given %s", (_name, until, expected) => {
    expect(deferUntil(until, now, 5_000).toISOString()).toBe(expected);
  });
});

describe("finishTransition", () => {
  const now = new Date(0);
  it("keeps the earlier PR URL and clears errors on a terminal outcome without one", () => {
    expect(finishTransition({ attempts: 2, prUrl: "https://x/1", outcome: { type: "ignored", reason: "label" }, policy, deferMs: 1, now })).toEqual({
      status: "done",
      attempts: 2,
      nextAttemptAt: null,
      finishedAt: now,
      prUrl: "https://x/1",
      errorKind: null,
      errorMessage: null,
    });
  });

  it("fails a verification that never passed without retrying it", () => {
    const outcome = { type: "failed", kind: "verification", message: "plan failed", retryable: false } as const;
    expect(finishTransition({ attempts: 1, prUrl: null, outcome, policy, deferMs: 1, now })).toMatchObject({ status: "failed", errorKind: "verification" });
  });
});

describe("percentile (percentile_cont)", () => {
  it.each([
    [[], 0.5, 0],
    [[7], 0.99, 7],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[10, 20, 30, 40, 50], 0.95, 48],
    [[0, 100], 0.99, 99],
  ])("of %j at %f is %f", (values, fraction, expected) => {
    expect(percentile(values, fraction)).toBe(expected);
  });

  it("ignores timings that are not finite numbers", () => {
    expect(stageLatencies([{ match: 5 }, { match: Number.NaN }, JSON.parse('{"match":"x"}') as Record<string, number>])).toEqual([
      { stage: "match", count: 1, p50: 5, p95: 5, p99: 5 },
    ]);
  });
});

describe("rows", () => {
  it.each([
    [null, null],
    [1_700_000_000_000, new Date(1_700_000_000_000)],
    ["1700000000000", new Date(1_700_000_000_000)],
    ["2026-03-01T00:00:00.000Z", new Date("2026-03-01T00:00:00.000Z")],
    ["garbage", null],
    [{}, null],
  ])("toDate(%j)", (value, expected) => {
    expect(toDate(value)).toEqual(expected);
  });

  it("rejects a row with an unknown status", () => {
    const row = { key: "k", status: "exploded" } as unknown as JobRow;
    expect(() => toJobRecord(row)).toThrow(TerraFixError);
  });
});
