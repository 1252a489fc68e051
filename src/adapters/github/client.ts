import { AsyncLocalStorage } from "node:async_hooks";
import { Octokit } from "@octokit/rest";
import { throttling } from "@octokit/plugin-throttling";
import { retry } from "@octokit/plugin-retry";
import { createAppAuth } from "@octokit/auth-app";
import type { Logger } from "../../observability/logger.js";
import { secrets } from "../../observability/secrets.js";

/**
 * The GitHub client: Octokit composed with the throttling and retry plugins (services.md §2.4),
 * authenticated by a token or as a GitHub App installation (§2.5), logging through hooks.
 */
export const GitHubOctokit = Octokit.plugin(throttling, retry);
export type GitHubOctokit = InstanceType<typeof GitHubOctokit>;

export type GitHubAuth = { token: string } | { appId: string | number; privateKey: string; installationId: string | number };

export interface ThrottleSettings {
  /** false switches the throttling plugin off entirely (no rate-limit retries either). */
  enabled?: boolean;
  /**
   * false removes the plugin's write pacing (≥1 s between writes, ≥3 s between PR/issue
   * creations). Only tests turn it off; GitHub asks integrations to keep it.
   * https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api
   */
  pacing?: boolean;
  /** Milliseconds per second of Retry-After (1000 in production; tiny in tests). */
  retryAfterBaseMs?: number;
  /** Give up (and report `throttled`) rather than wait longer than this for a primary limit reset. */
  maxWaitSeconds?: number;
  /** How many times a secondary or primary limit is waited out per request. */
  maxRetries?: number;
}

export interface RetrySettings {
  enabled?: boolean;
  retries?: number;
  /** Milliseconds base of the (n+1)² backoff (1000 in production). */
  baseMs?: number;
}

export interface ClientOptions {
  apiUrl: string;
  auth: GitHubAuth;
  logger: Logger;
  throttle?: ThrottleSettings;
  retry?: RetrySettings;
}

export interface BotIdentity {
  kind: "user" | "app";
  login: string;
  /**
   * The name and e-mail GitHub shows for the bot's commits. For an App this is GitHub's own
   * `<bot user id>+<slug>[bot]@users.noreply.github.com`; the bot user id comes from
   * `GET /users/<slug>[bot]` and is not the App id (reference/github-api.md §3).
   */
  name: string;
  email: string;
}

export interface GitHubClient {
  octokit: GitHubOctokit;
  /** Runs `work` so that every request it makes is aborted with `signal`. */
  withSignal<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T>;
  /** The bot's identity: `GET /user` (token) or `GET /app` (app, login `<slug>[bot]`). Cached. */
  identity(): Promise<BotIdentity>;
}

export function createGitHubClient(options: ClientOptions): GitHubClient {
  const log = options.logger.child({ component: "github" });
  const throttle = options.throttle ?? {};
  const maxRetries = throttle.maxRetries ?? 3;
  const maxWait = throttle.maxWaitSeconds ?? 120;
  registerSecrets(options.auth);
  const octokit = new GitHubOctokit({
    baseUrl: options.apiUrl.replace(/\/+$/, ""),
    userAgent: "terrafix",
    ...("token" in options.auth
      ? { auth: options.auth.token }
      : { authStrategy: createAppAuth, auth: { appId: options.auth.appId, privateKey: options.auth.privateKey, installationId: options.auth.installationId } }),
    log: {
      debug: (message: string) => log.debug({ detail: message }, "octokit"),
      info: (message: string) => log.debug({ detail: message }, "octokit"),
      warn: (message: string) => log.warn({ detail: message }, "octokit warning"),
      // Octokit's request log reports every failed request here, including the 404s that answer a
      // lookup (does this label, branch or pull request exist?) and the 410 of a repository whose
      // Issues are off (the dashboard says so once, as a warning). Those are expected: debug. What
      // they mean is decided by the caller, through translateGitHubError.
      error: (message: string) => {
        const expected = / - (404|410) with id /.exec(message)?.[1];
        if (expected === undefined) log.error({ detail: message }, "octokit error");
        else log.debug({ detail: message }, expected === "404" ? "octokit: not found" : "octokit: gone");
      },
    },
    throttle:
      throttle.enabled === false
        ? { enabled: false }
        : {
            retryAfterBaseValue: throttle.retryAfterBaseMs ?? 1000,
            ...(throttle.pacing === false ? { write: passthroughGroup(), notifications: passthroughGroup() } : {}),
            onRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
              const wait = retryAfter <= maxWait && retryCount < maxRetries;
              log.warn({ method: request.method, url: request.url, retryAfter, retryCount, wait }, "github primary rate limit");
              return wait;
            },
            onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
              const wait = retryCount < maxRetries;
              log.warn({ method: request.method, url: request.url, retryAfter, retryCount, wait }, "github secondary rate limit");
              return wait;
            },
          },
    retry: {
      enabled: options.retry?.enabled ?? true,
      retries: options.retry?.retries ?? 3,
      retryAfterBaseValue: options.retry?.baseMs ?? 1000,
      // 429 is left to the throttling plugin so rate limits are not retried by two loops.
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
    },
  });
  // The job's abort signal reaches every request made on its behalf without threading it through each call.
  const currentSignal = new AsyncLocalStorage<AbortSignal>();
  octokit.hook.before("request", (request) => {
    const signal = currentSignal.getStore();
    if (signal !== undefined) request.request = { ...request.request, signal };
  });
  const moved = new Set<string>();
  octokit.hook.after("request", (response, request) => {
    // A renamed or transferred repository: GitHub redirects the old name to /repositories/{id}
    // (301 for GET, 307 for writes, which keeps the method and body) and fetch follows, so the
    // work goes on; the configuration should still be updated. Said once per repository.
    // https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#follow-redirects
    const from = typeof request["owner"] === "string" && typeof request["repo"] === "string" ? `${request["owner"]}/${request["repo"]}` : undefined;
    if (from !== undefined && !moved.has(from) && /\/repositories\/\d+(\/|$)/.test(pathOf(response.url))) {
      moved.add(from);
      log.warn({ repo: from, location: stripQuery(response.url) }, "GitHub redirects this repository (renamed or transferred): TerraFix follows the redirect; update TERRAFIX_REPOSITORIES to its new name");
    }
    log.debug(
      { method: request.method, url: request.url, status: response.status, requestId: response.headers["x-github-request-id"], remaining: response.headers["x-ratelimit-remaining"] },
      "github request",
    );
  });
  octokit.hook.error("request", (error, request) => {
    const status = (error as { status?: number }).status;
    log.debug({ method: request.method, url: request.url, status }, "github request failed");
    throw error;
  });

  let identity: Promise<BotIdentity> | undefined;
  return {
    octokit,
    withSignal: (signal, work) => (signal === undefined ? work() : currentSignal.run(signal, work)),
    identity() {
      identity ??= readIdentity(octokit, "token" in options.auth ? "user" : "app").catch((error: unknown) => {
        identity = undefined;
        throw error;
      });
      return identity;
    },
  };
}

async function readIdentity(octokit: GitHubOctokit, kind: "user" | "app"): Promise<BotIdentity> {
  if (kind === "user") {
    const { data } = await octokit.rest.users.getAuthenticated();
    return { kind, login: data.login, name: data.login, email: `${data.id}+${data.login}@users.noreply.github.com` };
  }
  // An installation token cannot read /user; /app is answered with the app's JWT (services.md §2.5).
  const { data } = await octokit.rest.apps.getAuthenticated();
  const slug = data?.slug ?? "terrafix";
  const login = `${slug}[bot]`;
  // The bot *user* has its own id, distinct from the App id (reference/github-api.md §3).
  const { data: bot } = await octokit.rest.users.getByUsername({ username: login });
  return { kind, login, name: login, email: `${bot.id}+${login}@users.noreply.github.com` };
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? "").pathname;
  } catch {
    return "";
  }
}

function stripQuery(url: string): string {
  return url.replace(/\?.*$/, "");
}

function registerSecrets(auth: GitHubAuth): void {
  if ("token" in auth) secrets.add(auth.token);
  else secrets.add(auth.privateKey);
}

/**
 * A stand-in for a Bottleneck group that runs every job at once (tests only). Typed `unknown`:
 * the plugin types the field with Bottleneck's types, which this package does not depend on.
 */
function passthroughGroup(): unknown {
  const limiter = {
    schedule: (...args: unknown[]): Promise<unknown> => {
      const rest = typeof args[0] === "function" ? args : args.slice(1);
      const [fn, ...params] = rest as [(...p: unknown[]) => unknown, ...unknown[]];
      return Promise.resolve(fn(...params));
    },
  };
  return { key: () => limiter };
}
