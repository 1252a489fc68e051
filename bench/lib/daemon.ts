import type { JobResult } from "../../src/daemon/worker-pool.js";
import type { JobRecord } from "../../src/ports/state-store.js";
import type { Runtime, RuntimeOptions } from "../../src/composition/runtime.js";
import type { Config } from "../../src/config/options.js";

/**
 * The real daemon, loaded on demand: experiments 1 and 2 report "daemon not available" (with
 * the reason) instead of failing when the service code is missing or does not load.
 */
export interface DaemonModule {
  buildRuntime(config: Config, options?: RuntimeOptions): Promise<Runtime>;
  loadConfig(options: { env: NodeJS.ProcessEnv }): Config;
}

export async function loadDaemon(): Promise<DaemonModule | { unavailable: string }> {
  try {
    const runtime = await import("../../src/composition/runtime.js");
    const config = await import("../../src/config/load.js");
    return { buildRuntime: runtime.buildRuntime, loadConfig: (options) => config.loadConfig(options) };
  } catch (error) {
    return { unavailable: error instanceof Error ? error.message.split("\n")[0]! : String(error) };
  }
}

export interface FinishedJob {
  atMs: number;
  job: JobRecord;
  result: JobResult;
}
