import type { AxiosInstance } from "axios";
import type { Failure } from "../../domain/failure.js";
import { coerceError, TerraFixError } from "../../errors.js";
import type { Logger } from "../../observability/logger.js";
import type { FailureSource, PollRequest, PollResult, SkippedItem, TestSummary } from "../../ports/failure-source.js";
import { createVantaClient, type PageBudget, type VantaClient } from "./client.js";
import { enrichFailures } from "./enrich.js";
import { createHttp, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_RETRY, type RetryPolicy } from "./http.js";
import { toFailure } from "./map.js";
import type { Now, Sleep } from "./rate-limiter.js";
import { isKnownNotFailing, type VantaTestSchema } from "./schema.js";
import { sharedTokenManager, type TokenManager } from "./token-manager.js";

export interface VantaSourceOptions {
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  frameworkFilter?: string | undefined;
  integrationFilter?: string | undefined;
  /** Client-side limit on API requests a minute (config VANTA_REQUESTS_PER_MINUTE, default 50). */
  requestsPerMinute: number;
  /** Attempts per request on 429/5xx/network errors (config VANTA_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Best-effort enrichment from the integration resources endpoint (config VANTA_ENRICH). */
  enrich?: boolean | undefined;
  logger: Logger;
  now?: Now;
  /** Injectable wait for limiter slots and Retry-After (tests pass a fast one). */
  sleep?: Sleep;
  /** Backoff delays; defaults to 1 s doubling up to 30 s, jittered. */
  retry?: Partial<Omit<RetryPolicy, "maxAttempts">>;
  /**
   * The token manager to use. Default: the process-wide one for (apiUrl, clientId), because
   * Vanta allows one live token per application (see token-manager.ts).
   */
  tokenManager?: TokenManager;
  http?: AxiosInstance;
  /** Overall deadline of one request, connect to last byte (config VANTA_REQUEST_TIMEOUT_SECONDS). */
  requestTimeoutMs?: number;
  /** Pages one poll may read across all listings (config VANTA_POLL_MAX_PAGES). */
  pollMaxPages?: number;
  /** Wall-clock budget of one poll (config VANTA_POLL_MAX_SECONDS). */
  pollMaxSeconds?: number;
}

export const DEFAULT_POLL_MAX_PAGES = 2_000;
export const DEFAULT_POLL_MAX_SECONDS = 900;

/** The Vanta API as a FailureSource. Stateless across polls except for the token cache. */
export function createVantaSource(options: VantaSourceOptions): FailureSource & { readonly client: VantaClient; readonly tokens: TokenManager } {
  const logger = options.logger.child({ component: "vanta" });
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry, maxAttempts: options.maxAttempts };
  const http = options.http ?? createHttp(options.apiUrl, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const maxPages = options.pollMaxPages ?? DEFAULT_POLL_MAX_PAGES;
  const maxSeconds = options.pollMaxSeconds ?? DEFAULT_POLL_MAX_SECONDS;
  const clockNow = options.now ?? Date.now;
  const clock = { ...(options.now === undefined ? {} : { now: options.now }), ...(options.sleep === undefined ? {} : { sleep: options.sleep }) };
  const tokens =
    options.tokenManager ??
    sharedTokenManager({ apiUrl: options.apiUrl, clientId: options.clientId, clientSecret: options.clientSecret, logger, retry, http, ...clock });
  const client = createVantaClient({ apiUrl: options.apiUrl, tokens, logger, retry, requestsPerMinute: options.requestsPerMinute, http, ...clock });

  /**
   * One poll under the daemon's signal and a wall-clock budget: whichever ends first aborts the
   * request in flight (the budget is also checked before every page, on the client's clock).
   */
  async function poll(request: PollRequest, signal?: AbortSignal): Promise<PollResult> {
    const budgetTimer = AbortSignal.timeout(maxSeconds * 1000);
    const pollSignal = signal === undefined ? budgetTimer : AbortSignal.any([signal, budgetTimer]);
    const budget: PageBudget = { maxPages, maxSeconds, deadline: clockNow() + maxSeconds * 1000, pages: 0 };
    try {
      return await pollOnce(request, pollSignal, budget);
    } catch (error) {
      if (budgetTimer.aborted && signal?.aborted !== true) {
        logger.warn({ pages: budget.pages, maxSeconds }, "Vanta poll time budget hit; poll stopped");
        throw new TerraFixError(`the Vanta poll did not finish within its budget of ${maxSeconds} s (VANTA_POLL_MAX_SECONDS) after ${budget.pages} page(s); the next poll starts again`, { kind: "transient", stage: "poll", cause: error });
      }
      if (signal?.aborted === true) throw new TerraFixError("the Vanta poll was stopped (shutdown)", { kind: "transient", stage: "poll", cause: error });
      throw coerceError(error, "poll");
    }
  }

  async function pollOnce(request: PollRequest, signal: AbortSignal, budget: PageBudget): Promise<PollResult> {
    const listed = await client.listFailingTests({ frameworkFilter: options.frameworkFilter, integrationFilter: options.integrationFilter }, signal, budget);
    const skipped: SkippedItem[] = [...listed.skipped];
    const failing = dedupeTests(listed.items.filter((t) => !isKnownNotFailing(t.status)));
    const tests: TestSummary[] = [];
    const failures: Failure[] = [];
    let refetchedCount = 0;
    for (const test of failing) {
      // Vanta's guide: refetch entities only when lastTestRunDate changed since the last poll.
      const refetch = request.fullResync || request.previousRunDates.get(test.id) !== test.lastTestRunDate;
      const summary: TestSummary = { testId: test.id, name: test.name, lastTestRunDate: test.lastTestRunDate, refetched: refetch };
      tests.push(summary);
      if (!refetch) continue;
      const entities = await client.listFailingEntities(test.id, signal, budget).catch((error: unknown) => {
        // The test vanished between the list and this call: keep its previous entities this poll.
        if (error instanceof TerraFixError && error.status === 404) return undefined;
        throw error;
      });
      if (entities === undefined) {
        summary.refetched = false;
        skipped.push({ what: "test", id: test.id, reason: "entities answered 404 (test gone since listed)" });
        logger.warn({ testId: test.id }, "Vanta test entities not found; keeping previous entities");
        continue;
      }
      refetchedCount += 1;
      skipped.push(...entities.skipped);
      for (const entity of entities.items) {
        // Only an explicit DEACTIVATED drops an entity: an unknown new status must not look like a fix.
        if (entity.entityStatus === "DEACTIVATED") continue;
        failures.push(toFailure(test, entity));
      }
    }
    if (options.enrich === true && failures.length > 0) {
      const byId = new Map(failing.map((t) => [t.id, t] as const));
      try {
        const enriched = await enrichFailures(failures, (testId) => byId.get(testId)?.integrations?.[0] ?? "aws", client, logger, signal);
        skipped.push(...enriched.skipped);
        logger.debug({ enriched: enriched.enriched }, "Vanta enrichment done");
      } catch (error) {
        logger.warn({ err: error }, "Vanta enrichment failed; continuing without it");
      }
    }
    logger.info(
      { tests: tests.length, refetched: refetchedCount, failures: failures.length, skipped: skipped.length, fullResync: request.fullResync },
      "Vanta poll finished",
    );
    return { tests, failures, skipped };
  }

  return { name: "vanta", poll, client, tokens };
}

/** A test repeated across pages (data moving under the cursor) is kept once. */
function dedupeTests(tests: VantaTestSchema[]): VantaTestSchema[] {
  const seen = new Set<string>();
  return tests.filter((t) => (seen.has(t.id) ? false : (seen.add(t.id), true)));
}
