import { afterAll, describe, expect, it } from "vitest";
import { createHclValidator } from "../../src/terraform/hcl-validator.js";

describe("hcl2json on a worker thread", () => {
  const validator = createHclValidator();
  afterAll(() => validator.close());

  it.each([
    ["a valid file", 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n', null],
    // tree-sitter accepts two attributes on one line; HCL does not (services.md §3.2).
    ["two attributes on one line", 'resource "aws_s3_bucket" "b" { bucket = "x" acl = "private" }\n', /lenient\.tf/],
    ["an unclosed block", 'resource "aws_s3_bucket" "b" {\n', /lenient\.tf/],
  ])("%s", async (_name, text, expected) => {
    const verdict = await validator.validate("lenient.tf", text);
    if (expected === null) expect(verdict).toBeNull();
    else {
      expect(verdict).toMatch(expected);
      // The diagnostic without hcl2json's "parse config: " prefix.
      expect(verdict).not.toMatch(/^parse config/);
    }
  });

  it("answers many requests in flight, each with its own verdict", async () => {
    const texts = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? `locals { a${i} = 1 b = 2 }\n` : `locals {\n  a${i} = ${i}\n}\n`));
    const verdicts = await Promise.all(texts.map((text, i) => validator.validate(`f${i}.tf`, text)));
    verdicts.forEach((verdict, i) => (i % 3 === 0 ? expect(verdict).toContain(`f${i}.tf`) : expect(verdict).toBeNull()));
  });

  it("starts a new worker after close", async () => {
    await validator.close();
    expect(await validator.validate("x.tf", "locals {\n  a = 1\n}\n")).toBeNull();
  });
});
