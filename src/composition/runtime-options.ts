import type { Config } from "../config/options.js";
import type { RetryPolicy } from "../ports/state-store.js";
import { parseRepositoryRef, type RepositoryRef } from "../ports/repo-workspace.js";

export function retryPolicy(config: Config): RetryPolicy {
  return { maxAttempts: config.maxAttempts, baseDelayMs: config.retryBaseSeconds * 1000, maxDelayMs: 6 * 3_600_000 };
}

export function repositories(config: Config): RepositoryRef[] {
  return config.repositories.map(parseRepositoryRef);
}

/** `TERRAFIX_TEST_MAPPINGS` (`testId=controlId,...`) as a map. */
export function testMappings(config: Config): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of config.testMappings) {
    const [test, control] = item.split("=").map((s) => s.trim());
    if (test !== undefined && control !== undefined && test !== "" && control !== "") out[test] = control;
  }
  return out;
}
