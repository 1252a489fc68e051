import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParseCache, indexRepository, type RepositoryIndex } from "../../src/terraform/index.js";
import { parseJsonConfig } from "../../src/terraform/json-config.js";
import { constraintMajor } from "../../src/terraform/provider-version.js";
import { joinRel } from "../../src/terraform/walk.js";
import { FIXTURES, copyFixture } from "./helpers.js";

describe("indexRepository", () => {
  let index: RepositoryIndex;
  let tmp: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    tmp = await copyFixture("basic");
    // Downloaded modules and hidden folders must be skipped; they would create false matches.
    await mkdir(join(tmp.dir, ".terraform", "modules", "x"), { recursive: true });
    await writeFile(join(tmp.dir, ".terraform", "modules", "x", "main.tf"), 'resource "aws_s3_bucket" "downloaded" {\n  bucket = "x"\n}\n');
    await mkdir(join(tmp.dir, ".github"), { recursive: true });
    await writeFile(join(tmp.dir, ".github", "main.tf"), 'resource "aws_s3_bucket" "hidden" {\n  bucket = "x"\n}\n');
    index = await indexRepository(tmp.dir);
  });
  afterAll(() => tmp.cleanup());

  it("records the broken file and keeps the good ones", () => {
    expect(index.errors).toHaveLength(1);
    expect(index.errors[0]?.file).toBe("broken.tf");
    expect(index.errors[0]?.message).toMatch(/Unclosed configuration block/);
    expect(index.files.has("broken.tf")).toBe(false);
    expect(index.files.has("s3.tf")).toBe(true);
  });

  it("skips .terraform and hidden folders", () => {
    expect([...index.files.keys()].filter((f) => f.startsWith("."))).toEqual([".terraform.lock.hcl"]);
    expect(index.resources.map((r) => r.name)).not.toContain("downloaded");
    expect(index.resources.map((r) => r.name)).not.toContain("hidden");
  });

  it.each([
    ["aws_s3_bucket.logs", "s3.tf", 1, 4],
    ["data.aws_caller_identity.current", "main.tf", 14, 14],
    ["module.logging.aws_s3_bucket.this", "modules/logging/main.tf", 5, 7],
    ["module.logging.module.archive.aws_s3_bucket.this", "modules/archive/main.tf", 5, 7],
    ["module.logging.module.archive.module.deep.aws_sns_topic.this", "modules/archive/deep/main.tf", 5, 7],
    ["aws_sqs_queue.jobs", "extra.tf.json", 4, 6],
    ["aws_iam_policy.reader", "notes.tf", 3, 11],
    ["aws_cloudwatch_log_group.app", "notes.tf", 14, 16],
    ["aws_s3_bucket.data", "stacks/app/main.tf", 5, 7],
  ])("indexes %s at %s:%i-%i", (address, file, startLine, endLine) => {
    const r = index.resourceByAddress(address);
    expect(r?.file).toBe(file);
    expect(r?.block.span.startLine).toBe(startLine);
    expect(r?.block.span.endLine).toBe(endLine);
  });

  it("gives exact spans after non-ASCII comments", () => {
    const r = index.resourceByAddress("aws_iam_policy.reader");
    const text = index.files.get("notes.tf")?.text ?? "";
    expect(text.slice(r?.block.span.start, r?.block.span.end)).toMatch(/^resource "aws_iam_policy" "reader" \{[\s\S]*EOT\n\}$/);
  });

  it("indexes module calls with local flag and inputs", () => {
    const assets = index.moduleCallByAddress("module.assets");
    expect(assets).toMatchObject({ name: "assets", source: "terraform-aws-modules/s3-bucket/aws", version: "4.1.0", local: false, file: "modules.tf", inputs: { bucket: "acme-assets" } });
    expect(index.moduleCallByAddress("module.logging.module.archive")?.local).toBe(true);
    expect(index.moduleCallByAddress("module.nope")).toBeUndefined();
  });

  it("links references both ways", () => {
    expect(index.resourceByAddress("aws_s3_bucket_versioning.logs")?.references).toEqual(["aws_s3_bucket.logs"]);
    expect(index.resourceByAddress("aws_s3_bucket.logs")?.referencedBy).toEqual(["aws_s3_bucket_versioning.logs"]);
    expect(index.resourceByAddress("aws_s3_bucket.audit")?.references).toEqual(["data.aws_caller_identity.current"]);
  });

  it("finds root modules and the provider version from the lock file", () => {
    expect(index.rootModules).toEqual(["", "stacks/app"]);
    expect(index.awsProviderMajor).toBe(5);
    expect(index.resourcesByAddress("aws_s3_bucket.nope")).toEqual([]);
  });

  it("parses nothing when re-indexing an unchanged checkout", async () => {
    const cache = new ParseCache();
    await indexRepository(tmp.dir, { cache });
    const firstMisses = cache.misses;
    const firstTotal = cache.misses + cache.hits;
    expect(firstMisses).toBeGreaterThan(10);
    cache.resetCounters();
    const again = await indexRepository(tmp.dir, { cache });
    expect(cache.misses).toBe(0);
    expect(cache.hits).toBe(firstTotal);
    expect(again.resources.length).toBe(index.resources.length);
    // One changed file is one parse.
    await writeFile(join(tmp.dir, "legacy.tf"), 'resource "aws_s3_bucket" "legacy" {\n  bucket = "changed"\n}\n');
    cache.resetCounters();
    await indexRepository(tmp.dir, { cache });
    expect(cache.misses).toBe(1);
  });

  it("indexes only a sub-path but still follows its modules", async () => {
    const sub = await indexRepository(join(FIXTURES, "basic"), { subPath: "modules/logging" });
    expect(sub.rootModules).toEqual(["modules/logging"]);
    expect(sub.resources.map((r) => r.address)).toContain("module.archive.module.deep.aws_sns_topic.this");
    expect(sub.files.has("modules/archive/main.tf")).toBe(true);
  });

  it("falls back to required_providers without a lock file", async () => {
    const t = await copyFixture("no-account");
    await writeFile(join(t.dir, "versions.tf"), 'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = ">= 3.0, < 5.0"\n    }\n  }\n}\n');
    expect((await indexRepository(t.dir)).awsProviderMajor).toBe(3);
    await t.cleanup();
  });
});

describe("helpers", () => {
  it.each([
    ["~> 5.0", 5],
    [">= 4.0, < 6.0", 4],
    ["= 3.76.1", 3],
    ["4.2.0", 4],
    ["< 6.0", undefined],
  ])("constraintMajor(%s)", (c, major) => {
    expect(constraintMajor(c)).toBe(major);
  });

  it.each([
    ["", "./a", "a"],
    ["x/y", "../z", "x/z"],
    ["x", "../../out", undefined],
    ["x", ".", "x"],
  ])("joinRel(%s, %s)", (dir, source, out) => {
    expect(joinRel(dir, source)).toBe(out);
  });

  it("reports invalid .tf.json and reads arrays of blocks", () => {
    expect(parseJsonConfig("a.tf.json", "{").errors).toHaveLength(1);
    expect(parseJsonConfig("a.tf.json", "[]").errors).toHaveLength(1);
    const ok = parseJsonConfig("a.tf.json", '{"resource": [{"aws_sns_topic": {"t": [{"name": "x\\"y"}]}}], "locals": {"a": 1}, "output": {"o": {"value": true}}}');
    expect(ok.blocks.map((b) => [b.type, ...b.labels])).toEqual([["resource", "aws_sns_topic", "t"], ["locals"], ["output", "o"]]);
    expect(ok.blocks[0]?.body).toEqual({ name: 'x"y' });
  });
});

describe("lazy validation", () => {
  it("indexes like eager mode and lets hcl2json reject files tree-sitter accepts", async () => {
    const t = await copyFixture("no-account");
    // tree-sitter accepts two attributes on one line; HCL does not (services.md §3.2).
    await writeFile(join(t.dir, "lenient.tf"), 'resource "aws_s3_bucket" "lenient" { bucket = "lenient-bucket" acl = "private" }\n');
    const { indexRepository: index, ParseCache: Cache } = await import("../../src/terraform/index.js");
    const { matchResourceValidated } = await import("../../src/terraform/match.js");
    const cache = new Cache();
    const lazy = await index(t.dir, { validation: "lazy", cache });
    expect(lazy.errors).toEqual([]);
    expect(lazy.files.get("main.tf")?.validated).toBe(false);
    const result = await matchResourceValidated(lazy, { arn: "arn:aws:s3:::lenient-bucket" });
    expect(result.status).toBe("no-match");
    expect(lazy.invalidFiles.has("lenient.tf")).toBe(true);
    expect(lazy.errors[0]?.file).toBe("lenient.tf");
    expect((await matchResourceValidated(lazy, { arn: "arn:aws:s3:::only-bucket" })).status).toBe("matched");
    expect(await lazy.validate()).toEqual([]);
    const eager = await index(t.dir, { cache });
    expect(eager.errors.map((e) => e.file)).toEqual(["lenient.tf"]);
    await t.cleanup();
  });
});

describe("stat fast path", () => {
  it("re-reads a file whose size or mtime changed, and trusts an old unchanged one", async () => {
    const { utimes } = await import("node:fs/promises");
    const t = await copyFixture("no-account");
    const file = join(t.dir, "main.tf");
    const old = new Date(Date.now() - 60_000);
    await utimes(file, old, old);
    const cache = new ParseCache();
    const first = await indexRepository(t.dir, { cache });
    const info = (await import("node:fs")).statSync(file);
    expect(cache.knownText(file, info.mtimeMs, info.size)?.text).toContain("only-bucket");
    await writeFile(file, 'resource "aws_s3_bucket" "only" {\n  bucket = "renamed-bucket"\n}\n');
    const second = await indexRepository(t.dir, { cache });
    expect(second).not.toBe(first);
    expect(second.resources[0]?.block.body?.bucket).toBe("renamed-bucket");
    expect(await indexRepository(t.dir, { cache })).toBe(second);
    await t.cleanup();
  });
});
