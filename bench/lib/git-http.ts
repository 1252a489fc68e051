import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * Serves the fake GitHub's bare repositories over git's smart HTTP protocol through
 * `git http-backend` (https://git-scm.com/docs/git-http-backend), so the benchmarks clone over
 * HTTP with the auth header like production does, and can add latency (clone time growing with
 * the repository's size) and faults (git timeouts) per request.
 */
export interface GitHttpRequest {
  method: string;
  /** `/owner/repo.git/info/refs` or `/owner/repo.git/git-upload-pack`. */
  path: string;
  owner: string;
  repo: string;
  /** refs: the advertisement (GET info/refs or protocol v2 ls-refs); fetch: the objects. */
  kind: "refs" | "fetch" | "other";
}

export type GitHttpFault = "hang" | "500" | undefined;

export interface GitHttpOptions {
  /** Folder holding `<owner>/<repo>.git`. */
  root: string;
  /** Delay before answering, in ms. */
  latencyMs?: (request: GitHttpRequest) => number;
  /** A fault to inject for this request. "hang" never answers (the client's timeout fires). */
  fault?: (request: GitHttpRequest) => GitHttpFault;
}

export interface GitHttpServer {
  /** `http://127.0.0.1:PORT/{owner}/{repo}.git` */
  urlTemplate: string;
  requests: (GitHttpRequest & { status: number; authorized: boolean })[];
  close(): Promise<void>;
}

export async function startGitHttpServer(options: GitHttpOptions): Promise<GitHttpServer> {
  const requests: GitHttpServer["requests"] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const match = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname);
    const body = await readBody(req);
    // Protocol v2 sends ls-refs and fetch to the same endpoint; the command is in the body.
    const kind =
      match?.[3] === "/info/refs" ? "refs" : match?.[3] === "/git-upload-pack" ? (isLsRefs(body) ? "refs" : "fetch") : "other";
    const request: GitHttpRequest = { method: req.method ?? "GET", path: url.pathname, owner: match?.[1] ?? "", repo: match?.[2] ?? "", kind };
    const record = { ...request, status: 0, authorized: (req.headers.authorization ?? "").startsWith("Basic ") };
    requests.push(record);
    const delay = options.latencyMs?.(request) ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const fault = options.fault?.(request);
    if (fault === "hang") {
      record.status = -1;
      return; // never answer; the client gives up
    }
    if (fault === "500" || match === null || kind === "other") {
      record.status = fault === "500" ? 500 : 404;
      res.writeHead(record.status).end();
      return;
    }
    const child = spawn("git", ["http-backend"], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        GIT_PROJECT_ROOT: options.root,
        GIT_HTTP_EXPORT_ALL: "1",
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.replace(/^\?/, ""),
        REQUEST_METHOD: request.method,
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        ...(req.headers["content-encoding"] === undefined ? {} : { HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"]) }),
        ...(req.headers["git-protocol"] === undefined ? {} : { GIT_PROTOCOL: String(req.headers["git-protocol"]) }),
        REMOTE_ADDR: "127.0.0.1",
      },
      stdio: ["pipe", "pipe", "ignore"],
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(body);
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString("utf8").split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      record.status = status;
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    child.on("close", () => {
      if (!headersDone) {
        record.status = 502;
        res.writeHead(502).end();
      } else res.end();
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    urlTemplate: `http://127.0.0.1:${port}/{owner}/{repo}.git`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function isLsRefs(body: Buffer): boolean {
  // A gzip-encoded body is a v0 fetch negotiation (the client compresses large requests only).
  return body.subarray(0, 64).toString("latin1").includes("command=ls-refs");
}
