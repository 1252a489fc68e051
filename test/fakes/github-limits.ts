import { HttpError } from "./github-state.js";

/** Faults a test injects, and GitHub's own primary and content-creation limits. */
export interface Fault {
  method?: string;
  path?: string | RegExp;
  /** primary: 403 + x-ratelimit-remaining 0; secondary: 403/429 + retry-after; status: any error status. */
  type: "primary" | "secondary" | "status";
  status?: number;
  retryAfter?: number;
  /** Seconds until x-ratelimit-reset for a primary fault. */
  resetIn?: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Run the handler first (the write happens) and then fail: a response lost on the way back. */
  afterHandler?: boolean;
}

const CONTENT_ROUTES = [/^\/repos\/[^/]+\/[^/]+\/pulls$/, /^\/repos\/[^/]+\/[^/]+\/issues$/, /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments$/];

export interface Limits {
  faults: (Fault & { left: number })[];
  checkContentLimit(method: string, path: string): void;
  rateHeaders(key: string): { headers: Record<string, string>; exceeded: boolean };
  takeFault(method: string, path: string, after: boolean): Fault | undefined;
  faultError(fault: Fault, headers: Record<string, string>): HttpError;
}

export function createLimits(limit: number, limits: { perMinute: number; perHour: number; retryAfter?: number } | false | undefined): Limits {
  const faults: (Fault & { left: number })[] = [];
  const usage = new Map<string, { used: number; reset: number }>();
  const contentLimits = limits === false ? undefined : (limits ?? { perMinute: 80, perHour: 500 });
  const created: number[] = [];

  /** Content creation beyond the limit gets GitHub's secondary-limit answer. */
  function checkContentLimit(method: string, path: string): void {
    if (contentLimits === undefined || method !== "POST" || !CONTENT_ROUTES.some((route) => route.test(path))) return;
    const at = Date.now();
    while (created.length > 0 && (created[0] ?? 0) <= at - 3600_000) created.shift();
    const lastMinute = created.filter((t) => t > at - 60_000).length;
    if (lastMinute >= contentLimits.perMinute || created.length >= contentLimits.perHour) {
      throw new HttpError(403, "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.", undefined, { "retry-after": String(contentLimits.retryAfter ?? 60) });
    }
    created.push(at);
  }

  function rateHeaders(key: string): { headers: Record<string, string>; exceeded: boolean } {
    const nowSeconds = Math.floor(Date.now() / 1000);
    let entry = usage.get(key);
    if (entry === undefined || entry.reset <= nowSeconds) entry = { used: 0, reset: nowSeconds + 3600 };
    entry.used += 1;
    usage.set(key, entry);
    const remaining = Math.max(limit - entry.used, 0);
    const headers = { "x-ratelimit-limit": String(limit), "x-ratelimit-remaining": String(remaining), "x-ratelimit-used": String(entry.used), "x-ratelimit-reset": String(entry.reset), "x-ratelimit-resource": "core" };
    return { headers, exceeded: entry.used > limit };
  }

  function takeFault(method: string, path: string, after: boolean): Fault | undefined {
    const index = faults.findIndex(
      (f) => (f.afterHandler === true) === after && (f.method === undefined || f.method === method) && (f.path === undefined || (typeof f.path === "string" ? path === f.path : f.path.test(path))),
    );
    if (index === -1) return undefined;
    const fault = faults[index]!;
    fault.left -= 1;
    if (fault.left <= 0) faults.splice(index, 1);
    return fault;
  }

  function faultError(fault: Fault, headers: Record<string, string>): HttpError {
    switch (fault.type) {
      case "primary": {
        const reset = String(Math.floor(Date.now() / 1000) + (fault.resetIn ?? 1));
        Object.assign(headers, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset });
        return new HttpError(fault.status ?? 403, "API rate limit exceeded for user ID 1001.");
      }
      case "secondary":
        return new HttpError(fault.status ?? 403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", undefined, { "retry-after": String(fault.retryAfter ?? 1) });
      case "status":
        return new HttpError(fault.status ?? 502, fault.status === 503 ? "Service Unavailable" : "Server Error");
    }
  }


  return { faults, checkContentLimit, rateHeaders, takeFault, faultError };
}
