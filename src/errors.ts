/**
 * The one error type the pipeline sees. Adapters translate their SDK's errors into it (one
 * function per adapter); expected outcomes (no match, PR exists) are values, never errors.
 */
export type ErrorKind = "transient" | "throttled" | "permanent" | "config";

export type Stage =
  | "poll"
  | "workspace"
  | "index"
  | "match"
  | "generate"
  | "verify"
  | "publish"
  | "state"
  | "config"
  | "cli";

export interface TerraFixErrorOptions {
  kind: ErrorKind;
  stage?: Stage;
  cause?: unknown;
  /** HTTP status of the upstream answer, when there was one. */
  status?: number;
  /** Seconds the upstream asked us to wait (Retry-After), when it said so. */
  retryAfterSeconds?: number;
}

export class TerraFixError extends Error {
  readonly kind: ErrorKind;
  readonly stage: Stage | undefined;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options: TerraFixErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TerraFixError";
    this.kind = options.kind;
    this.stage = options.stage;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** Transient and throttled errors are worth another attempt later; the others are not. */
  get retryable(): boolean {
    return this.kind === "transient" || this.kind === "throttled";
  }
}

export function isTerraFixError(value: unknown): value is TerraFixError {
  return value instanceof TerraFixError;
}

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
]);

/**
 * Turns anything thrown into a TerraFixError. An existing TerraFixError keeps its kind (and gets
 * the stage if it had none); Node network errors and aborts are transient; everything else is
 * permanent, because retrying an error we do not understand multiplies load for nothing.
 */
export function coerceError(error: unknown, stage?: Stage): TerraFixError {
  if (error instanceof TerraFixError) {
    if (error.stage !== undefined || stage === undefined) return error;
    return new TerraFixError(error.message, {
      kind: error.kind,
      stage,
      cause: error.cause,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    });
  }
  const base = stage === undefined ? {} : { stage };
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const transient =
      (code !== undefined && TRANSIENT_CODES.has(code)) ||
      error.name === "AbortError" ||
      error.name === "TimeoutError";
    return new TerraFixError(error.message, { kind: transient ? "transient" : "permanent", cause: error, ...base });
  }
  return new TerraFixError(typeof error === "string" ? error : `non-error thrown: ${safeString(error)}`, {
    kind: "permanent",
    cause: error,
    ...base,
  });
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
