import { createHash, createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { lookupModel, TEXTS, type FakeFamily, type FakeLifecycle, type FakeModelRules } from "./bedrock-models.js";
import { inputTokens, issuedMessages, remember, thinkingOf, validateForModel, type ConverseBody, type IssuedMessages } from "./bedrock-rules.js";

export type { ConverseBody } from "./bedrock-rules.js";
export { FAKE_MODELS, TEXTS as FAKE_BEDROCK_TEXTS } from "./bedrock-models.js";

/**
 * A wire-faithful fake of Bedrock Runtime's Converse API (shared/reference/services.md §1.3) for
 * tests, the demo and the benchmarks. The real SDK talks to it over HTTP/1.1 (the adapter uses
 * NodeHttpHandler; see src/adapters/bedrock/client.ts).
 *
 * Before any answer the request must pass what the real service checks for the model it names
 * (bedrock-models.ts, bedrock-rules.ts): a known id behind an inference profile, a live model,
 * and that model's rules on sampling, tool choice, thinking, effort, prefill, maxTokens and
 * reasoning replay, with the service's own error texts.
 *
 * Answers come, in this order, from: an active fault (`setFault`), the queue of scripted steps
 * (`script`/`enqueue`, or the `scenario` option), the `responder` function, else a 400 saying
 * nothing was scripted (a 4xx, so the SDK does not retry it and the test fails loudly).
 * Thinking models answer with a `reasoningContent` block first (signature; empty text on
 * Sonnet 5.5, whose default display is "omitted").
 */
export type BedrockErrorName =
  | "ThrottlingException"
  | "ModelTimeoutException"
  | "ServiceUnavailableException"
  | "InternalServerException"
  | "ModelNotReadyException"
  | "ValidationException"
  | "ServiceQuotaExceededException"
  | "AccessDeniedException"
  | "ResourceNotFoundException"
  | "ModelErrorException";

export type FakeBedrockStep =
  /** A tool call with this input (any JSON, including a string to simulate garbage); `reasoning` overrides whether a thinking block comes first. */
  | { type: "tool"; input: unknown; toolName?: string; stopReason?: string; text?: string; reasoning?: boolean }
  /** A plain text answer without a tool call. */
  | { type: "text"; text: string; stopReason?: string; reasoning?: boolean }
  | { type: "error"; error: BedrockErrorName; message?: string }
  /** Anything else, verbatim. */
  | { type: "raw"; status: number; body: unknown; headers?: Record<string, string> };

export interface FakeBedrockRequest {
  modelId: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: ConverseBody;
}

export type FakeBedrockResponder = (request: FakeBedrockRequest) => FakeBedrockStep | Promise<FakeBedrockStep>;

export interface FakeBedrockFault {
  error: BedrockErrorName;
  /** Fail this many requests, then stop (default: until cleared). */
  count?: number;
  /** Fail each request with this probability instead (0..1), from a seeded generator. */
  rate?: number;
  message?: string;
}

export interface FakeBedrockOptions {
  /** Steps to answer with, in order; or the path of a JSON file holding such an array. */
  scenario?: FakeBedrockStep[] | string;
  responder?: FakeBedrockResponder;
  /** Delay before each answer: fixed, or drawn per request (e.g. lognormal for benchmarks). */
  latencyMs?: number | (() => number);
  /** Smallest cacheable prefix; default: the model's (Sonnet 5.5: 512, the others 1,024). */
  minCacheTokens?: number;
  /** Models that answer as retired: Legacy without recent use, or end of life (404). Default: all active. */
  lifecycle?: Partial<Record<FakeFamily, FakeLifecycle>>;
  /** Context window of every model (default: each model's own), to test an input that is too long. */
  contextTokens?: number;
  /** Seed of the fault-rate generator. */
  seed?: number;
}

export interface FakeBedrock {
  url: string;
  requests: FakeBedrockRequest[];
  script(steps: FakeBedrockStep[]): void;
  enqueue(...steps: FakeBedrockStep[]): void;
  setResponder(responder: FakeBedrockResponder | undefined): void;
  setFault(fault: FakeBedrockFault | undefined): void;
  /** Scripted steps not consumed yet. */
  pending(): number;
  close(): Promise<void>;
}

const STATUS: Record<BedrockErrorName, number> = {
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  ModelTimeoutException: 408,
  ServiceUnavailableException: 503,
  InternalServerException: 500,
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelErrorException: 424,
};

export async function startFakeBedrock(options: FakeBedrockOptions = {}): Promise<FakeBedrock> {
  const queue: FakeBedrockStep[] = loadScenario(options.scenario);
  const requests: FakeBedrockRequest[] = [];
  const cachedPrefixes = new Set<string>();
  const issued = issuedMessages();
  const signingKey = randomUUID();
  let responder = options.responder;
  let fault: (FakeBedrockFault & { used: number }) | undefined;
  let rngState = (options.seed ?? 42) >>> 0;
  const random = (): number => {
    // mulberry32: deterministic, so a benchmark with a fault rate is reproducible.
    rngState = (rngState + 0x6d2b79f5) >>> 0;
    let t = rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  async function answer(req: IncomingMessage): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
    const match = /^\/model\/([^/]+)\/converse$/.exec(new URL(req.url ?? "/", "http://x").pathname);
    if (req.method !== "POST" || match === null) return error("ResourceNotFoundException", `no route ${req.method} ${req.url}`);
    const modelId = decodeURIComponent(match[1] ?? "");
    let body: ConverseBody;
    try {
      body = JSON.parse(await readBody(req)) as ConverseBody;
    } catch {
      return error("ValidationException", "request body is not JSON");
    }
    const request: FakeBedrockRequest = { modelId, path: req.url ?? "", headers: req.headers, body };
    requests.push(request);
    const model = lookupModel(modelId);
    if (model.type === "unknown") return error("ValidationException", TEXTS.invalidId);
    const state = options.lifecycle?.[model.rules.family] ?? "active";
    if (state === "end-of-life") return error("ResourceNotFoundException", TEXTS.endOfLife);
    if (state === "legacy-inactive") return error("ResourceNotFoundException", TEXTS.legacy);
    if (!model.profile) return error("ValidationException", TEXTS.onDemand(modelId));
    const invalid = validate(body) ?? validateForModel(body, model.rules, issued);
    if (invalid !== undefined) return error("ValidationException", invalid);
    if (inputTokens(body) > (options.contextTokens ?? model.rules.contextTokens)) return error("ValidationException", TEXTS.inputTooLong);
    if (fault !== undefined) {
      const hit = fault.rate === undefined ? true : random() < fault.rate;
      if (hit && (fault.count === undefined || fault.used < fault.count)) {
        fault.used += 1;
        return error(fault.error, fault.message);
      }
    }
    const step = queue.shift() ?? (responder === undefined ? undefined : await responder(request));
    if (step === undefined) return error("ValidationException", "fake-bedrock: no scripted answer left for this request");
    return render(step, body, model.rules, { cached: cachedPrefixes, issued, signingKey, minCacheTokens: options.minCacheTokens ?? model.rules.cacheMinTokens });
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const delay = typeof options.latencyMs === "function" ? options.latencyMs() : (options.latencyMs ?? 0);
    answer(req)
      .then(async (result) => {
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        if (res.destroyed) return;
        res.writeHead(result.status, { "content-type": "application/json", "x-amzn-requestid": randomUUID(), ...result.headers });
        res.end(JSON.stringify(result.body));
      })
      .catch((err: unknown) => {
        res.writeHead(500, { "content-type": "application/json", "x-amzn-errortype": "InternalServerException" });
        res.end(JSON.stringify({ message: String(err) }));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(steps) {
      queue.splice(0, queue.length, ...steps);
    },
    enqueue(...steps) {
      queue.push(...steps);
    },
    setResponder(next) {
      responder = next;
    },
    setFault(next) {
      fault = next === undefined ? undefined : { ...next, used: 0 };
    },
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err === undefined ? resolve() : reject(err)));
      }),
  };
}

function loadScenario(scenario: FakeBedrockOptions["scenario"]): FakeBedrockStep[] {
  if (scenario === undefined) return [];
  if (typeof scenario !== "string") return [...scenario];
  return JSON.parse(readFileSync(scenario, "utf8")) as FakeBedrockStep[];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function error(name: BedrockErrorName, message?: string) {
  return {
    status: STATUS[name],
    // The SDK reads the code from this header first (loadRestJsonErrorCode).
    headers: { "x-amzn-errortype": `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
    body: { message: message ?? `fake ${name}` },
  };
}

/** The checks of the real service that hold for every model (the per-model ones: bedrock-rules.ts). */
function validate(body: ConverseBody): string | undefined {
  const messages = body.messages ?? [];
  if (messages.length === 0) return "messages must not be empty";
  if (messages[0]?.role !== "user") return "A conversation must start with a user message.";
  for (let i = 1; i < messages.length; i += 1) {
    if (messages[i]?.role === messages[i - 1]?.role) return "A conversation must alternate between user and assistant roles.";
  }
  const choice = body.toolConfig?.toolChoice;
  if (choice !== undefined && "tool" in choice) {
    const name = (choice.tool as { name?: string }).name;
    const names = (body.toolConfig?.tools ?? []).map((t) => (t.toolSpec as { name?: string } | undefined)?.name);
    if (!names.includes(name)) return `toolChoice names an unknown tool: ${name}`;
  }
  for (let i = 1; i < messages.length; i += 1) {
    const uses = (messages[i - 1]?.content ?? []).flatMap((c) => (c.toolUse === undefined ? [] : [(c.toolUse as { toolUseId: string }).toolUseId]));
    if (uses.length === 0) continue;
    const results = (messages[i]?.content ?? []).flatMap((c) => (c.toolResult === undefined ? [] : [(c.toolResult as { toolUseId: string }).toolUseId]));
    if (uses.some((id) => !results.includes(id))) return "Expected toolResult blocks for every toolUse of the previous turn.";
  }
  const cachePoints = [...(body.system ?? []), ...(body.toolConfig?.tools ?? []), ...messages.flatMap((m) => m.content)].filter((c) => c.cachePoint !== undefined);
  if (cachePoints.length > 4) return "A request may hold at most 4 cache points.";
  return undefined;
}

interface RenderContext {
  cached: Set<string>;
  issued: IssuedMessages;
  signingKey: string;
  minCacheTokens: number;
}

function render(step: FakeBedrockStep, body: ConverseBody, rules: FakeModelRules, ctx: RenderContext) {
  if (step.type === "error") return error(step.error, step.message);
  if (step.type === "raw") return { status: step.status, body: step.body, headers: step.headers ?? {} };
  const content: Record<string, unknown>[] = [];
  if (step.reasoning ?? thinksNow(body, rules)) content.push(reasoningBlock(rules, ctx.signingKey));
  if (step.text !== undefined && step.text !== "") content.push({ text: step.text });
  if (step.type === "tool") {
    const toolName = step.toolName ?? forcedToolName(body) ?? firstToolName(body) ?? "tool";
    content.push({ toolUse: { toolUseId: `tooluse_${randomUUID().replace(/-/g, "").slice(0, 22)}`, name: toolName, input: step.input } });
  }
  remember(ctx.issued, content);
  const stopReason = step.stopReason ?? (step.type === "tool" ? "tool_use" : "end_turn");
  const usage = simulateUsage(body, content, ctx.cached, ctx.minCacheTokens);
  return {
    status: 200,
    headers: {},
    body: { output: { message: { role: "assistant", content } }, stopReason, usage, metrics: { latencyMs: 1 } },
  };
}

/**
 * Whether this answer starts with a thinking block: models that think adaptively always do here;
 * `between_tools` means no up-front thinking, only notes once a tool result is in the conversation
 * (bedrock-models.md §2).
 */
function thinksNow(body: ConverseBody, rules: FakeModelRules): boolean {
  const thinking = thinkingOf(body, rules);
  if (thinking === "disabled") return false;
  if (thinking === "between_tools") return (body.messages ?? []).some((m) => m.content.some((c) => c.toolResult !== undefined));
  return true;
}

function reasoningBlock(rules: FakeModelRules, key: string): Record<string, unknown> {
  const text = rules.reasoningDisplay === "omitted" ? "" : "Weighing the smallest change that makes the failing check pass.";
  const nonce = randomUUID();
  const signature = `${nonce}.${createHmac("sha256", key).update(`${nonce}${text}`).digest("base64url")}`;
  return { reasoningContent: { reasoningText: { text, signature } } };
}

function forcedToolName(body: ConverseBody): string | undefined {
  const choice = body.toolConfig?.toolChoice;
  return choice !== undefined && "tool" in choice ? (choice.tool as { name?: string }).name : undefined;
}

function firstToolName(body: ConverseBody): string | undefined {
  const spec = (body.toolConfig?.tools ?? []).find((t) => t.toolSpec !== undefined)?.toolSpec as { name?: string } | undefined;
  return spec?.name;
}

/**
 * Token counts as chars/4 of the JSON of each part. Caching follows Bedrock's prefix order
 * tools -> system -> messages: at each cache point whose prefix is long enough, a prefix seen
 * before is read from cache, a new one is written (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html).
 */
function simulateUsage(body: ConverseBody, output: unknown, cached: Set<string>, minCacheTokens: number) {
  const parts = [...(body.toolConfig?.tools ?? []), ...(body.system ?? []), ...(body.messages ?? []).flatMap((m) => m.content)];
  const hash = createHash("sha256");
  let tokens = 0;
  let readUpTo = 0;
  let writeUpTo = 0;
  for (const part of parts) {
    if (part.cachePoint === undefined) {
      const json = JSON.stringify(part);
      hash.update(json);
      tokens += Math.ceil(json.length / 4);
      continue;
    }
    if (tokens < minCacheTokens) continue;
    const key = hash.copy().digest("hex");
    if (cached.has(key)) readUpTo = tokens;
    else {
      cached.add(key);
      writeUpTo = tokens;
    }
  }
  const cacheRead = readUpTo;
  const cacheWrite = Math.max(0, writeUpTo - readUpTo);
  const inputTokens = Math.max(1, tokens - cacheRead - cacheWrite);
  const outputTokens = Math.max(1, Math.ceil((JSON.stringify(output) ?? "").length / 4));
  return {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens + cacheRead + cacheWrite,
    cacheReadInputTokens: cacheRead,
    cacheWriteInputTokens: cacheWrite,
  };
}

/** What a responder usually needs from a TerraFix request: the job prompt and its target block. */
export interface FakePromptView {
  /** The first user turn's text (the job prompt). */
  prompt: string;
  /** How many tool results the conversation holds (0 on the first round). */
  round: number;
  /** The last tool result's text (the gate failures fed back), if any. */
  feedback?: string;
  target?: { address: string; file: string; code: string };
}

/** Reads a TerraFix Converse request, for responders in the demo and benchmarks. */
export function readPrompt(request: FakeBedrockRequest): FakePromptView {
  const messages = request.body.messages ?? [];
  const first = messages[0]?.content.find((c) => typeof c.text === "string");
  const prompt = typeof first?.text === "string" ? first.text : "";
  const results = messages.flatMap((m) => m.content.flatMap((c) => (c.toolResult === undefined ? [] : [c.toolResult as { content?: { text?: string }[] }])));
  const feedback = results.at(-1)?.content?.[0]?.text;
  const match = /<target_block>\n<untrusted_data [^>]*file="([^"]*)" address="([^"]*)"[^>]*>\n(`{3,})hcl\n([\s\S]*?)\n\3\n<\/untrusted_data>/.exec(prompt);
  return {
    prompt,
    round: results.length,
    ...(feedback === undefined ? {} : { feedback }),
    ...(match === null ? {} : { target: { file: match[1] ?? "", address: match[2] ?? "", code: match[4] ?? "" } }),
  };
}
