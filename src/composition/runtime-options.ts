import type { Config } from "../config/options.js";
import { createLogger, type Logger } from "../observability/logger.js";
import type { RetryPolicy } from "../ports/state-store.js";
import { parseRepositoryRef, type RepositoryRef } from "../ports/repo-workspace.js";

export function retryPolicy(config: Config): RetryPolicy {
  return { maxAttempts: config.maxAttempts, baseDelayMs: config.retryBaseSeconds * 1000, maxDelayMs: 6 * 3_600_000 };
}

export function repositories(config: Config): RepositoryRef[] {
  return config.repositories.map(parseRepositoryRef);
}

/**
 * The logger of the one-shot commands (stats, cleanup, retry, fix): on stderr, so stdout stays
 * the command's output (`--json`), and warnings only unless LOG_LEVEL asks for more.
 */
export function commandLogger(config: Config): Logger {
  return createLogger({ level: config.logLevel === "info" ? "warn" : config.logLevel, format: config.logFormat });
}
