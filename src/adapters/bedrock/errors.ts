import { FixModelError, type FixModelErrorCode } from "../../ports/fix-model.js";
import type { ErrorKind } from "../../errors.js";

/**
 * The one place a Bedrock SDK error becomes a TerraFixError. By the time an error reaches here
 * the SDK has already retried what it retries (throttling, 5xx, network, `TimeoutError`; see
 * shared/reference/services.md §1.5 and
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_Errors),
 * so the code says what is left to decide: ModelTimeout and ServiceQuotaExceeded are retried by
 * the repair loop; validation/access/not-found are configuration or request bugs.
 */
export function mapBedrockError(error: unknown, modelId: string): FixModelError {
  if (error instanceof FixModelError) return error;
  const info = errorInfo(error);
  const [kind, code] = classify(info);
  const where = `Bedrock Converse (${modelId})`;
  const detail = info.message === "" ? info.name : `${info.name}: ${info.message}`;
  return new FixModelError(`${where} failed: ${truncate(detail, 500)}`, {
    kind,
    code,
    cause: error,
    ...(info.status === undefined ? {} : { status: info.status }),
    ...(info.requestId === undefined ? {} : { requestId: info.requestId }),
  });
}

interface ErrorInfo {
  name: string;
  message: string;
  status: number | undefined;
  requestId: string | undefined;
  errno: string | undefined;
  fault: string | undefined;
}

function errorInfo(error: unknown): ErrorInfo {
  if (!(error instanceof Error)) {
    return { name: "UnknownError", message: String(error), status: undefined, requestId: undefined, errno: undefined, fault: undefined };
  }
  const meta = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
  return {
    name: error.name,
    message: error.message,
    status: meta?.httpStatusCode,
    requestId: meta?.requestId,
    errno: (error as NodeJS.ErrnoException).code,
    fault: (error as { $fault?: string }).$fault,
  };
}

const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "ECONNABORTED"]);

function classify(info: ErrorInfo): [ErrorKind, FixModelErrorCode] {
  switch (info.name) {
    case "ThrottlingException":
      return ["throttled", "throttled"];
    // "Resubmit later": the SDK does not retry it (HTTP 400), the caller does, with a long delay.
    case "ServiceQuotaExceededException":
      return ["throttled", "quota"];
    case "ServiceUnavailableException":
    case "ModelNotReadyException":
    case "InternalServerException":
      return ["transient", "unavailable"];
    // HTTP 408 is not in the SDK's transient list, so it arrives here after one attempt.
    case "ModelTimeoutException":
      return ["transient", "model-timeout"];
    case "ValidationException":
      return ["config", "validation"];
    case "AccessDeniedException":
    case "UnrecognizedClientException":
    case "ExpiredTokenException":
    case "CredentialsProviderError":
      return ["config", "access-denied"];
    case "ResourceNotFoundException":
      return ["config", "not-found"];
    case "ModelErrorException":
      return ["permanent", "model-error"];
    case "AbortError":
      return ["transient", "aborted"];
    case "TimeoutError":
    case "RequestTimeout":
    case "RequestTimeoutException":
      return ["transient", "network"];
    default:
      break;
  }
  if (info.errno !== undefined && NETWORK_CODES.has(info.errno)) return ["transient", "network"];
  if (info.status === 429) return ["throttled", "throttled"];
  if (info.status !== undefined && info.status >= 500) return ["transient", "unavailable"];
  if (info.fault === "server") return ["transient", "unavailable"];
  return ["permanent", "unknown"];
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
