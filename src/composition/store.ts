import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { openStateStore, parseStateUrl } from "../adapters/state/open-state-store.js";
import type { Config } from "../config/options.js";
import { TerraFixError } from "../errors.js";
import type { StateStore } from "../ports/state-store.js";
import { commandLogger, retryPolicy } from "./runtime-options.js";

/** The state store a configuration names, for operators: a SQLite path, or a PostgreSQL URL without its password. */
export function describeStateStore(config: Config): string {
  const location = parseStateUrl(config.stateUrl);
  if (location.kind === "sqlite") return `SQLite ${resolve(location.path)}`;
  const url = new URL(location.url);
  url.password = "";
  return `PostgreSQL ${url.host}${url.pathname}${location.schema === undefined ? "" : ` schema ${location.schema}`}`;
}

/**
 * Opens the configured state store for one command's work and closes it after. `mustExist`
 * (stats, retry, cleanup): a SQLite file that is not there is a configuration error, never a
 * new empty database created silently.
 */
export async function withStore<T>(config: Config, work: (store: StateStore) => Promise<T>, options: { mustExist?: boolean } = {}): Promise<T> {
  const location = parseStateUrl(config.stateUrl);
  if (options.mustExist === true && location.kind === "sqlite" && location.path !== ":memory:" && !existsSync(location.path))
    throw new TerraFixError(`no state store at ${resolve(location.path)} (TERRAFIX_STATE_URL or --config names it; run or process-once creates it)`, { kind: "config", stage: "state" });
  const logger = commandLogger(config);
  const store = await openStateStore(config.stateUrl, { retry: retryPolicy(config), logger });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
