import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { branchName, failureKey, identityOf, resourceIdentityString, type Failure } from "../../src/domain/failure.js";

const base: Failure = {
  testId: "aws-s3-public-access-blocked",
  testName: "S3 buckets block public access",
  entityId: "65f1c0ffee0123456789abcd",
  displayName: "acme-logs",
  responseType: "S3 bucket",
  lastTestRunDate: "2026-11-01T10:00:00.000Z",
};

describe("failureKey", () => {
  it("is the documented SHA-256 of testId, newline, resource identity", () => {
    const expected = createHash("sha256").update("aws-s3-public-access-blocked\nS3 bucket/acme-logs").digest("hex");
    expect(failureKey(base)).toBe(expected);
  });

  it("is pinned: changing these values would open a duplicate pull request for every known failure", () => {
    expect(failureKey(base)).toBe("31c651d7a42b9d7c78f2767ba5d038f803543879aa8047cd2ffd758cd5ee5fae");
    expect(
      failureKey({
        testId: "firewall-config-server",
        arn: "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc",
        responseType: "Security group",
        displayName: "web",
      }),
    ).toBe("d7624a919b3bf7f56309fd82eac84489398fb750b985a2879dcf71b13ef09f2b");
  });

  it("ignores timestamps and entity ids, so the same resource failing again keeps its key", () => {
    const later = { ...base, lastTestRunDate: "2026-12-01T00:00:00Z", entityId: "000000000000000000000000" };
    expect(failureKey(later)).toBe(failureKey(base));
  });

  it("uses the ARN when known and differs per test and per resource", () => {
    const withArn = { ...base, arn: "arn:aws:s3:::acme-logs" };
    expect(resourceIdentityString(withArn)).toBe("arn:aws:s3:::acme-logs");
    expect(failureKey(withArn)).not.toBe(failureKey(base));
    expect(failureKey({ ...base, testId: "other" })).not.toBe(failureKey(base));
    expect(failureKey({ ...base, displayName: "other" })).not.toBe(failureKey(base));
  });

  it("cannot collide by moving text across the separator", () => {
    const a = failureKey({ testId: "a", responseType: "b", displayName: "c" });
    const b = failureKey({ testId: "a\nb", responseType: "", displayName: "c" });
    expect(a).not.toBe(b);
  });

  it("trims surrounding whitespace so a padded export maps to the same key", () => {
    expect(failureKey({ ...base, displayName: " acme-logs " })).toBe(failureKey(base));
  });
});

describe("branchName", () => {
  it.each([
    ["aws-s3-public-access-blocked", "0123456789abcdef", "terrafix/aws-s3-public-access-blocked/0123456789"],
    ["weird id/with spaces", "abcdefabcdef", "terrafix/weird-id-with-spaces/abcdefabcd"],
    ["///", "abcdefabcdef", "terrafix/test/abcdefabcd"],
  ])("%s -> %s", (testId, key, expected) => {
    expect(branchName(testId, key)).toBe(expected);
  });
});

describe("identityOf", () => {
  it("carries the optional ARN, account, region and tags only when present", () => {
    expect(identityOf(base)).toEqual({ kind: "S3 bucket", name: "acme-logs" });
    expect(identityOf({ ...base, arn: "arn:aws:s3:::x", account: "123456789012", region: "us-east-1", tags: { a: "b" } })).toEqual({
      arn: "arn:aws:s3:::x",
      kind: "S3 bucket",
      name: "acme-logs",
      account: "123456789012",
      region: "us-east-1",
      tags: { a: "b" },
    });
  });
});

describe("failureKey and enrichment", () => {
  it("ignores an ARN that only enrichment found: an enrichment outage keeps the key", () => {
    const enriched = { ...base, arn: "arn:aws:s3:::acme-logs", account: "123456789012", enriched: ["arn", "account"] as ("arn" | "account")[] };
    expect(failureKey(enriched)).toBe(failureKey(base));
    expect(resourceIdentityString(enriched)).toBe("S3 bucket/acme-logs");
    // An ARN the source itself carries (a JSON export) stays the identity.
    expect(failureKey({ ...base, arn: "arn:aws:s3:::acme-logs" })).not.toBe(failureKey(base));
  });
});

describe("branchName is a valid git ref for every test id", () => {
  const gitOk = spawnSync("git", ["--version"]).status === 0;
  const valid = (ref: string): boolean => spawnSync("git", ["check-ref-format", ref]).status === 0;
  const key = "0123456789abcdef";

  it.skipIf(!gitOk)("keeps the branches of ids that were already valid", () => {
    for (const id of ["aws-s3-public-access-blocked", "logs-centrally-stored-config", "mysql-database-monitored-and-alarmed-config-cpu", "s3.v2_x"])
      expect(branchName(id, key)).toBe(`terrafix/${id}/0123456789`);
  });

  it.skipIf(!gitOk).each([
    ["..", "two dots"],
    ["a..b", "two dots inside"],
    [".hidden", "a leading dot"],
    ["x.lock", "a .lock suffix"],
    ["x.lock.lock.", "stacked suffixes"],
    ["trailing.", "a trailing dot"],
    ["a@{b", "@{"],
    ["a\u0000b\u007fc", "control characters"],
    ["x".repeat(300), "a component over 255 bytes"],
    ["é".repeat(200), "multi-byte characters"],
    ["@", "a lone @"],
    ["", "an empty id"],
  ])("%j (%s)", (id) => {
    const ref = branchName(id, key);
    expect(valid(ref)).toBe(true);
    for (const part of ref.split("/")) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(255);
  });

  it.skipIf(!gitOk)("property: 300 random ids from a hostile alphabet", () => {
    // A seeded generator, so a failure names an input that reproduces.
    let seed = 0x16;
    const next = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const alphabet = [".", ".", "-", "/", "@", "{", "}", "~", "^", ":", "?", "*", "[", "\\", " ", "\t", "\u0001", "lock", ".lock", "é", "a", "Z", "0", "_"];
    const failures: string[] = [];
    for (let i = 0; i < 300; i++) {
      const length = Math.floor(next() * (i % 10 === 0 ? 400 : 24));
      const id = Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
      const ref = branchName(id, key);
      if (!valid(ref) || ref.split("/").some((p) => Buffer.byteLength(p) > 255)) failures.push(JSON.stringify(id));
    }
    expect(failures).toEqual([]);
  });
});
