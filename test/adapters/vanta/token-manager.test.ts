import { afterEach, describe, expect, it } from "vitest";
import { TokenManager, sharedTokenManager } from "../../../src/adapters/vanta/token-manager.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { startFakeVanta, type FakeVanta } from "../../fakes/vanta-server.js";
import { CREDENTIALS, FAST_RETRY, testClock, type TestClock } from "./harness.js";

let fake: FakeVanta | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(clock: TestClock, overrides: Partial<ConstructorParameters<typeof TokenManager>[0]> = {}) {
  fake = await startFakeVanta({ scenario: { credentials: CREDENTIALS, tests: [] }, now: clock.now });
  const manager = new TokenManager({
    apiUrl: fake.url,
    ...CREDENTIALS,
    logger: silentLogger(),
    retry: { ...FAST_RETRY, maxAttempts: 3 },
    now: clock.now,
    sleep: clock.sleep,
    ...overrides,
  });
  return { server: fake, manager };
}

describe("TokenManager against the fake Vanta server", () => {
  it("mints once for concurrent callers and reuses the token", async () => {
    const { server, manager } = await setup(testClock());

    const tokens = await Promise.all([manager.get(), manager.get(), manager.get()]);
    const again = await manager.get();

    expect(new Set([...tokens, again]).size).toBe(1);
    expect(server.stats.tokensMinted).toBe(1);
    expect(manager.minted).toBe(1);
  });

  it("refreshes 60 s before expiry, not earlier", async () => {
    const clock = testClock();
    const { server, manager } = await setup(clock);
    const first = await manager.get();

    clock.t += (3599 - 61) * 1000;
    expect(await manager.get()).toBe(first);
    clock.t += 2000; // now 59 s before expiry
    const second = await manager.get();

    expect(second).not.toBe(first);
    expect(server.stats.tokensMinted).toBe(2);
  });

  it("forgets only the token that was rejected", async () => {
    const { server, manager } = await setup(testClock());
    const first = await manager.get();
    manager.invalidate("some-older-token");
    expect(await manager.get()).toBe(first);

    manager.invalidate(first);
    const second = await manager.get();

    expect(second).not.toBe(first);
    expect(server.stats.tokensMinted).toBe(2);
  });

  it("never sends more than 5 token requests a minute: the 6th waits for the window", async () => {
    const clock = testClock();
    const { server, manager } = await setup(clock);
    for (let i = 0; i < 6; i++) manager.invalidate(await manager.get());

    expect(server.stats.tokensMinted).toBe(6);
    expect(server.stats.throttled).toBe(0);
    expect(clock.waits).toHaveLength(1);
    expect(clock.waits[0]).toBeGreaterThan(59_000);
  });

  it("fails throttled instead of waiting past maxLimiterWaitMs", async () => {
    const { manager } = await setup(testClock(), { maxLimiterWaitMs: 1000 });
    for (let i = 0; i < 5; i++) manager.invalidate(await manager.get());

    await expect(manager.get()).rejects.toMatchObject({ kind: "throttled", message: expect.stringMatching(/token endpoint limit of 5/) });
  });

  it("reports wrong credentials as a config error without the secret", async () => {
    const { manager } = await setup(testClock(), { clientSecret: "wrong-secret-value" });

    const error = await manager.get().catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: "config", status: 401, stage: "poll" });
    expect((error as Error).message).toMatch(/VANTA_CLIENT_ID and VANTA_CLIENT_SECRET/);
    expect((error as Error).message).not.toContain("wrong-secret-value");
  });

  it("does not retry a 429 from the token endpoint, and scrubs an echoed secret", async () => {
    const { server, manager } = await setup(testClock());
    server.setFault({ route: "token", status: 429, body: `slow down ${CREDENTIALS.clientSecret}`, times: 5 });

    const error = await manager.get().catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: "throttled", status: 429 });
    expect((error as Error).message).not.toContain(CREDENTIALS.clientSecret);
    expect((error as Error).message).toContain("[REDACTED]");
    expect(server.stats.requests.token).toBe(1);
  });

  it("retries a 5xx from the token endpoint", async () => {
    const { server, manager } = await setup(testClock());
    server.setFault({ route: "token", status: 503 });

    await expect(manager.get()).resolves.toMatch(/^vat_/);
    expect(server.stats.requests.token).toBe(2);
  });

  it("rejects a 2xx answer without an access token", async () => {
    const { server, manager } = await setup(testClock());
    server.setFault({ route: "token", status: 200, body: JSON.stringify({ token_type: "Bearer" }) });

    await expect(manager.get()).rejects.toMatchObject({ kind: "transient", message: expect.stringMatching(/without a usable access_token/) });
  });

  it("shares one manager per API URL and client id in the process", () => {
    const options = { apiUrl: "http://127.0.0.1:1", ...CREDENTIALS, logger: silentLogger(), retry: { ...FAST_RETRY, maxAttempts: 1 } };
    const a = sharedTokenManager(options);
    const b = sharedTokenManager({ ...options, apiUrl: "http://127.0.0.1:1/" });
    const c = sharedTokenManager({ ...options, clientId: "other-app" });

    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });
});
