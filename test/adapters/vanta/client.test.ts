import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FULL, sourceFor, testClock } from "./harness.js";

const API = "https://vanta.test";
const PAGE_END = { startCursor: null, endCursor: null, hasNextPage: false, hasPreviousPage: false };
const TEST = { id: "t1", name: "T1", lastTestRunDate: "2026-11-25T06:00:00Z", status: "NEEDS_ATTENTION" };

function page(data: unknown[], pageInfo: object = PAGE_END) {
  return { results: { data, pageInfo } };
}

function vanta() {
  return nock(API).post("/oauth/token").reply(200, { access_token: "tok-abcdef-123", expires_in: 3599, token_type: "Bearer" });
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  // Fail on unused mocks too (Renovate's rule): every reply defined must have been asked for.
  expect(pending).toEqual([]);
});
afterAll(() => {
  nock.enableNetConnect();
});

describe("Vanta client edge cases (nock)", () => {
  it("waits the HTTP-date Retry-After before retrying", async () => {
    const clock = testClock(Date.parse("2026-11-25T12:00:00.000Z"));
    vanta()
      .get("/v1/tests")
      .query(true)
      .reply(429, "too many", { "Retry-After": "Wed, 25 Nov 2026 12:00:20 GMT" })
      .get("/v1/tests")
      .query(true)
      .reply(200, page([]));

    const result = await sourceFor(API, clock).poll(FULL);

    expect(result.tests).toEqual([]);
    expect(clock.waits).toContain(20_000);
  });

  it("fails at once, throttled, when Retry-After is longer than it is willing to wait", async () => {
    vanta().get("/v1/tests").query(true).reply(429, "", { "Retry-After": "3600" });

    const error = await sourceFor(API, testClock()).poll(FULL).catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: "throttled", status: 429, retryAfterSeconds: 3600 });
  });

  it.each([
    [403, "config", /vanta-api.all:read/],
    [404, "permanent", /HTTP 404/],
    [400, "permanent", /HTTP 400: \{"error":"bad"\}/],
  ])("does not retry HTTP %i (%s)", async (status, kind, message) => {
    vanta().get("/v1/tests").query(true).reply(status, { error: "bad" });

    const error = await sourceFor(API, testClock()).poll(FULL).catch((e: unknown) => e);

    expect(error).toMatchObject({ kind, status, stage: "poll", message: expect.stringMatching(message) });
  });

  it("fails transient when hasNextPage comes without a cursor", async () => {
    vanta().get("/v1/tests").query(true).reply(200, page([TEST], { hasNextPage: true, endCursor: null }));

    await expect(sourceFor(API, testClock()).poll(FULL)).rejects.toMatchObject({ kind: "transient", message: expect.stringMatching(/no new endCursor/) });
  });

  it("fails transient on a JSON page of the wrong shape", async () => {
    vanta().get("/v1/tests").query(true).reply(200, { data: [] });

    await expect(sourceFor(API, testClock()).poll(FULL)).rejects.toMatchObject({ kind: "transient", message: expect.stringMatching(/unexpected shape/) });
  });

  it("passes the cursor of the previous page and keeps unknown statuses but drops known passing ones", async () => {
    const cursor = Buffer.from("arrayconnection:0").toString("base64");
    vanta()
      .get("/v1/tests")
      .query({ statusFilter: "NEEDS_ATTENTION", pageSize: "100" })
      .reply(200, page([TEST], { endCursor: cursor, hasNextPage: true }))
      .get("/v1/tests")
      .query({ statusFilter: "NEEDS_ATTENTION", pageSize: "100", pageCursor: cursor })
      .reply(200, page([{ ...TEST, id: "t2", status: "OK" }, { ...TEST, id: "t3", status: "NEEDS_REVIEW_V2" }, { ...TEST }]))
      .get("/v1/tests/t1/entities")
      .query(true)
      .reply(200, page([
        { id: "e1", displayName: "a", responseType: "S3 bucket", entityStatus: "FAILING" },
        { id: "e2", displayName: "b", responseType: "S3 bucket", entityStatus: "DEACTIVATED" },
        { id: "e3", displayName: "c", responseType: "S3 bucket", entityStatus: "FLAKY" },
      ]))
      .get("/v1/tests/t3/entities")
      .query(true)
      .reply(404, { error: "gone" });

    const result = await sourceFor(API, testClock(), { integrationFilter: undefined }).poll(FULL);

    expect(result.tests).toEqual([
      { testId: "t1", name: "T1", lastTestRunDate: TEST.lastTestRunDate, refetched: true },
      { testId: "t3", name: "T1", lastTestRunDate: TEST.lastTestRunDate, refetched: false },
    ]);
    expect(result.failures.map((f) => f.displayName)).toEqual(["a", "c"]);
    expect(result.skipped).toEqual([{ what: "test", id: "t3", reason: expect.stringContaining("404") }]);
  });
});
