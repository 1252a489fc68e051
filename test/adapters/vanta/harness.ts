import { createVantaSource, type VantaSourceOptions } from "../../../src/adapters/vanta/source.js";
import { TokenManager } from "../../../src/adapters/vanta/token-manager.js";
import type { RetryPolicy } from "../../../src/adapters/vanta/http.js";
import { silentLogger } from "../../../src/observability/logger.js";
import type { PollRequest } from "../../../src/ports/failure-source.js";

/** A virtual clock: `sleep` advances it at once, so limiter waits and Retry-After cost no time. */
export interface TestClock {
  t: number;
  waits: number[];
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export function testClock(start = Date.parse("2026-11-25T12:00:00.000Z")): TestClock {
  const clock: TestClock = {
    t: start,
    waits: [],
    now: () => clock.t,
    sleep: (ms) => {
      clock.waits.push(ms);
      clock.t += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

export const FAST_RETRY: Omit<RetryPolicy, "maxAttempts"> = { minDelayMs: 1, maxDelayMs: 4, maxRetryAfterMs: 120_000 };

export const CREDENTIALS = { clientId: "terrafix-demo", clientSecret: "terrafix-demo-secret" };

/** A Vanta source against `url` with its own token manager (no process-wide sharing in tests). */
export function sourceFor(url: string, clock: TestClock, overrides: Partial<VantaSourceOptions> = {}) {
  const logger = silentLogger();
  const maxAttempts = overrides.maxAttempts ?? 4;
  const retry = { ...FAST_RETRY, ...overrides.retry, maxAttempts };
  const tokenManager = new TokenManager({
    apiUrl: url,
    ...CREDENTIALS,
    logger: overrides.logger ?? logger,
    retry,
    now: clock.now,
    sleep: clock.sleep,
    ...(overrides.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: overrides.requestTimeoutMs }),
  });
  return createVantaSource({
    apiUrl: url,
    ...CREDENTIALS,
    requestsPerMinute: 1000,
    maxAttempts,
    logger,
    now: clock.now,
    sleep: clock.sleep,
    retry,
    tokenManager,
    ...overrides,
  });
}

export const FULL: PollRequest = { previousRunDates: new Map(), fullResync: true };

export function manyTests(count: number, entitiesPerTest = 1) {
  return Array.from({ length: count }, (_, i) => ({
    id: `test-${String(i).padStart(3, "0")}`,
    name: `Test ${i}`,
    lastTestRunDate: "2026-11-25T06:00:00.000Z",
    entities: Array.from({ length: entitiesPerTest }, (_, j) => ({ displayName: `bucket-${i}-${j}`, responseType: "S3 bucket" })),
  }));
}
