import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createVantaSource } from "../../src/adapters/vanta/source.js";
import { TerraFixError } from "../../src/errors.js";
import { silentLogger } from "../../src/observability/logger.js";
import { startFakeVanta, type FakeVanta, type FakeVantaOptions } from "../fakes/vanta-server.js";
import { FULL, manyTests, sourceFor, testClock } from "../adapters/vanta/harness.js";

const DEMO = fileURLToPath(new URL("../fakes/scenarios/vanta-demo.json", import.meta.url));

let fake: FakeVanta | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: FakeVantaOptions = {}): Promise<FakeVanta> {
  fake = await startFakeVanta({ scenario: DEMO, ...options });
  return fake;
}

describe("Vanta source against the fake Vanta server", () => {
  it("reads the demo scenario: failing tests only, entities mapped to failures", async () => {
    const server = await start();
    const result = await sourceFor(server.url, testClock()).poll(FULL);

    expect(result.tests.map((t) => t.testId)).not.toContain("aws-guardduty-enabled"); // status OK
    expect(result.tests).toHaveLength(14);
    expect(result.tests.every((t) => t.refetched)).toBe(true);
    expect(result.failures).toHaveLength(14);
    expect(result.skipped).toEqual([]);
    const policy = result.failures.find((f) => f.testId === "internal-password-policy-config");
    expect(policy).toMatchObject({ displayName: "account-123456789012", responseType: "AWS account", account: "123456789012" });
    const bucket = result.failures.find((f) => f.displayName === "acme-prod-assets");
    expect(bucket).toMatchObject({
      testId: "aws-s3-public-access-blocked",
      testName: "S3 buckets block public access",
      entityId: "1904443ef152cf5773528cfd",
      lastTestRunDate: "2026-11-25T06:00:00.000Z",
    });
    expect(bucket?.remediationText).toContain("Remediation for Terraform");
    expect(bucket?.arn).toBeUndefined(); // Vanta entities carry no ARN
    expect(server.stats.tokensMinted).toBe(1);
  });

  it("sends the filters and page size Vanta expects", async () => {
    const server = await start();
    const result = await sourceFor(server.url, testClock(), { frameworkFilter: "iso27001", integrationFilter: "aws" }).poll(FULL);

    expect(result.tests.map((t) => t.testId)).not.toContain("aws-dynamodb-pitr-backups"); // soc2 only
    const listCall = server.stats.log.find((r) => r.route === "tests");
    expect(listCall?.query).toEqual({ statusFilter: "NEEDS_ATTENTION", frameworkFilter: "iso27001", integrationFilter: "aws", pageSize: "100" });
    const entityCall = server.stats.log.find((r) => r.route === "entities");
    expect(entityCall?.query).toMatchObject({ entityStatus: "FAILING", pageSize: "100" });
  });

  it("follows several pages of tests and of entities", async () => {
    const server = await start({ scenario: { tests: manyTests(250, 1) } });
    server.setEntities("test-007", manyTests(1, 230)[0]!.entities);

    const result = await sourceFor(server.url, testClock()).poll(FULL);

    expect(result.tests).toHaveLength(250);
    expect(new Set(result.tests.map((t) => t.testId)).size).toBe(250);
    expect(result.failures).toHaveLength(249 + 230);
    expect(server.stats.log.filter((r) => r.route === "tests")).toHaveLength(3);
    expect(server.stats.log.filter((r) => r.path === "/v1/tests/test-007/entities")).toHaveLength(3);
  });

  it("keeps following hasNextPage when pages come back shorter than asked", async () => {
    const server = await start({ scenario: { tests: manyTests(23, 2) }, maxItemsPerPage: 7 });

    const result = await sourceFor(server.url, testClock()).poll(FULL);

    expect(result.tests).toHaveLength(23);
    expect(result.failures).toHaveLength(46);
    expect(server.stats.log.filter((r) => r.route === "tests")).toHaveLength(4); // 7+7+7+2
  });

  it("refreshes a token that nears expiry during a poll, without a 401", async () => {
    const server = await start({ scenario: { tests: manyTests(30, 1) } });
    const clock = testClock();
    // The clock jumps an hour: give the poll a time budget that outlasts it.
    const source = sourceFor(server.url, clock, { pollMaxSeconds: 86_400 });
    let calls = 0;
    server.onRequest((r) => {
      // Halfway through, the client's clock reaches 30 s before expiry (3599 s lifetime).
      if (r.route === "entities" && ++calls === 15) clock.t += 3_570_000;
    });

    const result = await source.poll(FULL);

    expect(result.failures).toHaveLength(30);
    expect(server.stats.tokensMinted).toBe(2);
    expect(server.stats.unauthorized).toBe(0);
  });

  it("refreshes once and retries when the token is revoked during a poll", async () => {
    const server = await start({ scenario: { tests: manyTests(10, 1) } });
    let calls = 0;
    server.onRequest((r) => {
      if (r.route === "entities" && ++calls === 4) server.revokeTokens();
    });

    const result = await sourceFor(server.url, testClock()).poll(FULL);

    expect(result.failures).toHaveLength(10);
    expect(server.stats.unauthorized).toBe(1);
    expect(server.stats.tokensMinted).toBe(2);
  });

  it("fails the poll when even a fresh token is rejected, without leaking the token", async () => {
    const server = await start({ scenario: { tests: manyTests(3, 1) } });
    server.onRequest((r) => {
      if (r.route === "entities") server.revokeTokens(); // another replica keeps minting
    });

    const error = await sourceFor(server.url, testClock()).poll(FULL).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TerraFixError);
    expect(error).toMatchObject({ kind: "transient", stage: "poll", status: 401 });
    expect((error as Error).message).toMatch(/HTTP 401/);
    expect((error as Error).message).not.toMatch(/vat_/);
    expect(server.stats.tokensMinted).toBe(2);
  });

  it("rides out a 429 storm honouring Retry-After, then recovers", async () => {
    const server = await start();
    server.setFault({ route: "entities", status: 429, times: 3, headers: { "retry-after": "7" } });
    const clock = testClock();

    const result = await sourceFor(server.url, clock, { maxAttempts: 5 }).poll(FULL);

    expect(result.failures).toHaveLength(14);
    expect(server.stats.throttled).toBe(3);
    expect(clock.waits.filter((w) => w === 7000)).toHaveLength(3);
  });

  it("gives up after the bounded attempts with a throttled error for this poll", async () => {
    const server = await start({ apiLimitPerMinute: 2, retryAfterSeconds: 1 });

    const error = await sourceFor(server.url, testClock(), { maxAttempts: 3 }).poll(FULL).catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: "throttled", stage: "poll", status: 429, retryAfterSeconds: 1 });
    expect((error as Error).message).toMatch(/gave up after 3 attempts/);
    expect(server.stats.throttled).toBe(3);
  });

  it("retries 5xx answers and fails transient when they persist", async () => {
    const server = await start();
    server.setFault({ route: "tests", status: 503, times: 2, body: "upstream unavailable" });
    const recovered = await sourceFor(server.url, testClock()).poll(FULL);
    expect(recovered.tests).toHaveLength(14);

    server.setFault({ route: "tests", status: 502, times: 10, body: `<html>${"x".repeat(2000)}</html>` });
    const error = await sourceFor(server.url, testClock(), { maxAttempts: 2 }).poll(FULL).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "transient", status: 502 });
    expect((error as Error).message.length).toBeLessThan(500); // body truncated
  });

  it("retries a dropped connection", async () => {
    const server = await start();
    server.setFault({ route: "tests", status: 0, reset: true });

    const result = await sourceFor(server.url, testClock()).poll(FULL);

    expect(result.tests).toHaveLength(14);
    expect(server.stats.log.filter((r) => r.route === "tests").map((r) => r.status)).toEqual([0, 200]);
  });

  it("skips a malformed entity and a malformed test, keeping the rest of the page", async () => {
    const server = await start();
    const tests = (await import("../fakes/vanta-scenario.js")).loadScenario(DEMO).tests;
    server.setTests([...tests, { $raw: true, id: "broken-test", name: "no run date", status: "NEEDS_ATTENTION" }]);
    server.setEntities("aws-s3-public-access-blocked", [
      { displayName: "good-bucket", responseType: "S3 bucket" },
      { $raw: true, id: "65a1f0c2e4b0a1b2c3d4e5ff", entityStatus: "FAILING", displayName: 42, responseType: "S3 bucket" },
    ]);

    const result = await sourceFor(server.url, testClock()).poll(FULL);

    expect(result.failures.filter((f) => f.testId === "aws-s3-public-access-blocked").map((f) => f.displayName)).toEqual(["good-bucket"]);
    expect(result.failures).toHaveLength(14);
    expect(result.skipped).toEqual([
      { what: "test", id: "broken-test", reason: expect.stringContaining("lastTestRunDate") },
      { what: "entity", id: "65a1f0c2e4b0a1b2c3d4e5ff", testId: "aws-s3-public-access-blocked", reason: expect.stringContaining("displayName") },
    ]);
  });

  it("does not crash on enum values it has never seen", async () => {
    const server = await start({ scenario: { tests: [{ id: "t1", name: "T", lastTestRunDate: "2026-11-25T06:00:00Z", remediationStatusInfo: { status: "BRAND_NEW", soonestRemediateByDate: null, itemCount: 1 }, entities: [{ displayName: "b", responseType: "Quantum bucket" }] }] } });

    const result = await sourceFor(server.url, testClock()).poll(FULL);

    expect(result.failures).toMatchObject([{ testId: "t1", displayName: "b", responseType: "Quantum bucket" }]);
  });

  it("fails the poll cleanly when a page is not JSON, and the next poll succeeds", async () => {
    const server = await start();
    server.setFault({ route: "entities", status: 200, body: "<html>maintenance</html>", contentType: "text/html" });
    const source = sourceFor(server.url, testClock());

    const error = await source.poll(FULL).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "transient", stage: "poll" });
    expect((error as Error).message).toMatch(/not JSON/);
    expect(server.stats.log.filter((r) => r.route === "entities")).toHaveLength(1); // not retried within the poll

    const next = await source.poll(FULL);
    expect(next.failures).toHaveLength(14);
  });

  it("refetches entities only for tests whose lastTestRunDate changed", async () => {
    const server = await start();
    const source = sourceFor(server.url, testClock());
    const first = await source.poll(FULL);
    const previousRunDates = new Map(first.tests.map((t) => [t.testId, t.lastTestRunDate]));
    server.updateTest("firewall-config-server", { lastTestRunDate: "2026-11-25T07:00:00.000Z" });
    server.updateTest("aws-rds-multi-az-redundancy", { status: "OK" }); // now passing
    const before = server.stats.requests.entities;

    const second = await source.poll({ previousRunDates, fullResync: false });

    expect(server.stats.requests.entities - before).toBe(1);
    expect(second.tests.filter((t) => t.refetched).map((t) => t.testId)).toEqual(["firewall-config-server"]);
    expect(second.tests.map((t) => t.testId)).not.toContain("aws-rds-multi-az-redundancy");
    expect(second.tests).toHaveLength(13);
    expect(second.failures.map((f) => f.displayName)).toEqual(["acme-prod-bastion-sg"]);

    const resync = await source.poll({ previousRunDates, fullResync: true });
    expect(resync.tests.every((t) => t.refetched)).toBe(true);
    expect(resync.failures).toHaveLength(13); // the RDS Multi-AZ failure is gone
  });

  it("enriches entities from the inventory when asked, and never fails the poll for it", async () => {
    const server = await start();
    server.setFault({ route: "resources", status: 500, times: 100 });
    const degraded = await sourceFor(server.url, testClock(), { enrich: true, maxAttempts: 1 }).poll(FULL);
    expect(degraded.failures).toHaveLength(14);
    expect(degraded.failures.every((f) => f.arn === undefined)).toBe(true);
    server.clearFaults();

    const result = await sourceFor(server.url, testClock(), { enrich: true }).poll(FULL);

    const bucket = result.failures.find((f) => f.displayName === "acme-prod-assets");
    expect(bucket).toMatchObject({ arn: "arn:aws:s3:::acme-prod-assets", account: "123456789012", region: "us-east-1", tags: { Name: "acme-prod-assets", Team: "platform", ManagedBy: "terraform" } });
    const sg = result.failures.find((f) => f.displayName === "acme-prod-bastion-sg");
    expect(sg?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0a1b2c3d4e5f60718");
    expect(sg?.tags).toEqual({ Name: "acme-prod-bastion-sg", Team: "platform" });
    expect(result.failures.find((f) => f.displayName === "acme-prod-org-trail")?.arn).toBeUndefined(); // no inventory row
    expect(result.failures.find((f) => f.responseType === "AWS account")?.arn).toBeUndefined();
  });

  it("shares one token per process between sources of the same Vanta application", async () => {
    const server = await start();
    const logger = silentLogger();
    const options = { apiUrl: server.url, clientId: "terrafix-demo", clientSecret: "terrafix-demo-secret", requestsPerMinute: 1000, maxAttempts: 2, logger };

    const a = createVantaSource(options);
    const b = createVantaSource(options);
    await a.poll(FULL);
    await b.poll(FULL);

    expect(a.tokens).toBe(b.tokens);
    expect(server.stats.tokensMinted).toBe(1);
    expect(server.stats.unauthorized).toBe(0);
  });

  it("keeps a client-side rate limit on API requests", async () => {
    const server = await start({ scenario: { tests: manyTests(12, 1) } });
    const clock = testClock();

    await sourceFor(server.url, clock, { requestsPerMinute: 5 }).poll(FULL);

    // 13 requests at 5 a minute: two full windows waited, never a 429 from the server.
    expect(server.stats.log.filter((r) => r.route !== "token")).toHaveLength(13);
    expect(clock.waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(120_000);
    expect(server.stats.throttled).toBe(0);
  });
});
