import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { encodeCursor, loadScenario, relayPage, wireEntity, wireResource, wireTest, type ScenarioItem, type ScenarioResource, type ScenarioTest, type VantaScenario } from "./vanta-scenario.js";

export { encodeCursor } from "./vanta-scenario.js";
export type { ScenarioTest, ScenarioResource, VantaScenario } from "./vanta-scenario.js";

/**
 * A wire-faithful fake of the Vanta API parts TerraFix reads (shared/reference/vanta-api.md):
 * OAuth client credentials with ONE live token (minting revokes the previous one -> 401),
 * `/oauth/token` limited to 5 a minute, optional per-minute API limit answered with 429, Relay
 * pagination with base64 `arrayconnection:N` cursors, closed schemas with every field present,
 * and fault injection (status codes, non-JSON bodies, latency, revocation, malformed items).
 */
export type VantaRoute = "token" | "tests" | "test" | "entities" | "resources" | "other";

export interface FakeVantaOptions {
  scenario?: VantaScenario | string;
  port?: number;
  host?: string;
  /** Default 5 (Vanta's documented limit). */
  tokenLimitPerMinute?: number;
  /** Default unlimited; Vanta publishes 50-100 a minute. */
  apiLimitPerMinute?: number;
  /** Retry-After (seconds) sent with limit 429s; default none, as Vanta documents none. */
  retryAfterSeconds?: number;
  /** Default 3599, as Vanta answers. */
  tokenLifetimeSeconds?: number;
  latencyMs?: number;
  /** Serve at most this many items a page whatever pageSize asks (short pages). */
  maxItemsPerPage?: number;
  /** The server's clock, for token expiry and limit windows. */
  now?: () => number;
}

export interface FaultSpec {
  /** Which route fails; default any route. */
  route?: VantaRoute | "any";
  /** HTTP status to answer; ignored when `reset` is set. */
  status: number;
  /** Drop the connection without answering (ECONNRESET on the client). */
  reset?: boolean;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /**
   * Slow loris: answer `status` headers at once, then one byte of body (JSON whitespace) every
   * `dripMs`, never finishing, until the client gives up. A per-byte idle timeout never fires.
   */
  dripMs?: number;
  /** Endless pagination: an empty page that says hasNextPage with a fresh endCursor every time. */
  endless?: boolean;
  /** How many requests get this fault; default 1. */
  times?: number;
}

export interface RequestRecord {
  route: VantaRoute;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface FakeVantaStats {
  requests: Record<VantaRoute, number>;
  tokensMinted: number;
  unauthorized: number;
  throttled: number;
  log: RequestRecord[];
}

export interface FakeVanta {
  url: string;
  stats: FakeVantaStats;
  close(): Promise<void>;
  setFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Revokes the live token (as if another process minted one): the next API call gets 401. */
  revokeTokens(): void;
  setLatency(ms: number): void;
  setTests(tests: ScenarioTest[]): void;
  updateTest(id: string, patch: Partial<ScenarioTest>): void;
  setEntities(testId: string, entities: ScenarioItem[]): void;
  setResources(resources: ScenarioResource[]): void;
  /** Called for every request before it is answered (e.g. revoke the token mid-poll). */
  onRequest(hook: ((record: Omit<RequestRecord, "status">) => void) | undefined): void;
}

const MINUTE = 60_000;
const STATUS_VALUES = new Set(["OK", "DEACTIVATED", "NEEDS_ATTENTION", "IN_PROGRESS", "INVALID", "NOT_APPLICABLE"]);

export async function startFakeVanta(options: FakeVantaOptions = {}): Promise<FakeVanta> {
  const scenario = loadScenario(options.scenario);
  let tests: ScenarioTest[] = scenario.tests;
  let resources: ScenarioResource[] = scenario.resources ?? [];
  const now = options.now ?? Date.now;
  let latencyMs = options.latencyMs ?? 0;
  let faults: (FaultSpec & { left: number })[] = [];
  let endlessPage = 0;
  let live: { token: string; expiresAt: number } | undefined;
  let hook: ((record: Omit<RequestRecord, "status">) => void) | undefined;
  const windows = { token: [] as number[], api: [] as number[] };
  const stats: FakeVantaStats = {
    requests: { token: 0, tests: 0, test: 0, entities: 0, resources: 0, other: 0 },
    tokensMinted: 0,
    unauthorized: 0,
    throttled: 0,
    log: [],
  };

  function overLimit(window: number[], limit: number | undefined): boolean {
    if (limit === undefined) return false;
    const at = now();
    while (window.length > 0 && (window[0] ?? 0) <= at - MINUTE) window.shift();
    if (window.length >= limit) return true;
    window.push(at);
    return false;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const query = Object.fromEntries(url.searchParams);
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const route = routeOf(req.method ?? "GET", parts);
    stats.requests[route] += 1;
    const record = { route, method: req.method ?? "GET", path: url.pathname, query };
    const body = req.method === "POST" ? await readBody(req) : "";
    hook?.(record);
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}, contentType = "application/json"): void => {
      stats.log.push({ ...record, status });
      if (status === 401) stats.unauthorized += 1;
      if (status === 429) stats.throttled += 1;
      res.writeHead(status, { "content-type": contentType, ...headers });
      res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
    };

    const fault = faults.find((f) => f.left > 0 && (f.route === undefined || f.route === "any" || f.route === route));
    if (fault !== undefined) {
      fault.left -= 1;
      faults = faults.filter((f) => f.left > 0);
      if (fault.reset === true) {
        stats.log.push({ ...record, status: 0 });
        req.socket.destroy();
        return;
      }
      if (fault.dripMs !== undefined) {
        stats.log.push({ ...record, status: fault.status });
        res.writeHead(fault.status, { "content-type": "application/json" });
        res.write(" ");
        const timer = setInterval(() => res.write(" "), fault.dripMs);
        res.on("close", () => clearInterval(timer));
        return;
      }
      if (fault.endless === true) {
        endlessPage += 1;
        const cursor = encodeCursor(1_000_000 + endlessPage);
        send(fault.status, { results: { data: [], pageInfo: { startCursor: cursor, endCursor: cursor, hasNextPage: true, hasPreviousPage: endlessPage > 1 } } });
        return;
      }
      send(fault.status, fault.body ?? JSON.stringify({ error: "injected fault" }), fault.headers, fault.contentType);
      return;
    }
    const limited = { ...(options.retryAfterSeconds === undefined ? {} : { "retry-after": String(options.retryAfterSeconds) }) };
    if (route === "token") {
      if (overLimit(windows.token, options.tokenLimitPerMinute ?? 5)) return send(429, { error: "rate limit exceeded" }, limited);
      return mint(body, send);
    }
    if (route !== "other" && overLimit(windows.api, options.apiLimitPerMinute)) return send(429, { error: "rate limit exceeded" }, limited);
    const auth = req.headers.authorization ?? "";
    if (live === undefined || auth !== `Bearer ${live.token}` || now() >= live.expiresAt) return send(401, { error: "unauthorized" });
    switch (route) {
      case "tests": {
        if (query.statusFilter !== undefined && !STATUS_VALUES.has(query.statusFilter)) return send(400, { error: "invalid statusFilter" });
        const selected = tests.filter(
          (t) =>
            (query.statusFilter === undefined || (wireTest(t).status ?? "NEEDS_ATTENTION") === query.statusFilter) &&
            (query.frameworkFilter === undefined || (t.frameworks ?? ["soc2"]).includes(query.frameworkFilter)) &&
            (query.integrationFilter === undefined || asStrings(wireTest(t).integrations).includes(query.integrationFilter)),
        );
        return page(selected.map(wireTest), query, send);
      }
      case "test": {
        const test = tests.find((t) => t.id === parts[2]);
        return test === undefined ? send(404, { error: "test not found" }) : send(200, wireTest(test));
      }
      case "entities": {
        const test = tests.find((t) => t.id === parts[2]);
        if (test === undefined) return send(404, { error: "test not found" });
        const status = query.entityStatus ?? "FAILING";
        if (status !== "FAILING" && status !== "DEACTIVATED") return send(400, { error: "invalid entityStatus" });
        const entities = (test.entities ?? []).map((e) => wireEntity(test.id, e)).filter((e) => e.entityStatus === status || e.entityStatus === undefined);
        return page(entities, query, send);
      }
      case "resources": {
        const selected = resources.filter((r) => (r.integrationId ?? "aws") === parts[2] && r.resourceKind === parts[4]);
        return page(selected.map(wireResource), query, send);
      }
      case "other":
        return send(404, { error: "not found" });
    }
  }

  function mint(body: string, send: (status: number, payload: unknown) => void): void {
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return send(400, { error: "invalid_request" });
    }
    if (request.grant_type !== "client_credentials") return send(400, { error: "unsupported_grant_type" });
    const expected = scenario.credentials;
    const ok =
      typeof request.client_id === "string" &&
      typeof request.client_secret === "string" &&
      request.client_id !== "" &&
      request.client_secret !== "" &&
      (expected === undefined || (request.client_id === expected.clientId && request.client_secret === expected.clientSecret));
    if (!ok) return send(401, { error: "invalid_client" });
    const lifetime = options.tokenLifetimeSeconds ?? 3599;
    // One live token per application: this one revokes the previous token.
    live = { token: `vat_${randomBytes(16).toString("hex")}`, expiresAt: now() + lifetime * 1000 };
    stats.tokensMinted += 1;
    send(200, { access_token: live.token, expires_in: lifetime, token_type: "Bearer" });
  }

  function page(items: ScenarioItem[], query: Record<string, string>, send: (status: number, payload: unknown) => void): void {
    const answer = relayPage(items, query, options.maxItemsPerPage);
    send(answer.status, answer.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
    setFault: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    clearFaults: () => {
      faults = [];
    },
    revokeTokens: () => {
      live = undefined;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setTests: (next) => {
      tests = structuredClone(next);
    },
    updateTest: (id, patch) => {
      tests = tests.map((t) => (t.id === id ? { ...t, ...structuredClone(patch), id } : t));
    },
    setEntities: (testId, entities) => {
      tests = tests.map((t) => (t.id === testId ? { ...t, entities: structuredClone(entities) } : t));
    },
    setResources: (next) => {
      resources = structuredClone(next);
    },
    onRequest: (next) => {
      hook = next;
    },
  };
}

function routeOf(method: string, parts: string[]): VantaRoute {
  if (method === "POST" && parts.length === 2 && parts[0] === "oauth" && parts[1] === "token") return "token";
  if (method !== "GET" || parts[0] !== "v1") return "other";
  if (parts[1] === "tests" && parts.length === 2) return "tests";
  if (parts[1] === "tests" && parts.length === 3) return "test";
  if (parts[1] === "tests" && parts.length === 4 && parts[3] === "entities") return "entities";
  if (parts[1] === "integrations" && parts.length === 6 && parts[3] === "resource-kinds" && parts[5] === "resources") return "resources";
  return "other";
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** `npx tsx test/fakes/vanta-server.ts --scenario FILE --port N [--api-limit N] [--retry-after S]` */
export async function main(argv: string[] = process.argv.slice(2)): Promise<FakeVanta> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string): number | undefined => (arg(name) === undefined ? undefined : Number(arg(name)));
  const opts: FakeVantaOptions = {};
  const scenario = arg("scenario");
  if (scenario !== undefined) opts.scenario = scenario;
  for (const [flag, key] of [["port", "port"], ["api-limit", "apiLimitPerMinute"], ["token-limit", "tokenLimitPerMinute"], ["retry-after", "retryAfterSeconds"], ["latency", "latencyMs"]] as const) {
    const value = num(flag);
    if (value !== undefined) opts[key] = value;
  }
  const fake = await startFakeVanta(opts);
  process.stdout.write(`${fake.url}\n`);
  const stop = (): void => {
    void fake.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return fake;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`fake Vanta failed to start: ${String(error)}\n`);
    process.exitCode = 1;
  });
}
