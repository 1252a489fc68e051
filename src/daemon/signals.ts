import { coerceError } from "../errors.js";
import type { Logger } from "../observability/logger.js";

/**
 * First SIGTERM/SIGINT: graceful (stop taking work, let in-flight jobs finish within the grace
 * period). A second signal: forceful (abort now; claims are released so the jobs run again).
 * Returns a function that removes the handlers.
 */
export function handleShutdownSignals(
  logger: Logger,
  actions: { graceful: () => void; forceful: () => void },
  target: NodeJS.EventEmitter = process,
): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals): void => {
    count += 1;
    const mode = count === 1 ? "graceful" : "forceful";
    if (mode === "graceful") logger.info({ signal }, "shutting down gracefully; send the signal again to force");
    else logger.warn({ signal }, "forced shutdown");
    // A handler that throws would be an uncaught exception in the middle of a shutdown.
    try {
      actions[mode]();
    } catch (error) {
      logger.error({ signal, mode, err: coerceError(error) }, "starting the shutdown failed");
    }
  };
  target.on("SIGTERM", handler);
  target.on("SIGINT", handler);
  return () => {
    target.off("SIGTERM", handler);
    target.off("SIGINT", handler);
  };
}
