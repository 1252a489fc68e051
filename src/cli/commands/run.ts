import { startModelCheck } from "../../composition/model-check.js";
import { buildRuntime } from "../../composition/runtime.js";
import { startHealthServer } from "../../daemon/http-server.js";
import { handleShutdownSignals } from "../../daemon/signals.js";
import { EXIT_OK, type CliIo, type RunOptions } from "../context.js";
import { configOf } from "./config.js";

/** `terrafix run`: the daemon until SIGTERM/SIGINT. */
export async function runCommand(options: RunOptions, io: CliIo): Promise<number> {
  const config = configOf(options, io);
  const runtime = await buildRuntime(config, { env: io.env, logTo: "stdout" });
  const checkAbort = new AbortController();
  const modelCheck = startModelCheck(runtime.model, runtime.logger, checkAbort.signal);
  const server = await startHealthServer({
    model: () => modelCheck.current(),
    port: config.httpPort,
    store: runtime.store,
    registry: runtime.metrics.registry,
    maxPollAgeMs: config.readyMaxPollAgeSeconds * 1000,
    startupGraceMs: Math.max(config.pollIntervalSeconds * 2000, 60_000),
  });
  runtime.logger.info({ url: server.url, owner: runtime.daemon.owner, concurrency: config.concurrency }, "daemon started");
  runtime.daemon.start();
  // Shutdown lives in the daemon: a second signal cuts the first's grace period short, and the
  // store closes only after the daemon has released its claims and the poller lease.
  const removeHandlers = handleShutdownSignals(runtime.logger, {
    graceful: () => void runtime.daemon.gracefulShutdown(config.shutdownGraceSeconds * 1000),
    forceful: () => void runtime.daemon.forcefulShutdown(),
  });
  try {
    await runtime.daemon.whenStopped();
  } finally {
    removeHandlers();
    checkAbort.abort();
    await modelCheck.done;
    await server.close();
    await runtime.close();
  }
  return EXIT_OK;
}
