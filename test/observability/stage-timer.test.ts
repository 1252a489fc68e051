import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/observability/metrics.js";
import { StageTimer } from "../../src/observability/stage-timer.js";

describe("StageTimer", () => {
  it("records each stage in the timings and the histogram, even when the stage throws", async () => {
    let now = 0;
    const metrics = createMetrics();
    const timer = new StageTimer(metrics.stageSeconds, () => now);
    await timer.time("index", () => {
      now += 120;
      return Promise.resolve();
    });
    await expect(
      timer.time("match", () => {
        now += 30;
        return Promise.reject(new Error("boom"));
      }),
    ).rejects.toThrow("boom");
    expect(timer.timings).toEqual({ index: 120, match: 30 });
    expect(timer.elapsed()).toBe(150);
    const text = await metrics.registry.metrics();
    expect(text).toContain('terrafix_stage_duration_seconds_count{stage="index"} 1');
    expect(text).toContain('terrafix_stage_duration_seconds_sum{stage="match"} 0.03');
  });
});
