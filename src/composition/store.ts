import { openStateStore } from "../adapters/state/open-state-store.js";
import type { Config } from "../config/options.js";
import type { StateStore } from "../ports/state-store.js";
import { commandLogger, retryPolicy } from "./runtime-options.js";

/** Opens the configured state store for one command's work and closes it after. */
export async function withStore<T>(config: Config, work: (store: StateStore) => Promise<T>): Promise<T> {
  const logger = commandLogger(config);
  const store = await openStateStore(config.stateUrl, { retry: retryPolicy(config), logger });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
