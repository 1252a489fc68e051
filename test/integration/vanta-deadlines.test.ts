import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { TerraFixError } from "../../src/errors.js";
import { createLogger } from "../../src/observability/logger.js";
import { startFakeVanta, type FakeVanta } from "../fakes/vanta-server.js";
import { FULL, sourceFor, testClock } from "../adapters/vanta/harness.js";

/** Issue 16, attack 5: a slow or endless Vanta must not hang the poll (real client, fake Vanta over HTTP). */
const DEMO = fileURLToPath(new URL("../fakes/scenarios/vanta-demo.json", import.meta.url));

let fake: FakeVanta | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function capture(): { lines: Record<string, unknown>[]; logger: ReturnType<typeof createLogger> } {
  const lines: Record<string, unknown>[] = [];
  const destination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  return { lines, logger: createLogger({ level: "warn", format: "json", destination }) };
}

describe("Vanta deadlines", () => {
  it("a response that drips one byte at a time hits the overall request deadline (the idle timeout never fires)", async () => {
    fake = await startFakeVanta({ scenario: DEMO });
    fake.setFault({ route: "tests", status: 200, dripMs: 50, times: 10 });
    const error = await sourceFor(fake.url, testClock(), { requestTimeoutMs: 400, maxAttempts: 1 })
      .poll(FULL)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TerraFixError);
    expect((error as TerraFixError).message).toMatch(/^Vanta GET \/v1\/tests did not finish within its 400 ms deadline \(VANTA_REQUEST_TIMEOUT_SECONDS\)/);
    expect((error as TerraFixError).kind).toBe("transient");
  });

  it("the token request has the same deadline", async () => {
    fake = await startFakeVanta({ scenario: DEMO });
    fake.setFault({ route: "token", status: 200, dripMs: 50 });
    const error = await sourceFor(fake.url, testClock(), { requestTimeoutMs: 300, maxAttempts: 1 })
      .poll(FULL)
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/oauth\/token.*deadline/);
  });

  it("the poll takes the daemon's abort signal and stops mid-request", async () => {
    fake = await startFakeVanta({ scenario: DEMO });
    fake.setFault({ route: "tests", status: 200, dripMs: 50 });
    const controller = new AbortController();
    fake.onRequest((record) => {
      if (record.route === "tests") setImmediate(() => controller.abort());
    });
    const error = await sourceFor(fake.url, testClock(), { requestTimeoutMs: 600_000, maxAttempts: 3 })
      .poll(FULL, controller.signal)
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe("the Vanta poll was stopped (shutdown)");
    // Not retried: one request to /v1/tests.
    expect(fake.stats.requests.tests).toBe(1);
  });

  it("endless pagination stops at the poll's page budget, with a warning that says so", async () => {
    fake = await startFakeVanta({ scenario: DEMO });
    fake.setFault({ route: "tests", status: 200, endless: true, times: 1_000 });
    const { lines, logger } = capture();
    const error = await sourceFor(fake.url, testClock(), { pollMaxPages: 25, logger })
      .poll(FULL)
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/pagination budget of 25 pages \(VANTA_POLL_MAX_PAGES\) is spent after 25 page/);
    expect(fake.stats.requests.tests).toBe(25);
    expect(lines.find((l) => l["msg"] === "Vanta pagination budget hit; poll stopped")).toMatchObject({ pages: 25, maxPages: 25 });
  });

  it("endless pagination also stops at the poll's time budget (on the client's clock)", async () => {
    fake = await startFakeVanta({ scenario: DEMO });
    fake.setFault({ route: "tests", status: 200, endless: true, times: 1_000 });
    const clock = testClock();
    // Every page costs a minute of the virtual clock: the limiter's sleep advances it.
    const { lines, logger } = capture();
    const source = sourceFor(fake.url, clock, { pollMaxSeconds: 600, requestsPerMinute: 1, logger });
    const error = await source.poll(FULL).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/pagination budget of 600 s \(VANTA_POLL_MAX_SECONDS\)/);
    expect(fake.stats.requests.tests).toBeLessThanOrEqual(12);
    expect(lines.some((l) => l["msg"] === "Vanta pagination budget hit; poll stopped")).toBe(true);
  });
});
