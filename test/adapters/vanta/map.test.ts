import { describe, expect, it } from "vitest";
import { accountFromDisplayName, toFailure } from "../../../src/adapters/vanta/map.js";
import { resourceKindFor, tagsOf } from "../../../src/adapters/vanta/enrich.js";
import { isKnownNotFailing } from "../../../src/adapters/vanta/schema.js";

const TEST = {
  id: "aws-s3-public-access-blocked",
  name: "S3 buckets block public access",
  description: "desc",
  failureDescription: "fail",
  remediationDescription: "## Remediation for Terraform",
  lastTestRunDate: "2026-11-25T06:00:00.000Z",
  category: "Data storage",
};

describe("toFailure", () => {
  it("maps test and entity fields", () => {
    const failure = toFailure(TEST, { id: "65a1f0c2e4b0a1b2c3d4e501", displayName: "logs", responseType: "S3 bucket" });
    expect(failure).toEqual({
      testId: TEST.id,
      testName: TEST.name,
      testCategory: "Data storage",
      testDescription: "desc",
      failureDescription: "fail",
      remediationText: "## Remediation for Terraform",
      entityId: "65a1f0c2e4b0a1b2c3d4e501",
      displayName: "logs",
      responseType: "S3 bucket",
      lastTestRunDate: TEST.lastTestRunDate,
    });
  });

  it("leaves out null test texts and takes ARN, region and account from a file entity", () => {
    const failure = toFailure(
      { id: "t", name: "T", lastTestRunDate: "d", failureDescription: null, category: null },
      { id: "e", displayName: "sg", responseType: "Security group", arn: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1", tags: { Name: "sg" } },
    );
    expect(failure).toEqual({ testId: "t", testName: "T", entityId: "e", displayName: "sg", responseType: "Security group", lastTestRunDate: "d", arn: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1", account: "123456789012", region: "eu-west-1", tags: { Name: "sg" } });
  });
});

describe("accountFromDisplayName", () => {
  it.each([
    ["account-123456789012", "123456789012"],
    [" account-123456789012 ", "123456789012"],
    ["account-12345", undefined],
    ["my-account-123456789012", undefined],
    ["acme-logs", undefined],
  ])("%s -> %s", (name, expected) => {
    expect(accountFromDisplayName(name)).toBe(expected);
  });
});

describe("resourceKindFor", () => {
  it.each([
    ["S3 bucket", "S3Bucket"],
    ["S3Bucket", "S3Bucket"],
    ["RDS instance", "RDSInstance"],
    ["EC2 instance", "AwsEc2Instance"],
    ["Security group", "AwsEc2SecurityGroup"],
    ["AWS account", undefined],
    ["Quantum bucket", undefined],
  ])("%s -> %s", (responseType, expected) => {
    expect(resourceKindFor(responseType)).toBe(expected);
  });
});

describe("tagsOf", () => {
  it.each([
    ["a map", { Name: "x", n: 1 }, { Name: "x" }],
    ["AWS key/value pairs", [{ Key: "Name", Value: "x" }, { key: "env", value: "prod" }, "junk"], { Name: "x", env: "prod" }],
    ["nothing usable", [{ a: 1 }], undefined],
    ["a string", "Name=x", undefined],
  ])("%s", (_name, value, expected) => {
    expect(tagsOf(value)).toEqual(expected);
  });
});

describe("isKnownNotFailing", () => {
  it.each([
    [undefined, false],
    ["NEEDS_ATTENTION", false],
    ["OK", true],
    ["DEACTIVATED", true],
    ["SOMETHING_NEW", false],
  ])("%s -> %s", (status, expected) => {
    expect(isKnownNotFailing(status)).toBe(expected);
  });
});
