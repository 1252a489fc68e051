import type { AxiosInstance } from "axios";
import { TerraFixError } from "../../errors.js";
import type { Logger } from "../../observability/logger.js";
import { createHttp, errorForResponse, errorForThrown, withRetry, type RetryPolicy } from "./http.js";
import { createRateLimiter, defaultSleep, type Now, type RateLimiter, type Sleep } from "./rate-limiter.js";
import { TokenResponseSchema } from "./schema.js";

/**
 * Vanta OAuth client credentials (shared/reference/vanta-api.md "Hosts and auth"):
 * - one live token per application: minting revokes the previous token, so a process keeps ONE
 *   token and refreshes it single-flight;
 * - refresh about 60 s before `expires_in` runs out;
 * - `/oauth/token` allows 5 requests a minute across all of Vanta's APIs, so minting goes
 *   through its own limiter that waits for a slot (or fails throttled beyond `maxWaitMs`).
 */
export interface TokenManagerOptions {
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  retry: RetryPolicy;
  http?: AxiosInstance;
  /** Overall deadline of the token request when no `http` is given (see createHttp). */
  requestTimeoutMs?: number;
  now?: Now;
  sleep?: Sleep;
  /** Default 5, Vanta's documented limit. */
  tokensPerMinute?: number;
  /** Default 60 000 ms. */
  refreshBeforeMs?: number;
  /** Longest wait for a token slot before failing throttled. Default 60 000 ms (one window). */
  maxLimiterWaitMs?: number;
}

export const TOKEN_SCOPE = "vanta-api.all:read";

export class TokenManager {
  readonly #options: TokenManagerOptions;
  readonly #http: AxiosInstance;
  readonly #now: Now;
  readonly #sleep: Sleep;
  readonly #limiter: RateLimiter;
  #token: { value: string; expiresAt: number } | undefined;
  #inflight: Promise<string> | undefined;
  #minted = 0;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#http = options.http ?? createHttp(options.apiUrl, options.requestTimeoutMs);
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#limiter = createRateLimiter({
      limit: options.tokensPerMinute ?? 5,
      name: "Vanta token endpoint",
      maxWaitMs: options.maxLimiterWaitMs ?? 60_000,
      now: this.#now,
      sleep: this.#sleep,
    });
  }

  /** Tokens minted by this manager (for tests and metrics). */
  get minted(): number {
    return this.#minted;
  }

  /** A token valid for at least `refreshBeforeMs` more; concurrent callers share one refresh. */
  async get(signal?: AbortSignal): Promise<string> {
    const token = this.#token;
    if (token !== undefined && this.#now() < token.expiresAt - (this.#options.refreshBeforeMs ?? 60_000)) return token.value;
    this.#inflight ??= this.#mint(signal).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /**
   * The API answered 401 to `token`: forget it so the next `get` mints a new one. A token
   * already replaced by a concurrent refresh is left alone (no double minting).
   */
  invalidate(token: string): void {
    if (this.#token?.value === token) this.#token = undefined;
  }

  /** The current token's value, so error messages can scrub it. */
  get current(): string | undefined {
    return this.#token?.value;
  }

  async #mint(signal?: AbortSignal): Promise<string> {
    const { clientId, clientSecret, logger } = this.#options;
    const secrets = [clientSecret, this.#token?.value];
    const what = "Vanta POST /oauth/token";
    const body = await withRetry(
      async () => {
        await this.#limiter.acquire(signal);
        let response;
        try {
          response = await this.#http.post<unknown>(
            "/oauth/token",
            JSON.stringify({ client_id: clientId, client_secret: clientSecret, scope: TOKEN_SCOPE, grant_type: "client_credentials" }),
            { headers: { "Content-Type": "application/json" }, ...(signal === undefined ? {} : { signal }) },
          );
        } catch (error) {
          throw errorForThrown(what, error, secrets);
        }
        if (response.status === 400 || response.status === 401) {
          const base = errorForResponse(what, response, secrets, this.#now());
          throw new TerraFixError(`${base.message} (check VANTA_CLIENT_ID and VANTA_CLIENT_SECRET)`, { kind: "config", stage: "poll", status: response.status });
        }
        if (response.status < 200 || response.status >= 300) throw errorForResponse(what, response, secrets, this.#now());
        return response.data;
      },
      // A 429 here means the 5-a-minute budget is spent: retrying within seconds cannot help.
      { what, policy: this.#options.retry, logger, now: this.#now, sleep: this.#sleep, signal, retryable: (e) => e.status !== 429 },
    );
    const parsed = TokenResponseSchema.safeParse(parseJson(body));
    if (!parsed.success) {
      throw new TerraFixError(`${what} answered 2xx without a usable access_token`, { kind: "transient", stage: "poll" });
    }
    this.#minted += 1;
    this.#token = { value: parsed.data.access_token, expiresAt: this.#now() + parsed.data.expires_in * 1000 };
    logger.info({ expiresInSeconds: parsed.data.expires_in, minted: this.#minted }, "Vanta token minted");
    return parsed.data.access_token;
  }
}

function parseJson(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

const shared = new Map<string, TokenManager>();

/**
 * The process-wide token manager for one Vanta application (key: API URL + client id). Vanta
 * allows one live token per application, so every source built in this process for the same
 * application must share it; this map holds only token managers, nothing else. The composition
 * root may instead build one `TokenManager` and pass it to `createVantaSource`.
 */
export function sharedTokenManager(options: TokenManagerOptions): TokenManager {
  const key = `${options.apiUrl.replace(/\/+$/, "")}\n${options.clientId}`;
  let manager = shared.get(key);
  if (manager === undefined) {
    manager = new TokenManager(options);
    shared.set(key, manager);
  }
  return manager;
}
