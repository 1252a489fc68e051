import type { Failure } from "../domain/failure.js";

/** One failing test as listed by the source, whether or not its entities were (re)fetched. */
export interface TestSummary {
  testId: string;
  name: string;
  lastTestRunDate: string;
  /** True when this poll fetched the test's entities; false when they were unchanged and skipped. */
  refetched: boolean;
}

/** An item that broke the schema: logged with its id and skipped, never fatal for the page. */
export interface SkippedItem {
  what: "test" | "entity" | "resource";
  id?: string;
  testId?: string;
  reason: string;
}

export interface PollRequest {
  /** lastTestRunDate per test id from the previous poll; tests whose date is unchanged are not refetched. */
  previousRunDates: ReadonlyMap<string, string>;
  /** Refetch every failing test's entities regardless of run dates. */
  fullResync: boolean;
}

export interface PollResult {
  /** Every test currently failing (NEEDS_ATTENTION). A test absent here is passing or gone. */
  tests: TestSummary[];
  /** Failing entities of the refetched tests. */
  failures: Failure[];
  skipped: SkippedItem[];
}

export interface FailureSource {
  readonly name: string;
  poll(request: PollRequest, signal?: AbortSignal): Promise<PollResult>;
}
