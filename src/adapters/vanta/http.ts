import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import pRetry from "p-retry";
import { coerceError, TerraFixError } from "../../errors.js";
import type { Logger } from "../../observability/logger.js";
import type { Now, Sleep } from "./rate-limiter.js";
import { parseRetryAfter } from "./retry-after.js";

/** How a failed request is retried. Tests pass tiny delays so they stay fast. */
export interface RetryPolicy {
  /** Attempts per request, the first included (config VANTA_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** First backoff delay; doubled each attempt and randomised x1..x2 (jitter). */
  minDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the poll fails throttled instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: Omit<RetryPolicy, "maxAttempts"> = { minDelayMs: 1_000, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

const BODY_LIMIT = 300;

/** Default overall deadline of one Vanta request (config VANTA_REQUEST_TIMEOUT_SECONDS). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** No Vanta page is near this; a body that keeps growing is cut off instead of filling memory. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

const DEADLINE = Symbol("terrafix.deadline");
interface DeadlineConfig {
  [DEADLINE]?: { ms: number; signal: AbortSignal };
}

/**
 * Axios' `timeout` is an idle timeout on the socket in Node (it restarts with every byte), so a
 * server that drips one byte every few seconds never trips it
 * (https://github.com/axios/axios/issues/647). Every request therefore also gets an overall
 * deadline: an AbortSignal.timeout combined with the caller's signal (the daemon's shutdown).
 */
export function createHttp(apiUrl: string, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): AxiosInstance {
  const http = axios.create({
    baseURL: apiUrl.replace(/\/+$/, ""),
    timeout: timeoutMs,
    maxContentLength: MAX_BODY_BYTES,
    // We judge status and parse JSON ourselves: a non-JSON page must become a clean error.
    validateStatus: () => true,
    responseType: "text",
    transformResponse: [(data: unknown) => data],
    headers: { Accept: "application/json" },
  });
  http.interceptors.request.use((config) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const caller = config.signal as AbortSignal | undefined;
    (config as DeadlineConfig)[DEADLINE] = { ms: timeoutMs, signal: deadline };
    config.signal = caller === undefined ? deadline : AbortSignal.any([caller, deadline]);
    return config;
  });
  return http;
}

/** The overall deadline of the request that failed, when it is what stopped it. */
function deadlineHit(error: unknown): number | undefined {
  if (!axios.isAxiosError(error)) return undefined;
  const deadline = (error.config as DeadlineConfig | undefined)?.[DEADLINE];
  return deadline?.signal.aborted === true ? deadline.ms : undefined;
}

/** Cuts a response body for an error message and removes the given secrets from it. */
export function truncateBody(body: unknown, secrets: readonly (string | undefined)[]): string {
  let text = typeof body === "string" ? body : body === undefined ? "" : safeJson(body);
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) text = text.split(secret).join("[REDACTED]");
  }
  text = text.replace(/\s+/g, " ").trim();
  return text.length > BODY_LIMIT ? `${text.slice(0, BODY_LIMIT)}…` : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * The one place a Vanta HTTP answer becomes a TerraFixError (ARCHITECTURE.md: one translation
 * function per adapter). 429 -> throttled, 5xx -> transient, 403 -> config (missing
 * `vanta-api.all:read` scope), other 4xx -> permanent. Error bodies are undocumented, so only
 * the status and a truncated, scrubbed body are reported.
 */
export function errorForResponse(what: string, response: AxiosResponse<unknown>, secrets: readonly (string | undefined)[], now: number): TerraFixError {
  const status = response.status;
  const retryAfterMs = parseRetryAfter(response.headers["retry-after"], now);
  const body = truncateBody(response.data, secrets);
  const message = `${what} answered HTTP ${status}${body === "" ? "" : `: ${body}`}`;
  const base = { stage: "poll" as const, status, ...(retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) }) };
  if (status === 429) return new TerraFixError(message, { kind: "throttled", ...base });
  if (status >= 500) return new TerraFixError(message, { kind: "transient", ...base });
  if (status === 403) return new TerraFixError(`${message} (does the Vanta application have the vanta-api.all:read scope?)`, { kind: "config", ...base });
  return new TerraFixError(message, { kind: "permanent", ...base });
}

/** Network failures (reset, refused, timeout) become transient errors; the secret never appears. */
export function errorForThrown(what: string, error: unknown, secrets: readonly (string | undefined)[]): TerraFixError {
  if (error instanceof TerraFixError) return error;
  const deadline = deadlineHit(error);
  if (deadline !== undefined)
    return new TerraFixError(`${what} did not finish within its ${deadline >= 1000 ? `${Math.round(deadline / 1000)} s` : `${deadline} ms`} deadline (VANTA_REQUEST_TIMEOUT_SECONDS)`, { kind: "transient", stage: "poll", cause: error });
  const coerced = coerceError(error, "poll");
  const code = (error as { code?: unknown } | undefined)?.code;
  const detail = truncateBody(coerced.message, secrets);
  return new TerraFixError(`${what} failed: ${detail}${typeof code === "string" ? ` (${code})` : ""}`, {
    kind: coerced.kind === "permanent" && isAxiosNetworkError(error) ? "transient" : coerced.kind,
    stage: "poll",
    cause: error,
  });
}

function isAxiosNetworkError(error: unknown): boolean {
  return axios.isAxiosError(error) && error.response === undefined && !axios.isCancel(error);
}

/**
 * Only throttling, server errors and network failures (which carry their cause) are worth
 * another attempt in this poll. A 2xx that is not JSON is transient for the *next* poll only.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof TerraFixError)) return false;
  if (error.status !== undefined) return error.status === 429 || error.status >= 500;
  return error.kind === "transient" && error.cause !== undefined;
}

export interface RetryContext {
  what: string;
  policy: RetryPolicy;
  logger: Logger;
  now: Now;
  sleep: Sleep;
  signal?: AbortSignal | undefined;
  /** Extra veto, e.g. the token endpoint never retries a 429 (its limit is 5 a minute). */
  retryable?: (error: TerraFixError) => boolean;
}

/**
 * Runs `attempt` with jittered exponential backoff (p-retry). A `Retry-After` answer is honoured
 * through the injectable `sleep` on top of the backoff; one longer than `maxRetryAfterMs` ends
 * the retries at once. After the last attempt the error is thrown for this poll.
 */
export async function withRetry<T>(attempt: () => Promise<T>, context: RetryContext): Promise<T> {
  const { policy, logger } = context;
  let attempts = 0;
  try {
    return await pRetry(
      async () => {
        attempts += 1;
        return attempt();
      },
      {
        retries: Math.max(0, policy.maxAttempts - 1),
        factor: 2,
        minTimeout: policy.minDelayMs,
        maxTimeout: policy.maxDelayMs,
        randomize: true,
        ...(context.signal === undefined ? {} : { signal: context.signal }),
        shouldRetry: ({ error }) => shouldRetry(error, context),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft === 0 || !shouldRetry(error, context)) return;
          const tfe = error as TerraFixError;
          const retryAfterMs = tfe.retryAfterSeconds === undefined ? undefined : tfe.retryAfterSeconds * 1000;
          logger.warn({ what: context.what, status: tfe.status, attempt: attemptNumber, retriesLeft, retryAfterMs }, "Vanta request failed, retrying");
          if (retryAfterMs === undefined) return;
          if (retryAfterMs > policy.maxRetryAfterMs) throw tfe;
          await context.sleep(retryAfterMs, context.signal);
        },
      },
    );
  } catch (error) {
    const tfe = error instanceof TerraFixError ? error : errorForThrown(context.what, error, []);
    if (attempts <= 1 || !tfe.retryable) throw tfe;
    return Promise.reject(
      new TerraFixError(`${tfe.message} (gave up after ${attempts} attempts)`, {
        kind: tfe.kind,
        stage: "poll",
        cause: tfe,
        ...(tfe.status === undefined ? {} : { status: tfe.status }),
        ...(tfe.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: tfe.retryAfterSeconds }),
      }),
    );
  }
}

function shouldRetry(error: unknown, context: RetryContext): boolean {
  if (!isRetryable(error)) return false;
  return context.retryable === undefined || context.retryable(error as TerraFixError);
}
