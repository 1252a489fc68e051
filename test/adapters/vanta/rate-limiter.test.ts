import { describe, expect, it } from "vitest";
import { createRateLimiter } from "../../../src/adapters/vanta/rate-limiter.js";
import { TerraFixError } from "../../../src/errors.js";
import { testClock } from "./harness.js";

describe("createRateLimiter", () => {
  it("lets `limit` requests through a window, then waits for the oldest to leave it", async () => {
    const clock = testClock(0);
    const limiter = createRateLimiter({ limit: 3, name: "test", now: clock.now, sleep: clock.sleep });
    const times: number[] = [];

    for (let i = 0; i < 7; i++) {
      await limiter.acquire();
      times.push(clock.t);
      clock.t += 1000;
    }

    expect(times).toEqual([0, 1000, 2000, 60_000, 61_000, 62_000, 120_000]);
    expect(limiter.inWindow).toBe(2); // 62 000 and 120 000 are within the last minute
  });

  it("serves concurrent callers in order without exceeding the limit", async () => {
    const clock = testClock(0);
    const limiter = createRateLimiter({ limit: 2, windowMs: 10_000, name: "test", now: clock.now, sleep: clock.sleep });
    const order: number[] = [];

    await Promise.all([0, 1, 2, 3, 4].map(async (i) => limiter.acquire().then(() => order.push(i))));

    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(clock.waits).toEqual([10_000, 10_000]);
  });

  it("fails throttled, naming the limit, when the wait would exceed maxWaitMs", async () => {
    const clock = testClock(0);
    const limiter = createRateLimiter({ limit: 1, name: "Vanta token endpoint", maxWaitMs: 5_000, now: clock.now, sleep: clock.sleep });
    await limiter.acquire();

    const error = await limiter.acquire().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TerraFixError);
    expect(error).toMatchObject({ kind: "throttled", retryAfterSeconds: 60 });
    expect((error as Error).message).toMatch(/Vanta token endpoint limit of 1 requests per 60 s/);
    // A failed caller does not block the next one once the window has passed.
    clock.t += 60_000;
    await expect(limiter.acquire()).resolves.toBeUndefined();
  });

  it("stops waiting when the signal aborts", async () => {
    const clock = testClock(0);
    const limiter = createRateLimiter({ limit: 1, name: "test", now: clock.now, sleep: clock.sleep });
    const controller = new AbortController();
    controller.abort();

    await expect(limiter.acquire(controller.signal)).rejects.toThrow();
  });
});
