import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexRepository } from "../../src/terraform/index.js";
import { matchLookupOf, type MatchLookup } from "../../src/terraform/match-lookup.js";
import { matchResource } from "../../src/terraform/match.js";
import type { RepositoryIndex } from "../../src/terraform/types.js";

// Names the lookup must key: literal, template with a literal prefix, unknown start, *_prefix, Name tag, yor_trace.
const MAIN_TF = `
variable "env" {}
variable "suffix" { default = "zz" }
locals { team = "core" }
resource "aws_s3_bucket" "literal" { bucket = "acme-logs" }
resource "aws_s3_bucket" "template" { bucket = "acme-\${var.env}-data" }
resource "aws_s3_bucket" "unknown_start" { bucket = "\${var.env}-archive" }
resource "aws_s3_bucket" "prefixed" { bucket_prefix = "tmp-" }
resource "aws_s3_bucket" "resolved" { bucket = "\${local.team}-\${var.suffix}" }
resource "aws_s3_bucket" "nameless" {
  tags = { Name = "acme-tagged", yor_trace = "0f2c-trace" }
}
resource "aws_security_group" "web" {
  name = "web-sg"
  tags = { Name = "web-\${var.env}" }
}
`;

let dir: string;
let index: RepositoryIndex;
let lookup: MatchLookup;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "terrafix-lookup-"));
  await writeFile(join(dir, "main.tf"), MAIN_TF);
  index = await indexRepository(dir, { validation: "lazy" });
  lookup = matchLookupOf(index);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const bucket = { name: "bucket", prefix: "bucket_prefix" };
const names = (list: readonly { name: string }[]): string[] => list.map((r) => r.name);

describe("matchLookupOf", () => {
  it("is built once per index", () => {
    expect(matchLookupOf(index)).toBe(lookup);
  });

  it.each([
    ["acme-logs", ["literal", "template", "unknown_start"]],
    ["acme-prod-data", ["template", "unknown_start"]],
    ["acme-x", ["template", "unknown_start"]],
    ["tmp-abcdefghijklmnopqrstuvwxyz", ["unknown_start", "prefixed"]],
    ["core-zz", ["unknown_start", "resolved"]],
    ["other", ["unknown_start"]],
  ])("keys bucket names: %s -> %j", (name, expected) => {
    expect(names(lookup.candidates("aws_s3_bucket", bucket, [name], undefined, {}))).toEqual(expected);
  });

  it("finds blocks by Name tag and by yor_trace, in index order", () => {
    expect(names(lookup.candidates("aws_s3_bucket", bucket, [], "acme-tagged", {}))).toEqual(["nameless"]);
    expect(names(lookup.candidates("aws_s3_bucket", bucket, [], undefined, { yor_trace: "0f2c-trace" }))).toEqual(["nameless"]);
    expect(names(lookup.candidates("aws_security_group", { name: "name" }, ["web-prod"], "web-prod", {}))).toEqual(["web"]);
    expect(lookup.candidates("aws_s3_bucket", bucket, [], undefined, { yor_trace: "other" })).toEqual([]);
  });

  it("lists managed resources by type in index order", () => {
    expect(names(lookup.ofType("aws_s3_bucket"))).toEqual(["literal", "template", "unknown_start", "prefixed", "resolved", "nameless"]);
    expect(lookup.ofType("aws_kms_key")).toEqual([]);
  });
});

describe("matchResource through the lookup", () => {
  it.each([
    // The lookup's candidates whose patterns cannot produce the name (`*-archive`) are ruled out by the full comparison.
    [{ name: "acme-logs", kind: "aws_s3_bucket" }, "matched", ["aws_s3_bucket.literal"]],
    [{ name: "core-zz", kind: "aws_s3_bucket" }, "matched", ["aws_s3_bucket.resolved"]],
    [{ kind: "aws_s3_bucket", tags: { yor_trace: "0f2c-trace" } }, "matched", ["aws_s3_bucket.nameless"]],
    [{ name: "nobody-here", kind: "aws_s3_bucket" }, "no-match", []],
    [{ name: "prod-archive", kind: "aws_s3_bucket" }, "matched", ["aws_s3_bucket.unknown_start"]],
  ])("%j -> %s", (identity, status, addresses) => {
    const result = matchResource(index, identity);
    expect(result.status).toBe(status);
    expect(result.candidates.map((c) => c.address)).toEqual(addresses);
  });
});
