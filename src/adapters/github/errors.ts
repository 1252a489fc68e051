import { coerceError, TerraFixError } from "../../errors.js";
import { secrets } from "../../observability/secrets.js";

/** The fields of an Octokit RequestError we read (duck-typed: the class lives in a transitive package). */
interface RequestErrorLike {
  name: string;
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  request?: { method?: string; url?: string };
}

export function isRequestError(error: unknown): error is RequestErrorLike {
  return error instanceof Error && typeof (error as Partial<RequestErrorLike>).status === "number";
}

/** True for GitHub's 422 answers that carry this text (message or errors[].message). */
export function isValidation(error: unknown, pattern: RegExp): boolean {
  if (!isRequestError(error) || error.status !== 422) return false;
  return pattern.test(error.message) || pattern.test(JSON.stringify(error.response?.data ?? ""));
}

export function isNotFound(error: unknown): boolean {
  return isRequestError(error) && error.status === 404;
}

/**
 * The one translation of GitHub errors into TerraFixError (services.md §2.3): rate limits →
 * throttled (with the wait GitHub asked for), 5xx → transient, 401/403 → config (token or app
 * permissions), 404 → permanent (repository gone or not visible), 410 "Issues are disabled" →
 * config, 409/422 → permanent.
 */
export function translateGitHubError(error: unknown, action = "request"): TerraFixError {
  if (error instanceof TerraFixError) return error;
  // Octokit rethrows a fetch abort with status 500 attached; it is an abort, not a server error.
  if (!isRequestError(error) || error.name === "AbortError") return coerceError(error, "publish");
  const status = error.status;
  const headers = error.response?.headers ?? {};
  const where = `${error.request?.method ?? ""} ${stripQuery(error.request?.url ?? "")}`.trim();
  const message = secrets.scrub(`GitHub ${action} failed (${status}${where === "" ? "" : ` ${where}`}): ${firstLine(error.message)}`);
  const base = { stage: "publish" as const, status, cause: error };
  const retryAfter = Number(headers["retry-after"]);
  const remaining = String(headers["x-ratelimit-remaining"] ?? "");
  const reset = Number(headers["x-ratelimit-reset"]);
  if ((status === 403 || status === 429) && (remaining === "0" || /rate limit/i.test(error.message) || Number.isFinite(retryAfter) || status === 429)) {
    const wait = Number.isFinite(retryAfter) ? retryAfter : Number.isFinite(reset) ? Math.max(Math.ceil(reset - Date.now() / 1000), 1) : 60;
    return new TerraFixError(message, { ...base, kind: "throttled", retryAfterSeconds: wait });
  }
  if (status >= 500) return new TerraFixError(message, { ...base, kind: "transient" });
  // Issues switched off in the repository's settings: nothing changes until someone turns them on.
  // https://docs.github.com/en/rest/issues/issues#create-an-issue (410 Gone)
  if (status === 410 && /issues are disabled/i.test(error.message)) return new TerraFixError(message, { ...base, kind: "config" });
  if (status === 401 || status === 403) return new TerraFixError(message, { ...base, kind: "config" });
  return new TerraFixError(message, { ...base, kind: "permanent" });
}

function stripQuery(url: string): string {
  return url.replace(/\?.*$/, "");
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
