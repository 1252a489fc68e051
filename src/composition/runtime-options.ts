import type { Config } from "../config/options.js";
import type { RetryPolicy } from "../ports/state-store.js";
import { parseRepositoryRef, type RepositoryRef } from "../ports/repo-workspace.js";

export function retryPolicy(config: Config): RetryPolicy {
  return { maxAttempts: config.maxAttempts, baseDelayMs: config.retryBaseSeconds * 1000, maxDelayMs: 6 * 3_600_000 };
}

export function repositories(config: Config): RepositoryRef[] {
  return config.repositories.map(parseRepositoryRef);
}
