import { TerraFixError } from "../../errors.js";
import type { StateStore } from "../../ports/state-store.js";
import { PostgresStateStore } from "../postgres/state-store.js";
import { SqliteStateStore } from "../sqlite/state-store.js";
import type { StateStoreOptions } from "./options.js";

export type { StateStoreOptions } from "./options.js";

/** Which store a `TERRAFIX_STATE_URL` names, without opening it. */
export type StateLocation =
  | { kind: "sqlite"; path: string }
  | { kind: "postgres"; url: string; schema?: string };

/**
 * `postgres://` / `postgresql://` URLs select PostgreSQL (an optional `?schema=name` selects the
 * schema and is removed before the URL reaches the driver); `sqlite:PATH`, `sqlite://PATH` and
 * plain paths select SQLite.
 */
export function parseStateUrl(url: string): StateLocation {
  const trimmed = url.trim();
  if (trimmed === "") throw new TerraFixError("TERRAFIX_STATE_URL is empty", { kind: "config", stage: "config" });
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      // The URL may hold a password: never echo it.
      throw new TerraFixError("TERRAFIX_STATE_URL is not a valid postgres:// URL", { kind: "config", stage: "config" });
    }
    const schema = parsed.searchParams.get("schema");
    parsed.searchParams.delete("schema");
    return { kind: "postgres", url: parsed.toString(), ...(schema === null || schema === "" ? {} : { schema }) };
  }
  const sqlite = /^sqlite:(\/\/)?(.+)$/i.exec(trimmed);
  if (sqlite?.[2] !== undefined) return { kind: "sqlite", path: sqlite[2] };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new TerraFixError("TERRAFIX_STATE_URL must be a file path, sqlite:PATH or a postgres:// URL", { kind: "config", stage: "config" });
  }
  return { kind: "sqlite", path: trimmed };
}

/** Opens the store the URL names and brings its schema up to date. */
export async function openStateStore(url: string, options: StateStoreOptions): Promise<StateStore> {
  const location = parseStateUrl(url);
  const store =
    location.kind === "postgres"
      ? new PostgresStateStore({ ...options, url: location.url, ...(location.schema === undefined ? {} : { schema: location.schema }) })
      : new SqliteStateStore({ ...options, path: location.path });
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}
