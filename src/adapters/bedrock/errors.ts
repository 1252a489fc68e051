import { FixModelError, type FixModelErrorCode } from "../../ports/fix-model.js";
import type { ErrorKind } from "../../errors.js";
import type { ResolvedModel } from "./model-id.js";
import { DEFAULT_MODEL_ID } from "./models.js";

/**
 * The one place a Bedrock SDK error becomes a TerraFixError. By the time an error reaches here
 * the SDK has already retried what it retries (throttling, 5xx, network, `TimeoutError`; see
 * shared/reference/services.md §1.5 and
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_Errors),
 * so the code says what is left to decide: ModelTimeout and ServiceQuotaExceeded are retried by
 * the repair loop; validation/access/not-found are configuration or request bugs.
 */
export function mapBedrockError(error: unknown, model: ResolvedModel): FixModelError {
  if (error instanceof FixModelError) return error;
  const modelId = model.modelId;
  const info = errorInfo(error);
  const lifecycle = lifecycleMessage(info, model);
  if (lifecycle !== undefined) {
    return new FixModelError(lifecycle, {
      kind: "config",
      code: "model-lifecycle",
      cause: error,
      ...(info.status === undefined ? {} : { status: info.status }),
      ...(info.requestId === undefined ? {} : { requestId: info.requestId }),
    });
  }
  if (info.name === "ValidationException" && CONTEXT_EXCEEDED.test(info.message)) {
    // Permanent for this prompt, not a configuration error: the loop may retry once with less context.
    const name = model.known ? `${model.entry.name} (${modelId})` : modelId;
    return new FixModelError(
      `the prompt is longer than the context window of ${name}, ${model.entry.contextTokens.toLocaleString("en-US")} tokens: lower TERRAFIX_LLM_PROMPT_BUDGET_TOKENS. Bedrock said: ${truncate(info.message, 200)}`,
      {
        kind: "permanent",
        code: "context-exceeded",
        cause: error,
        ...(info.status === undefined ? {} : { status: info.status }),
        ...(info.requestId === undefined ? {} : { requestId: info.requestId }),
      },
    );
  }
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

/**
 * Answers that mean "this model id will not work", whatever the request: Legacy without recent
 * use, end of life, an identifier Bedrock does not know, a base id without an inference profile
 * (shared/reference/bedrock-models.md §1, services.md §1.1). One line that names the model and
 * says what to set; the service's own words follow, truncated.
 */
function lifecycleMessage(info: ErrorInfo, model: ResolvedModel): string | undefined {
  const text = info.message;
  const name = model.known ? `${model.entry.name} (${model.modelId})` : model.modelId;
  const instead = `set BEDROCK_MODEL_ID to ${DEFAULT_MODEL_ID} (or its us./eu. profile for data residency)`;
  const said = ` Bedrock said: ${truncate(text, 200)}`;
  if (info.name === "ResourceNotFoundException" && /end of its life/i.test(text))
    return `Bedrock model ${name} has reached end of life: ${instead}.${said}`;
  if (info.name === "ResourceNotFoundException" && /marked by provider as Legacy/i.test(text))
    return `Bedrock model ${name} is Legacy and this account has not used it recently, so access is denied: ${instead}.${said}`;
  if (info.name === "ValidationException" && /provided model identifier is invalid/i.test(text))
    return `Bedrock does not know the model id ${model.modelId} (retired, misspelt, or not offered in this region): ${instead}.${said}`;
  if (info.name === "ValidationException" && /on-demand throughput isn.t supported/i.test(text)) {
    const profile = model.known ? `global.${model.entry.baseId}` : DEFAULT_MODEL_ID;
    return `Bedrock model id ${model.modelId} is a foundation-model id that cannot be called on demand: set BEDROCK_MODEL_ID to an inference profile such as ${profile} (us./eu./jp./au./apac. for data residency).${said}`;
  }
  return undefined;
}

/**
 * Bedrock's "Input is too long for requested model." and Anthropic's "prompt is too long: N
 * tokens > M maximum" (passed through Converse after "The model returned the following errors:").
 * Neither text is in shared/reference/bedrock-models.md; both are what the services answer.
 */
const CONTEXT_EXCEEDED = /input is too long for requested model|prompt is too long/i;

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
