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

/** SQLite's codes for a damaged file (https://sqlite.org/rescode.html#corrupt). */
export function isCorruption(error: unknown): boolean {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  return code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB";
}

/** A damaged database file: the operator must act (restore or move it away), retrying cannot help. */
export function corruptStore(path: string, detail: string, cause?: unknown): TerraFixError {
  return new TerraFixError(
    `the SQLite state store ${path} is corrupt (${detail}); restore it from a backup, or move it away to start with empty state (open pull requests are found again by branch)`,
    { kind: "config", stage: "state", ...(cause === undefined ? {} : { cause }) },
  );
}
