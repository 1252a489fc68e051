import type { Logger } from "../../observability/logger.js";
import type { RetryPolicy } from "../../ports/state-store.js";

/** What every StateStore implementation is built with. */
export interface StateStoreOptions {
  retry: RetryPolicy;
  logger: Logger;
  /** Wait of a `deferred` outcome that names no `until` (default one hour). */
  deferMs?: number;
  /** Recently finished records the stage percentiles are computed over (default 1000). */
  statsSample?: number;
}
