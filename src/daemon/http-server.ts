import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { StateStore } from "../ports/state-store.js";

export interface HealthServerOptions {
  port: number;
  host?: string;
  store: StateStore;
  registry: Registry;
  /** /readyz fails when the last successful poll (by any replica) is older than this. */
  maxPollAgeMs: number;
  /** Grace after start before a missing poll makes the replica unready. */
  startupGraceMs: number;
  now?: () => Date;
  /** The start-up model check (composition/model-check.ts): reported, and a failed one makes the replica unready. */
  model?: () => { status: string; modelId?: string; detail: string };
}

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

/**
 * /healthz: the process is alive (for the container HEALTHCHECK and ECS).
 * /readyz: the state store answers, the last successful poll is recent, and the start-up model
 *   check did not fail (its result is in the answer as `model`).
 * /metrics: Prometheus text format.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const now = options.now ?? (() => new Date());
  const started = now().getTime();
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown, type = "application/json"): void => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") return send(405, { error: "method not allowed" });
    if (path === "/healthz") return send(200, { status: "ok" });
    if (path === "/metrics") {
      options.registry
        .metrics()
        .then((text) => send(200, text, options.registry.contentType))
        .catch((error: unknown) => send(500, { error: String(error) }));
      return;
    }
    if (path === "/readyz") {
      readiness(options, now(), started)
        .then((r) => withModel(r, options.model?.()))
        .then((r) => send(r.ready ? 200 : 503, r))
        .catch((error: unknown) => send(503, { ready: false, reason: `state store: ${String(error)}` }));
      return;
    }
    return send(404, { error: "not found" });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function withModel<R extends { ready: boolean; reason: string }>(r: R, model: { status: string; modelId?: string; detail: string } | undefined) {
  if (model === undefined) return r;
  if (model.status === "failed") return { ...r, ready: false, reason: r.ready ? `model check failed: ${model.detail}` : r.reason, model };
  return { ...r, model };
}

async function readiness(
  options: HealthServerOptions,
  now: Date,
  started: number,
): Promise<{ ready: boolean; reason: string; lastSuccessfulPollAt: string | null }> {
  await options.store.ping();
  const state = await options.store.getPollState();
  const last = state.lastSuccessfulPollAt;
  const lastText = last?.toISOString() ?? null;
  if (last === null) {
    const inGrace = now.getTime() - started < options.startupGraceMs;
    return { ready: inGrace, reason: inGrace ? "starting: no poll yet" : "no successful poll yet", lastSuccessfulPollAt: null };
  }
  const age = now.getTime() - last.getTime();
  return age <= options.maxPollAgeMs
    ? { ready: true, reason: "ok", lastSuccessfulPollAt: lastText }
    : { ready: false, reason: `last successful poll ${Math.round(age / 1000)} s ago`, lastSuccessfulPollAt: lastText };
}
