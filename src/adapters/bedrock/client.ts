import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Logger } from "../../observability/logger.js";
import {
  FixModelError,
  type FixModel,
  type FixModelRequest,
  type FixModelResponse,
  type FixModelToolUse,
  type ModelAccessCheck,
  type ModelProfile,
} from "../../ports/fix-model.js";
import { mapBedrockError } from "./errors.js";
import { resolveModel, type ResolvedModel } from "./model-id.js";
import type { Effort } from "./models.js";
import { buildAccessCheckInput, buildConverseInput, planRequest, type RequestPlan } from "./request.js";
import { ConverseOutput } from "./schema.js";

export interface BedrockFixModelOptions {
  /** Model or inference-profile id (config BEDROCK_MODEL_ID); base ids are rejected on demand. */
  modelId: string;
  /** Config BEDROCK_EFFORT; lowered to what the model's catalogue entry takes. */
  effort?: Effort;
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
 * FixModel over Bedrock Converse, shaped by the model's catalogue entry (models.ts): the request
 * (request.ts), the budgets and the prices all come from it. An id no entry knows gets the most
 * conservative shape and one warning naming it.
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
  const model = resolveModel(options.modelId);
  const plan = planRequest(model.entry, options.effort ?? "medium");
  warnAboutModel(model, plan, logger);
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
    const input = buildConverseInput(options.modelId, plan, request);
    const last = request.turns.at(-1);
    logger.debug({ turns: request.turns.length, prompt: truncate(last === undefined ? "" : turnText(last)) }, "model request");
    let raw: unknown;
    try {
      raw = await client.send(new ConverseCommand(input), signal === undefined ? {} : { abortSignal: signal });
    } catch (error) {
      const mapped = mapBedrockError(error, model);
      logger.debug({ code: mapped.code, status: mapped.status, requestId: mapped.requestId }, "model call failed");
      throw mapped;
    }
    const response = parseResponse(raw, options.modelId, request.toolName);
    logger.debug(
      {
        stopReason: response.stopReason,
        usage: response.usage,
        reasoningBlocks: response.reasoningBlocks,
        requestId: response.requestId,
        output: truncate(JSON.stringify(response.toolUse?.input ?? response.text) ?? ""),
      },
      "model response",
    );
    return response;
  }

  async function checkAccess(signal?: AbortSignal): Promise<ModelAccessCheck> {
    const started = performance.now();
    try {
      // The smallest request of the planned shape (sampling, thinking, effort; no tools): any 200
      // proves id, access and shape; a max_tokens stop is fine.
      const raw = await client.send(new ConverseCommand(buildAccessCheckInput(options.modelId, plan)), signal === undefined ? {} : { abortSignal: signal });
      const requestId = (raw as { $metadata?: { requestId?: string } }).$metadata?.requestId;
      return { status: "ok", modelId: options.modelId, latencyMs: Math.round(performance.now() - started), ...(requestId === undefined ? {} : { requestId }) };
    } catch (error) {
      const mapped = mapBedrockError(error, model);
      return { status: "failed", modelId: options.modelId, kind: mapped.kind, message: mapped.message };
    }
  }

  const profile: ModelProfile = {
    family: model.entry.key,
    name: model.entry.name,
    tokenRatio: model.entry.tokenRatio,
    contextTokens: model.entry.contextTokens,
    maxOutputTokens: model.entry.maxOutputTokens,
    thinkingReserveTokens: plan.thinkingReserveTokens,
    prices: {
      inputPerMtok: model.prices.input,
      outputPerMtok: model.prices.output,
      cacheWritePerMtok: model.prices.cacheWrite,
      cacheReadPerMtok: model.prices.cacheRead,
    },
  };
  return { modelId: options.modelId, profile, propose, checkAccess };
}

/** One warning at start for an unknown id, a base id without a profile, or an effort that gave way. */
function warnAboutModel(model: ResolvedModel, plan: RequestPlan, logger: Logger): void {
  if (!model.known) {
    logger.warn(
      { modelId: model.modelId, scope: model.scope },
      `model id ${model.modelId} is not in TerraFix's model catalogue: using the most conservative request shape (no sampling parameters, auto tool choice, reasoning replayed, no effort)`,
    );
    return;
  }
  const notes = [...plan.adjustments];
  if (model.scope === "base" && !model.entry.baseIdOnDemand) notes.push(`a base id cannot be called on demand: use an inference profile such as global.${model.entry.baseId}`);
  if (model.entry.lifecycle !== "active") notes.push(`${model.entry.name} is ${model.entry.lifecycle}: consider global.anthropic.claude-sonnet-5-5`);
  if (notes.length > 0) logger.warn({ modelId: model.modelId, family: model.entry.key, notes }, `model ${model.modelId}: ${notes.join("; ")}`);
}

function parseResponse(raw: unknown, modelId: string, toolName: string): FixModelResponse {
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
  const calls: FixModelToolUse[] = output.message.content.flatMap((block) =>
    block.toolUse === undefined ? [] : [{ id: block.toolUse.toolUseId, name: block.toolUse.name, input: block.toolUse.input }],
  );
  const text = output.message.content
    .map((block) => block.text ?? "")
    .filter((t) => t !== "")
    .join("\n");
  const ours = calls.find((c) => c.name === toolName);
  // The SDK's own objects, not the parsed copies: replayed byte for byte (redactedContent stays bytes).
  const content = (raw as { output: { message: { content: unknown[] } } }).output.message.content;
  return {
    toolUse: ours,
    otherToolUses: calls.filter((c) => c !== ours),
    content,
    reasoningBlocks: output.message.content.filter((b) => b.reasoningContent !== undefined).length,
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
      return JSON.stringify(turn.calls) ?? "";
  }
}

function truncate(text: string): string {
  return text.length <= DEBUG_TEXT_LIMIT ? text : `${text.slice(0, DEBUG_TEXT_LIMIT)}… [${text.length - DEBUG_TEXT_LIMIT} more chars]`;
}
