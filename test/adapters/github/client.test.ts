import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../../fakes/github-server.js";
import { createGitHubClient } from "../../../src/adapters/github/client.js";
import { translateGitHubError } from "../../../src/adapters/github/errors.js";
import { createLogger, silentLogger } from "../../../src/observability/logger.js";
import { TerraFixError } from "../../../src/errors.js";
import { publisherFor, request, scmFor, seedRepo } from "./fixtures.js";

let fake: FakeGitHub;

beforeEach(async () => {
  fake = await startFakeGitHub();
  seedRepo(fake);
});
afterEach(async () => {
  await fake.close();
});

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();

describe("GitHub auth", () => {
  it("reads the bot identity from GET /user with a token", async () => {
    const client = createGitHubClient({ apiUrl: fake.url, auth: { token: "ghp_faketoken123" }, logger: silentLogger() });
    expect(await client.identity()).toEqual({ kind: "user", login: "terrafix-bot", name: "terrafix-bot", email: "1001+terrafix-bot@users.noreply.github.com" });
  });

  it("publishes as a GitHub App installation: JWT for /app, installation token for the rest", async () => {
    const appAuth = { appId: 4242, privateKey, installationId: 77 };
    const scm = scmFor(fake, { auth: appAuth });
    const publisher = publisherFor(fake, { scm: { auth: appAuth } });

    // The bot user has its own id (GET /users/terrafix[bot]), not the App id.
    expect(await scm.identity()).toEqual({ kind: "app", login: "terrafix[bot]", name: "terrafix[bot]", email: `${fake.botUserId}+terrafix[bot]@users.noreply.github.com` });
    const outcome = await publisher.publish(request());

    expect(outcome.type).toBe("pr-opened");
    const pull = fake.pulls("acme", "infra")[0]!;
    expect(pull.user).toBe("terrafix[bot]");
    const tip = fake.state.store.commit(fake.repo("acme", "infra").refs.get(pull.head)!);
    // No custom author or committer: GitHub attributes the commit to the bot and signs it.
    expect(tip.author).toMatchObject({ name: "terrafix[bot]", email: `${fake.botUserId}+terrafix[bot]@users.noreply.github.com` });
    expect(fake.state.verified.has(fake.repo("acme", "infra").refs.get(pull.head)!)).toBe(true);
    const callers = fake.state.requests;
    expect(callers.some((r) => r.method === "POST" && r.path === "/app/installations/77/access_tokens" && r.caller === "app")).toBe(true);
    expect(callers.filter((r) => r.path.startsWith("/repos/")).every((r) => r.caller === "terrafix[bot]")).toBe(true);
    expect(callers.some((r) => r.path === "/user")).toBe(false);
    // git clones use the same installation token (never the JWT or the key).
    const token = await scm.gitToken();
    expect(fake.state.installationTokens.get(token)?.installationId).toBe("77");
    expect(await scmFor(fake, { auth: { token: "ghp_faketoken123" } }).gitToken()).toBe("ghp_faketoken123");
  });

  it("refuses GET /user with an installation token, as GitHub does", async () => {
    const client = createGitHubClient({ apiUrl: fake.url, auth: { appId: 4242, privateKey, installationId: 77 }, logger: silentLogger() });
    const error = await client.octokit.rest.users.getAuthenticated().catch((e: unknown) => e);
    expect(translateGitHubError(error)).toMatchObject({ kind: "config", status: 403 });
  });
});

describe("rate limits", () => {
  it("waits out a primary limit until x-ratelimit-reset and then succeeds", async () => {
    fake.setFault({ method: "GET", path: "/repos/acme/infra", type: "primary", resetIn: 1 });
    const client = createGitHubClient({ apiUrl: fake.url, auth: { token: "ghp_faketoken123" }, logger: silentLogger(), throttle: { pacing: false, retryAfterBaseMs: 5 } });

    const { data } = await client.octokit.rest.repos.get({ owner: "acme", repo: "infra" });

    expect(data.default_branch).toBe("main");
    expect(fake.state.requests.filter((r) => r.path === "/repos/acme/infra").map((r) => r.status)).toEqual([403, 200]);
  });

  it("gives up on a long primary limit and reports throttled with the wait", async () => {
    fake.setFault({ method: "GET", path: "/repos/acme/infra", type: "primary", resetIn: 3000 });
    const client = createGitHubClient({ apiUrl: fake.url, auth: { token: "ghp_faketoken123" }, logger: silentLogger(), throttle: { pacing: false, retryAfterBaseMs: 5, maxWaitSeconds: 60 } });

    const error = translateGitHubError(await client.octokit.rest.repos.get({ owner: "acme", repo: "infra" }).catch((e: unknown) => e));

    expect(error).toMatchObject({ kind: "throttled", status: 403 });
    expect(error.retryAfterSeconds).toBeGreaterThan(2900);
  });

  it("stops retrying a persistent secondary limit after the configured retries (429 with retry-after)", async () => {
    fake.setFault({ method: "GET", path: "/repos/acme/infra", type: "secondary", status: 429, retryAfter: 2, times: 10 });
    const client = createGitHubClient({ apiUrl: fake.url, auth: { token: "ghp_faketoken123" }, logger: silentLogger(), throttle: { pacing: false, retryAfterBaseMs: 1, maxRetries: 2 } });

    const error = translateGitHubError(await client.octokit.rest.repos.get({ owner: "acme", repo: "infra" }).catch((e: unknown) => e));

    expect(error).toMatchObject({ kind: "throttled", status: 429, retryAfterSeconds: 2 });
    expect(fake.state.requests.filter((r) => r.path === "/repos/acme/infra")).toHaveLength(3);
  });

  it("enforces the primary limit per token with x-ratelimit-remaining 0", async () => {
    const limited = await startFakeGitHub({ rateLimit: 2 });
    try {
      limited.createRepo("acme", "infra", { "main.tf": "" });
      const client = createGitHubClient({ apiUrl: limited.url, auth: { token: "ghp_faketoken123" }, logger: silentLogger(), throttle: { pacing: false, retryAfterBaseMs: 1, maxWaitSeconds: 5 } });
      await client.octokit.rest.repos.get({ owner: "acme", repo: "infra" });
      const second = await client.octokit.rest.repos.get({ owner: "acme", repo: "infra" });
      expect(second.headers["x-ratelimit-remaining"]).toBe("0");

      const error = translateGitHubError(await client.octokit.rest.repos.get({ owner: "acme", repo: "infra" }).catch((e: unknown) => e));

      expect(error).toMatchObject({ kind: "throttled", status: 403 });
      expect(error.retryAfterSeconds).toBeGreaterThan(3000);
    } finally {
      await limited.close();
    }
  });

  it("sends rate-limit and request-id headers on every answer", async () => {
    const client = createGitHubClient({ apiUrl: fake.url, auth: { token: "ghp_faketoken123" }, logger: silentLogger() });
    const response = await client.octokit.rest.repos.get({ owner: "acme", repo: "infra" });
    expect(response.headers["x-ratelimit-limit"]).toBe("5000");
    expect(response.headers["x-github-request-id"]).toMatch(/^[0-9A-F]{16}$/);
  });
});

describe("translateGitHubError", () => {
  function requestError(status: number, message: string, headers: Record<string, string> = {}): Error {
    return Object.assign(new Error(message), { status, response: { headers, data: { message } }, request: { method: "POST", url: "https://api.github.com/repos/a/b/pulls?x=1" } });
  }

  it.each([
    [403, "API rate limit exceeded", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 30) }, "throttled"],
    [403, "You have exceeded a secondary rate limit", { "retry-after": "7" }, "throttled"],
    [429, "Too Many Requests", {}, "throttled"],
    [500, "Server Error", {}, "transient"],
    [503, "Service Unavailable", {}, "transient"],
    [401, "Bad credentials", {}, "config"],
    [403, "Resource not accessible by integration", {}, "config"],
    [404, "Not Found", {}, "permanent"],
    [409, "Git Repository is empty.", {}, "permanent"],
    [422, "Validation Failed", {}, "permanent"],
  ] as const)("%i %s -> %s", (status, message, headers, kind) => {
    const error = translateGitHubError(requestError(status, message, headers));
    expect(error).toBeInstanceOf(TerraFixError);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.message).toContain("POST https://api.github.com/repos/a/b/pulls");
    expect(error.message).not.toContain("x=1");
  });

  it("keeps a TerraFixError and coerces unknown errors", () => {
    const original = new TerraFixError("x", { kind: "config" });
    expect(translateGitHubError(original)).toBe(original);
    expect(translateGitHubError(Object.assign(new Error("socket"), { code: "ECONNRESET" })).kind).toBe("transient");
    expect(translateGitHubError(requestError(403, "secondary", { "retry-after": "7" })).retryAfterSeconds).toBe(7);
  });
});

describe("GitHub request logs", () => {
  it("logs the expected 404 of a label lookup at debug, not as an error", async () => {
    const lines: { level: number; msg: string; detail?: string }[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string; detail?: string });
        done();
      },
    });
    const logger = createLogger({ level: "debug", destination: stream });
    const publisher = publisherFor(fake, { logger, scm: { logger } });
    expect((await publisher.publish(request())).type).toBe("pr-opened");
    // The labels did not exist: GitHub answered 404 to each lookup, then TerraFix created them.
    expect(lines.some((l) => l.msg === "octokit: not found" && /labels\/terrafix - 404/.test(l.detail ?? ""))).toBe(true);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});
