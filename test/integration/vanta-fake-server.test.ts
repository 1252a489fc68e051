import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { encodeCursor, startFakeVanta, type FakeVanta } from "../fakes/vanta-server.js";
import { createFileSource } from "../../src/adapters/file-source/file-source.js";
import { silentLogger } from "../../src/observability/logger.js";
import { FULL, sourceFor, testClock } from "../adapters/vanta/harness.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DEMO = fileURLToPath(new URL("../fakes/scenarios/vanta-demo.json", import.meta.url));
const CREDS = { client_id: "terrafix-demo", client_secret: "terrafix-demo-secret", scope: "vanta-api.all:read", grant_type: "client_credentials" };

interface WirePage {
  results: { data: Record<string, unknown>[]; pageInfo: { startCursor: string | null; endCursor: string; hasNextPage: boolean; hasPreviousPage: boolean } };
}

let fake: FakeVanta | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function token(url: string, body: object = CREDS): Promise<Response> {
  return fetch(`${url}/oauth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function get(url: string, path: string, bearer: string): Promise<Response> {
  return fetch(`${url}${path}`, { headers: { authorization: `Bearer ${bearer}`, accept: "application/json" } });
}

async function mint(url: string): Promise<string> {
  return ((await (await token(url)).json()) as { access_token: string }).access_token;
}

describe("fake Vanta server (wire)", () => {
  it("mints tokens the way Vanta does, one live token at a time", async () => {
    fake = await startFakeVanta({ scenario: DEMO });
    const answer = await token(fake.url);
    expect(await answer.json()).toEqual({ access_token: expect.stringMatching(/^vat_/), expires_in: 3599, token_type: "Bearer" });

    const first = await mint(fake.url);
    const second = await mint(fake.url);

    expect((await get(fake.url, "/v1/tests", first)).status).toBe(401);
    expect((await get(fake.url, "/v1/tests", second)).status).toBe(200);
    expect((await token(fake.url, { ...CREDS, client_secret: "nope" })).status).toBe(401);
    expect((await token(fake.url, { ...CREDS, grant_type: "password" })).status).toBe(400);
  });

  it("limits /oauth/token to 5 a minute", async () => {
    fake = await startFakeVanta({ scenario: DEMO });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await token(fake.url)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it("serves closed Test and TestEntity objects with every field, paged with arrayconnection cursors", async () => {
    fake = await startFakeVanta({ scenario: DEMO });
    const bearer = await mint(fake.url);

    const first = (await (await get(fake.url, "/v1/tests?pageSize=5", bearer)).json()) as WirePage;
    const second = (await (await get(fake.url, `/v1/tests?pageSize=5&pageCursor=${first.results.pageInfo.endCursor}`, bearer)).json()) as WirePage;

    expect(first.results.pageInfo).toEqual({ startCursor: encodeCursor(0), endCursor: encodeCursor(4), hasNextPage: true, hasPreviousPage: false });
    expect(Buffer.from(first.results.pageInfo.endCursor, "base64").toString()).toBe("arrayconnection:4");
    expect(second.results.pageInfo).toMatchObject({ startCursor: encodeCursor(5), hasPreviousPage: true });
    expect(Object.keys(first.results.data[0]!).sort()).toEqual(
      ["id", "name", "description", "failureDescription", "remediationDescription", "lastTestRunDate", "latestFlipDate", "version", "category", "integrations", "status", "deactivatedStatusInfo", "remediationStatusInfo", "owner"].sort(),
    );
    expect(first.results.data[0]!.remediationStatusInfo).toEqual({ status: "NEEDS_WORK", soonestRemediateByDate: null, itemCount: 1 });
    const entities = (await (await get(fake.url, "/v1/tests/aws-s3-public-access-blocked/entities", bearer)).json()) as WirePage;
    expect(Object.keys(entities.results.data[0]!).sort()).toEqual(["createdDate", "deactivatedReason", "displayName", "entityStatus", "id", "lastUpdatedDate", "responseType"]);
    expect((await get(fake.url, "/v1/tests?pageSize=101", bearer)).status).toBe(400);
    expect((await get(fake.url, "/v1/tests?pageCursor=bm9wZQ==", bearer)).status).toBe(400);
    expect((await get(fake.url, "/v1/tests/unknown/entities", bearer)).status).toBe(404);
    expect((await get(fake.url, "/v1/tests/aws-s3-public-access-blocked", bearer)).status).toBe(200);
  });

  it("answers the per-minute API limit with 429 and Retry-After when configured", async () => {
    fake = await startFakeVanta({ scenario: DEMO, apiLimitPerMinute: 2, retryAfterSeconds: 30 });
    const bearer = await mint(fake.url);
    await get(fake.url, "/v1/tests", bearer);
    await get(fake.url, "/v1/tests", bearer);

    const limited = await get(fake.url, "/v1/tests", bearer);

    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("30");
  });

  it("runs as a separate process and prints its URL", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/fakes/vanta-server.ts", "--scenario", DEMO, "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    try {
      const [chunk] = (await once(child.stdout, "data")) as [Buffer];
      const url = chunk.toString().trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const result = await sourceFor(url, testClock()).poll(FULL);

      expect(result.failures).toHaveLength(14);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });

  it("serves the same failures as the file source reads from the same scenario file", async () => {
    fake = await startFakeVanta({ scenario: DEMO });

    const viaApi = await sourceFor(fake.url, testClock()).poll(FULL);
    const viaFile = await createFileSource(DEMO, { logger: silentLogger() }).poll(FULL);

    expect(viaFile.failures).toEqual(viaApi.failures);
    expect(viaFile.tests).toEqual(viaApi.tests);
  });
});
