import { coerceError, TerraFixError } from "../../errors.js";

/**
 * SQLSTATE classes worth another attempt: connection exceptions (08), serialization failure
 * and deadlock (40), insufficient resources (53), operator intervention such as a restart
 * (57P01-57P03) and lock not available (55P03).
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
function isTransientSqlState(code: string): boolean {
  return (
    code.startsWith("08") ||
    code === "40001" ||
    code === "40P01" ||
    code.startsWith("53") ||
    code === "57P01" ||
    code === "57P02" ||
    code === "57P03" ||
    code === "55P03"
  );
}

/** The one translation of pg errors (DatabaseError with `code` = SQLSTATE) into TerraFixError. */
export function toStateError(error: unknown, what: string): TerraFixError {
  if (error instanceof TerraFixError) return error;
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) {
    const detail = error instanceof Error ? error.message : String(error);
    return new TerraFixError(`${what}: ${detail}`, {
      kind: isTransientSqlState(code) ? "transient" : "permanent",
      stage: "state",
      cause: error,
    });
  }
  // Socket errors (ECONNREFUSED, ...) and timeouts: coerceError knows which are transient.
  // pg's own client errors carry no code: a dropped connection or a pool that could not connect
  // in time is worth retrying.
  const coerced = coerceError(error, "state");
  const dropped = /Connection terminated|timeout exceeded when trying to connect/i.test(coerced.message);
  return new TerraFixError(`${what}: ${coerced.message}`, {
    kind: dropped ? "transient" : coerced.kind,
    stage: "state",
    cause: error,
  });
}
