import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGitWorkspace, type GitWorkspaceOptions } from "../../../src/adapters/git/workspace.js";
import { TerraFixError } from "../../../src/errors.js";
import { SecretRegistry } from "../../../src/observability/secrets.js";
import { capturingLogger, tempRoot } from "./remote-fixture.js";

const TOKEN = "ghs_TopSecretToken1234567890";
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");

let root: string;
let cleanup: () => void;
const closers: (() => Promise<void>)[] = [];

beforeEach(() => {
  ({ root, cleanup } = tempRoot());
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  cleanup();
});

function workspace(overrides: Partial<GitWorkspaceOptions>) {
  // Neither the logger nor the workspace scrub through a shared registry here: a token that
  // reached a log line would show up in `lines` as is.
  const log = capturingLogger(new SecretRegistry());
  const ws = createGitWorkspace({
    cacheDir: join(root, "cache"),
    urlTemplate: "https://127.0.0.1:1/{owner}/{repo}.git",
    token: TOKEN,
    timeoutMs: 30_000,
    maxCacheBytes: 1_000_000_000,
    logger: log.logger,
    secrets: new SecretRegistry(),
    ...overrides,
  });
  return { ws, log };
}

async function rejection(promise: Promise<unknown>): Promise<TerraFixError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TerraFixError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

function expectNoSecret(error: TerraFixError, lines: string[]): void {
  const everything = [error.message, String(error.stack), String((error.cause as Error | undefined)?.message), JSON.stringify(error), ...lines].join("\n");
  expect(everything).not.toContain(TOKEN);
  expect(everything).not.toContain(BASIC);
}

async function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("git workspace credentials", () => {
  it("keeps the token out of errors and logs when the remote is unreachable", async () => {
    const { ws, log } = workspace({});

    const error = await rejection(ws.acquire({ owner: "acme", name: "infra" }));

    expect(error.kind).toBe("transient");
    expect(error.message).toMatch(/git clone of acme\/infra failed/);
    expect(log.messages()).toContain("repository sync failed");
    expectNoSecret(error, log.lines);
  });

  it("sends the token as a basic auth header to the template's host only, and reports 404 as not found", async () => {
    const seen: { url: string | undefined; authorization: string | undefined }[] = [];
    const base = await httpServer((req, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization });
      res.writeHead(404, { "content-type": "text/plain" }).end("Repository not found.");
    });
    const { ws, log } = workspace({ urlTemplate: `${base}/{owner}/{repo}.git` });

    const error = await rejection(ws.acquire({ owner: "acme", name: "gone" }));

    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]!.url).toMatch(/^\/acme\/gone\.git\/info\/refs/);
    expect(seen[0]!.authorization).toBe(`Basic ${BASIC}`);
    expect(error.kind).toBe("permanent");
    expect(error.message).toMatch(/repository acme\/gone not found/);
    expectNoSecret(error, log.lines);
  });

  it("asks the token provider for the current token", async () => {
    let calls = 0;
    const seen: (string | undefined)[] = [];
    const base = await httpServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(404).end();
    });
    const { ws } = workspace({
      urlTemplate: `${base}/{owner}/{repo}.git`,
      token: () => {
        calls += 1;
        return Promise.resolve(TOKEN);
      },
    });

    await rejection(ws.acquire({ owner: "acme", name: "gone" }));

    expect(calls).toBe(1);
    expect(seen[0]).toBe(`Basic ${BASIC}`);
  });

  it.each([
    [401, "config"],
    [403, "config"],
    [500, "transient"],
    [503, "transient"],
  ])("classifies an HTTP %i answer as %s", async (status, kind) => {
    const base = await httpServer((_req, res) => {
      res.writeHead(status, status === 401 ? { "www-authenticate": 'Basic realm="git"' } : {}).end();
    });
    const { ws, log } = workspace({ urlTemplate: `${base}/{owner}/{repo}.git` });

    const error = await rejection(ws.acquire({ owner: "acme", name: "infra" }));

    expect(error.kind).toBe(kind);
    expectNoSecret(error, log.lines);
  });

  it("times out a remote that never answers", async () => {
    const sockets = new Set<Socket>();
    const server: TcpServer = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(
      () =>
        new Promise((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const { ws, log } = workspace({ urlTemplate: `http://127.0.0.1:${port}/{owner}/{repo}.git`, timeoutMs: 500 });

    const error = await rejection(ws.acquire({ owner: "acme", name: "infra" }));

    expect(error.kind).toBe("transient");
    expect(error.message).toMatch(/timed out after/);
    expectNoSecret(error, log.lines);
  });
});
