import type { AxiosInstance } from "axios";
import type { z } from "zod";
import { TerraFixError } from "../../errors.js";
import type { Logger } from "../../observability/logger.js";
import type { SkippedItem } from "../../ports/failure-source.js";
import { createHttp, errorForResponse, errorForThrown, withRetry, type RetryPolicy } from "./http.js";
import { createRateLimiter, defaultSleep, type Now, type RateLimiter, type Sleep } from "./rate-limiter.js";
import { describeIssues, itemId, PageSchema, VantaResourceSchema, VantaTestEntitySchema, VantaTestSchema } from "./schema.js";
import type { TokenManager } from "./token-manager.js";

/** Vanta's maximum page size (shared/reference/vanta-api.md "Pagination"). */
export const PAGE_SIZE = 100;
/**
 * How much pagination one poll may do (config VANTA_POLL_MAX_PAGES / VANTA_POLL_MAX_SECONDS): a
 * cursor that never ends, or a listing that grows faster than we read it, stops the poll with a
 * logged warning instead of paging for hours. Shared by every listing of the poll.
 */
export interface PageBudget {
  maxPages: number;
  /** Epoch ms (the client's clock) after which no further page is asked for. */
  deadline: number;
  maxSeconds: number;
  pages: number;
}

export interface VantaClientOptions {
  apiUrl: string;
  tokens: TokenManager;
  logger: Logger;
  retry: RetryPolicy;
  /** Client-side limit (default 50, the lower of Vanta's published figures). */
  requestsPerMinute: number;
  http?: AxiosInstance;
  now?: Now;
  sleep?: Sleep;
}

export interface ListResult<T> {
  items: T[];
  skipped: SkippedItem[];
  pages: number;
}

export type Query = Record<string, string | number | undefined>;

/** The read-only Vanta API calls TerraFix makes. */
export interface VantaClient {
  listFailingTests(filters: { frameworkFilter?: string | undefined; integrationFilter?: string | undefined }, signal?: AbortSignal, budget?: PageBudget): Promise<ListResult<VantaTestSchema>>;
  listFailingEntities(testId: string, signal?: AbortSignal, budget?: PageBudget): Promise<ListResult<VantaTestEntitySchema>>;
  listResources(integrationId: string, resourceKind: string, signal?: AbortSignal, budget?: PageBudget): Promise<ListResult<VantaResourceSchema>>;
  /** One authenticated GET answering JSON (limiter, token, 401 refresh, retries included). */
  getJson(path: string, query: Query, signal?: AbortSignal): Promise<unknown>;
}

export function createVantaClient(options: VantaClientOptions): VantaClient {
  const http = options.http ?? createHttp(options.apiUrl);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const limiter: RateLimiter = createRateLimiter({ limit: options.requestsPerMinute, name: "Vanta API", now, sleep });
  const { tokens, logger } = options;

  /** One request with a token; on 401 the token is refreshed once and the request sent again. */
  async function send(path: string, query: Query, signal?: AbortSignal): Promise<unknown> {
    const what = `Vanta GET ${path}`;
    for (let refreshed = false; ; refreshed = true) {
      await limiter.acquire(signal);
      const token = await tokens.get(signal);
      const secrets = [token];
      let response;
      try {
        response = await http.get<unknown>(path, {
          params: withoutUndefined(query),
          headers: { Authorization: `Bearer ${token}` },
          ...(signal === undefined ? {} : { signal }),
        });
      } catch (error) {
        throw errorForThrown(what, error, secrets);
      }
      if (response.status === 401 && !refreshed) {
        logger.info({ path }, "Vanta token rejected, refreshing once");
        tokens.invalidate(token);
        continue;
      }
      if (response.status === 401) {
        const base = errorForResponse(what, response, secrets, now());
        throw new TerraFixError(`${base.message} even with a fresh token (is another process using the same Vanta application?)`, {
          kind: "transient",
          stage: "poll",
          status: 401,
        });
      }
      if (response.status < 200 || response.status >= 300) throw errorForResponse(what, response, secrets, now());
      return parseJsonBody(what, response.data);
    }
  }

  async function getJson(path: string, query: Query, signal?: AbortSignal): Promise<unknown> {
    return withRetry(() => send(path, query, signal), { what: `Vanta GET ${path}`, policy: options.retry, logger, now, sleep, signal });
  }

  /** Follows Relay pagination while `hasNextPage`, even when a page is shorter than asked. */
  async function list<S extends z.ZodType>(
    path: string,
    query: Query,
    schema: S,
    what: SkippedItem["what"],
    context: { testId?: string },
    signal?: AbortSignal,
    budget?: PageBudget,
  ): Promise<ListResult<z.infer<S>>> {
    const result: ListResult<z.infer<S>> = { items: [], skipped: [], pages: 0 };
    // Without a poll's budget, a listing still stops at a runaway cursor.
    budget ??= { maxPages: 10_000, deadline: Number.POSITIVE_INFINITY, maxSeconds: Number.POSITIVE_INFINITY, pages: 0 };
    let cursor: string | undefined;
    for (;;) {
      if (budget.pages >= budget.maxPages || now() >= budget.deadline) {
        const which = budget.pages >= budget.maxPages ? `${budget.maxPages} pages (VANTA_POLL_MAX_PAGES)` : `${budget.maxSeconds} s (VANTA_POLL_MAX_SECONDS)`;
        logger.warn({ path, pages: budget.pages, maxPages: budget.maxPages, maxSeconds: budget.maxSeconds }, "Vanta pagination budget hit; poll stopped");
        throw new TerraFixError(`Vanta GET ${path}: the poll's pagination budget of ${which} is spent after ${budget.pages} page(s); the next poll starts again`, { kind: "transient", stage: "poll" });
      }
      budget.pages += 1;
      const body = await getJson(path, { ...query, pageSize: PAGE_SIZE, pageCursor: cursor }, signal);
      const page = PageSchema.safeParse(body);
      if (!page.success) {
        throw new TerraFixError(`Vanta GET ${path} answered a page of unexpected shape: ${describeIssues(page.error).slice(0, 3).join("; ")}`, { kind: "transient", stage: "poll" });
      }
      result.pages += 1;
      page.data.results.data.forEach((item, index) => {
        const parsed = schema.safeParse(item);
        if (parsed.success) {
          result.items.push(parsed.data);
          return;
        }
        const id = itemId(item);
        const reason = describeIssues(parsed.error).join("; ");
        logger.warn({ path, what, id, index, testId: context.testId, reason }, "Vanta item skipped: schema mismatch");
        result.skipped.push({ what, reason, ...(id === undefined ? {} : { id }), ...(context.testId === undefined ? {} : { testId: context.testId }) });
      });
      const info = page.data.results.pageInfo;
      if (!info.hasNextPage) return result;
      const next = info.endCursor ?? undefined;
      if (next === undefined || next === "" || next === cursor) {
        throw new TerraFixError(`Vanta GET ${path} says hasNextPage but gave no new endCursor after page ${result.pages}`, { kind: "transient", stage: "poll" });
      }
      cursor = next;
    }
  }

  return {
    getJson,
    listFailingTests(filters, signal, budget) {
      const query = { statusFilter: "NEEDS_ATTENTION", frameworkFilter: filters.frameworkFilter, integrationFilter: filters.integrationFilter };
      return list("/v1/tests", query, VantaTestSchema, "test", {}, signal, budget);
    },
    listFailingEntities(testId, signal, budget) {
      return list(`/v1/tests/${encodeURIComponent(testId)}/entities`, { entityStatus: "FAILING" }, VantaTestEntitySchema, "entity", { testId }, signal, budget);
    },
    listResources(integrationId, resourceKind, signal, budget) {
      const path = `/v1/integrations/${encodeURIComponent(integrationId)}/resource-kinds/${encodeURIComponent(resourceKind)}/resources`;
      return list(path, {}, VantaResourceSchema, "resource", {}, signal, budget);
    },
  };
}

function withoutUndefined(query: Query): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== "") out[key] = value;
  return out;
}

/** A 2xx answer that is not JSON fails this poll cleanly (transient, not retried now). */
function parseJsonBody(what: string, data: unknown): unknown {
  if (typeof data !== "string") return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    const snippet = data.replace(/\s+/g, " ").slice(0, 120);
    throw new TerraFixError(`${what} answered a body that is not JSON: ${snippet}`, { kind: "transient", stage: "poll" });
  }
}
