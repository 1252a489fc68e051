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
    if (count === 1) {
      logger.info({ signal }, "shutting down gracefully; send the signal again to force");
      actions.graceful();
    } else {
      logger.warn({ signal }, "forced shutdown");
      actions.forceful();
    }
  };
  target.on("SIGTERM", handler);
  target.on("SIGINT", handler);
  return () => {
    target.off("SIGTERM", handler);
    target.off("SIGINT", handler);
  };
}
