import { failureKey, type Failure } from "../domain/failure.js";
import { coerceError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { FailureSource } from "../ports/failure-source.js";
import type { StateStore } from "../ports/state-store.js";

export interface PollerOptions {
  source: FailureSource;
  store: StateStore;
  logger: Logger;
  metrics?: Metrics;
  /** Hours between full resyncs; 0 = every poll. */
  fullResyncHours: number;
  now: () => Date;
  /** Called for each failure that Vanta no longer reports (best effort: errors are logged). */
  onResolved?: (failure: Failure, key: string) => Promise<void>;
}

export interface PollSummary {
  tests: number;
  refetched: number;
  failures: number;
  inserted: number;
  reopened: number;
  resolved: number;
  skipped: number;
  fullResync: boolean;
}

/**
 * One poll: read failing tests (incrementally), record new failures as pending jobs, and mark
 * failures that disappeared as resolved. A failure is resolved when its test is no longer failing,
 * or when the test was refetched and the resource is no longer among its failing entities.
 * Tests that were not refetched keep their failures untouched.
 */
export async function pollOnce(options: PollerOptions, signal?: AbortSignal): Promise<PollSummary> {
  const { source, store, logger } = options;
  const now = options.now();
  const state = await store.getPollState();
  const fullResync =
    options.fullResyncHours <= 0 ||
    state.lastFullSyncAt === null ||
    now.getTime() - state.lastFullSyncAt.getTime() >= options.fullResyncHours * 3_600_000;
  let result;
  try {
    result = await source.poll({ previousRunDates: state.runDates, fullResync }, signal);
  } catch (error) {
    options.metrics?.polls.inc({ result: "error" });
    await store.savePollState({ runDates: state.runDates, fullSync: false, success: false }, now);
    throw coerceError(error, "poll");
  }
  for (const item of result.skipped) logger.warn({ item }, "source item skipped");

  const upsert = await store.upsertFailures(result.failures, now);

  const failing = new Map(result.tests.map((t) => [t.testId, t]));
  const currentKeys = new Set(result.failures.map((f) => failureKey(f)));
  const candidates = new Set<string>([...state.runDates.keys(), ...failing.keys()]);
  // A skipped item makes the listing incomplete: never resolve what we could not read.
  const uncertain = new Set<string>();
  let blockAll = false;
  for (const item of result.skipped) {
    if (item.what === "resource") continue;
    const testId = item.testId ?? (item.what === "test" ? item.id : undefined);
    if (testId === undefined) blockAll = true;
    else uncertain.add(testId);
  }
  const resolvedKeys: string[] = [];
  for (const testId of blockAll ? [] : candidates) {
    const test = failing.get(testId);
    if (uncertain.has(testId) || (test !== undefined && !test.refetched)) continue;
    for (const key of await store.openKeys(testId)) if (!currentKeys.has(key)) resolvedKeys.push(key);
  }
  const resolved = resolvedKeys.length > 0 ? await store.markResolved(resolvedKeys, now) : 0;
  if (options.onResolved !== undefined) {
    for (const key of resolvedKeys) {
      const record = await store.get(key);
      if (record === null) continue;
      try {
        await options.onResolved(record.failure, key);
      } catch (error) {
        logger.warn({ key, err: coerceError(error) }, "closing the pull request of a resolved failure failed");
      }
    }
  }

  const runDates = new Map(result.tests.map((t) => [t.testId, t.lastTestRunDate]));
  await store.savePollState({ runDates, fullSync: fullResync, success: true }, now);
  options.metrics?.polls.inc({ result: "ok" });
  const summary: PollSummary = {
    tests: result.tests.length,
    refetched: result.tests.filter((t) => t.refetched).length,
    failures: result.failures.length,
    inserted: upsert.inserted,
    reopened: upsert.reopened,
    resolved,
    skipped: result.skipped.length,
    fullResync,
  };
  logger.info(summary, "poll finished");
  return summary;
}
