import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Logger } from "../../observability/logger.js";
import { FixModelError, type FixModel, type FixModelRequest, type FixModelResponse } from "../../ports/fix-model.js";
import { mapBedrockError } from "./errors.js";
import { buildConverseInput } from "./request.js";
import { ConverseOutput } from "./schema.js";

export interface BedrockFixModelOptions {
  /** Model or inference-profile id (config BEDROCK_MODEL_ID); base ids are rejected on demand. */
  modelId: string;
  region: string;
  /** Override of the runtime endpoint (tests and the demo point it at the fake). */
  endpoint?: string;
  /** SDK attempts per call (not retries), for throttling/5xx/network; keep it small. */
  maxAttempts?: number;
  /** Socket inactivity timeout of one HTTP attempt. */
  timeoutMs: number;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  logger: Logger;
}

const DEBUG_TEXT_LIMIT = 2000;

/**
 * FixModel over Bedrock Converse with forced tool use.
 *
 * HTTP: the client speaks HTTP/2 by default (NodeHttp2Handler), which a plain HTTP/1.1 server,
 * a corporate proxy or a fake cannot answer (services.md §1.4). TerraFix sends one request per
 * call and gains nothing from h2 multiplexing, so it uses NodeHttpHandler (HTTP/1.1, keep-alive)
 * with a per-attempt request timeout; the fake server is then a plain `http` server.
 *
 * Retries: the SDK retries throttling, 5xx and network errors (`maxAttempts`, adaptive mode adds
 * a client-side rate limiter that suits one daemon calling one model); nothing here loops again
 * over those. ModelTimeout, quota and malformed output are the repair loop's business.
 */
export function createBedrockFixModel(options: BedrockFixModelOptions): FixModel {
  const logger = options.logger.child({ component: "bedrock", modelId: options.modelId });
  const agentOptions = { keepAlive: true, maxSockets: 50 };
  const client = new BedrockRuntimeClient({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    maxAttempts: options.maxAttempts ?? 3,
    retryMode: "adaptive",
    requestHandler: new NodeHttpHandler({
      requestTimeout: options.timeoutMs,
      connectionTimeout: Math.min(options.timeoutMs, 10_000),
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  });

  async function propose(request: FixModelRequest, signal?: AbortSignal): Promise<FixModelResponse> {
    const input = buildConverseInput(options.modelId, request);
    const last = request.turns.at(-1);
    logger.debug({ turns: request.turns.length, prompt: truncate(last === undefined ? "" : turnText(last)) }, "model request");
    let raw: unknown;
    try {
      raw = await client.send(new ConverseCommand(input), signal === undefined ? {} : { abortSignal: signal });
    } catch (error) {
      const mapped = mapBedrockError(error, options.modelId);
      logger.debug({ code: mapped.code, status: mapped.status, requestId: mapped.requestId }, "model call failed");
      throw mapped;
    }
    const response = parseResponse(raw, options.modelId);
    logger.debug(
      { stopReason: response.stopReason, usage: response.usage, requestId: response.requestId, output: truncate(JSON.stringify(response.toolUse?.input ?? response.text) ?? "") },
      "model response",
    );
    return response;
  }

  return { modelId: options.modelId, propose };
}

function parseResponse(raw: unknown, modelId: string): FixModelResponse {
  const requestId = (raw as { $metadata?: { requestId?: string } } | undefined)?.$metadata?.requestId;
  const parsed = ConverseOutput.safeParse(raw);
  if (!parsed.success) {
    throw new FixModelError(`Bedrock Converse (${modelId}) returned an unexpected response shape: ${parsed.error.issues[0]?.message ?? "invalid"}`, {
      kind: "transient",
      code: "model-error",
      ...(requestId === undefined ? {} : { requestId }),
    });
  }
  const { output, stopReason, usage } = parsed.data;
  const toolBlock = output.message.content.find((block) => block.toolUse !== undefined)?.toolUse;
  const text = output.message.content
    .map((block) => block.text ?? "")
    .filter((t) => t !== "")
    .join("\n");
  return {
    toolUse: toolBlock === undefined ? undefined : { id: toolBlock.toolUseId, name: toolBlock.name, input: toolBlock.input },
    text,
    stopReason,
    usage: {
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cacheReadInputTokens: usage.cacheReadInputTokens ?? 0,
      cacheWriteInputTokens: usage.cacheWriteInputTokens ?? 0,
    },
    ...(requestId === undefined ? {} : { requestId }),
  };
}

function turnText(turn: FixModelRequest["turns"][number]): string {
  switch (turn.role) {
    case "user":
    case "tool-result":
      return turn.text;
    case "assistant":
      return JSON.stringify(turn.input) ?? "";
  }
}

function truncate(text: string): string {
  return text.length <= DEBUG_TEXT_LIMIT ? text : `${text.slice(0, DEBUG_TEXT_LIMIT)}… [${text.length - DEBUG_TEXT_LIMIT} more chars]`;
}
