import type { Failure } from "../../src/domain/failure.js";
import type { FailureSource, PollRequest, PollResult, SkippedItem } from "../../src/ports/failure-source.js";

/**
 * An in-memory FailureSource for daemon unit tests (the Vanta adapter has its own tests against
 * the fake Vanta server). Tests set the failing tests and entities between polls.
 */
export class MemorySource implements FailureSource {
  readonly name = "memory";
  failures: Failure[] = [];
  skipped: SkippedItem[] = [];
  runDate = "2026-11-01T00:00:00.000Z";
  requests: PollRequest[] = [];
  failNext: Error | undefined;

  poll(request: PollRequest): Promise<PollResult> {
    this.requests.push(request);
    if (this.failNext !== undefined) {
      const error = this.failNext;
      this.failNext = undefined;
      return Promise.reject(error);
    }
    const tests = [...new Map(this.failures.map((f) => [f.testId, f])).values()].map((f) => {
      const refetched = request.fullResync || request.previousRunDates.get(f.testId) !== this.runDate;
      return { testId: f.testId, name: f.testName, lastTestRunDate: this.runDate, refetched };
    });
    const refetchedIds = new Set(tests.filter((t) => t.refetched).map((t) => t.testId));
    return Promise.resolve({ tests, failures: this.failures.filter((f) => refetchedIds.has(f.testId)), skipped: this.skipped });
  }
}

export function failure(n: number, testId = "aws-s3-public-access-blocked"): Failure {
  return {
    testId,
    testName: `Test ${testId}`,
    entityId: n.toString(16).padStart(24, "0"),
    displayName: `bucket-${n}`,
    responseType: "S3 bucket",
  };
}
