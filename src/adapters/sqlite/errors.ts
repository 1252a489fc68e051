import { TerraFixError } from "../../errors.js";

/** Lock contention outlived the busy timeout: another attempt later may well succeed. */
const TRANSIENT_CODES = new Set(["SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_TIMEOUT", "SQLITE_LOCKED"]);

/**
 * The one translation of better-sqlite3 errors (SqliteError with an extended result code,
 * https://sqlite.org/rescode.html) into TerraFixError.
 */
export function toStateError(error: unknown, what: string): TerraFixError {
  if (error instanceof TerraFixError) return error;
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  return new TerraFixError(`${what}: ${detail}`, {
    kind: code !== undefined && TRANSIENT_CODES.has(code) ? "transient" : "permanent",
    stage: "state",
    cause: error,
  });
}
