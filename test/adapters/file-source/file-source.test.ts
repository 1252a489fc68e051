import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileSource } from "../../../src/adapters/file-source/file-source.js";
import { failureKey } from "../../../src/domain/failure.js";
import { silentLogger } from "../../../src/observability/logger.js";
import type { PollRequest } from "../../../src/ports/failure-source.js";

const EXAMPLE = fileURLToPath(new URL("../../../examples/failures.json", import.meta.url));
const DEMO = fileURLToPath(new URL("../../fakes/scenarios/vanta-demo.json", import.meta.url));
const REQUEST: PollRequest = { previousRunDates: new Map(), fullResync: false };
const logger = silentLogger();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "terrafix-file-source-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const TEST = { id: "aws-s3-public-access-blocked", name: "S3 block public access", lastTestRunDate: "2026-11-25T06:00:00Z" };

describe("createFileSource", () => {
  it("reads the example file with ARNs, accounts and tags", async () => {
    const result = await createFileSource(EXAMPLE, { logger }).poll(REQUEST);

    expect(result.tests.length).toBeGreaterThan(3);
    expect(result.tests.every((t) => t.refetched)).toBe(true);
    expect(result.skipped).toEqual([]);
    const bucket = result.failures.find((f) => f.displayName === "acme-prod-assets");
    expect(bucket).toMatchObject({ arn: "arn:aws:s3:::acme-prod-assets", account: "123456789012", region: "us-east-1", tags: { Team: "platform" } });
    const sg = result.failures.find((f) => f.displayName === "acme-prod-bastion-sg");
    expect(sg).toMatchObject({ account: "123456789012", region: "us-east-1", tags: { Name: "acme-prod-bastion-sg" } }); // from the ARN
    const account = result.failures.find((f) => f.responseType === "AWS account");
    expect(account).toMatchObject({ account: "123456789012" });
  });

  it("accepts the fake Vanta scenario file and drops tests that are not failing", async () => {
    const result = await createFileSource(DEMO, { logger }).poll(REQUEST);

    expect(result.tests).toHaveLength(14);
    expect(result.failures).toHaveLength(14);
    expect(result.tests.map((t) => t.testId)).not.toContain("aws-guardduty-enabled");
  });

  it("gives the same failure keys as the Vanta source for the same data", async () => {
    const path = await fileWith("same.json", { tests: [{ ...TEST, entities: [{ id: "65a1f0c2e4b0a1b2c3d4e501", displayName: "logs", responseType: "S3 bucket" }] }] });

    const [failure] = (await createFileSource(path, { logger }).poll(REQUEST)).failures;

    expect(failureKey(failure!)).toBe(failureKey({ testId: TEST.id, responseType: "S3 bucket", displayName: "logs" }));
  });

  it("re-reads the file on each poll, so removing an entity resolves it", async () => {
    const path = await fileWith("changing.json", { tests: [{ ...TEST, entities: [{ id: "e1", displayName: "a", responseType: "S3 bucket" }, { id: "e2", displayName: "b", responseType: "S3 bucket" }] }] });
    const source = createFileSource(path, { logger });
    expect((await source.poll(REQUEST)).failures).toHaveLength(2);

    await fileWith("changing.json", { tests: [{ ...TEST, entities: [{ id: "e1", displayName: "a", responseType: "S3 bucket" }, { id: "e2", displayName: "b", responseType: "S3 bucket", entityStatus: "DEACTIVATED" }] }] });

    expect((await source.poll(REQUEST)).failures.map((f) => f.displayName)).toEqual(["a"]);
  });

  it.each([
    ["missing file", undefined, /cannot read failure file .*nope\.json: ENOENT/],
    ["not JSON", "{ tests: [", /is not valid JSON/],
    ["no tests array", { items: [] }, /tests: Invalid input/],
  ])("fails with a config error naming the path: %s", async (_name, content, message) => {
    const path = content === undefined ? join(dir, "nope.json") : await fileWith("broken.json", content);

    const error = await createFileSource(path, { logger }).poll(REQUEST).catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: "config", stage: "poll", message: expect.stringMatching(message) });
  });

  it("lists every invalid item with its path and id", async () => {
    const path = await fileWith("items.json", {
      tests: [
        { ...TEST, entities: [{ id: "e1", displayName: "a", responseType: "S3 bucket" }, { id: "e2", responseType: "S3 bucket" }] },
        { id: "t2", name: "no date" },
        { ...TEST, id: "t3", entities: [{ id: "e3", displayName: "x", responseType: "S3 bucket", account: "12345", tags: { a: 1 } }] },
        { ...TEST },
      ],
    });

    const error = await createFileSource(path, { logger }).poll(REQUEST).catch((e: unknown) => e);
    const message = (error as Error).message;

    expect(error).toMatchObject({ kind: "config" });
    expect(message).toContain(path);
    expect(message).toContain('tests[0] (id "aws-s3-public-access-blocked").entities[1] (id "e2").displayName');
    expect(message).toContain('tests[1] (id "t2").lastTestRunDate');
    expect(message).toContain('tests[2] (id "t3").entities[0] (id "e3").account: must be a 12-digit AWS account id');
    expect(message).toContain('tests[2] (id "t3").entities[0] (id "e3").tags.a');
    expect(message).toContain('tests[3] (id "aws-s3-public-access-blocked"): duplicate test id');
  });
});
