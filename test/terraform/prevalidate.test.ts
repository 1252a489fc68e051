import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHclValidator, type HclValidator } from "../../src/terraform/hcl-validator.js";
import { ParseCache, indexRepository } from "../../src/terraform/index.js";
import { copyFixture } from "./helpers.js";

/** The real hcl2json worker, counting what it is asked and when. */
const real = createHclValidator();
afterAll(() => real.close());
function counting(): { validator: HclValidator; asked: string[] } {
  const asked: string[] = [];
  const validator: HclValidator = {
    validate: (path, text) => {
      asked.push(path);
      return real.validate(path, text);
    },
    toJson: (path, text) => real.toJson(path, text),
    warm: () => real.warm(),
    close: () => Promise.resolve(),
  };
  return { validator, asked };
}

describe("prevalidation (check): hcl2json starts on each file tree-sitter has located", () => {
  let repo: Awaited<ReturnType<typeof copyFixture>>;
  beforeEach(async () => {
    repo = await copyFixture("idioms");
    await writeFile(join(repo.dir, "lenient.tf"), 'resource "aws_s3_bucket" "lenient" { bucket = "lenient-bucket" acl = "private" }\n');
  });
  afterEach(() => repo.cleanup());

  it("asks hcl2json about every located file before anyone validates, once each, with the same verdicts", async () => {
    const pre = counting();
    const index = await indexRepository(repo.dir, { cache: new ParseCache(undefined, { validator: pre.validator, prevalidate: true }), validation: "lazy" });
    const hcl = [...index.files.keys()].filter((f) => f.endsWith(".tf")).sort();
    expect(hcl.length).toBeGreaterThan(3);
    // Asked during indexing (its last requests are queued once the microtasks have run), not by validate().
    await new Promise((resolve) => setImmediate(resolve));
    expect([...pre.asked].sort()).toEqual(hcl);
    const errors = await index.validate();
    expect([...pre.asked].sort()).toEqual(hcl);

    const lazy = counting();
    const plain = await indexRepository(repo.dir, { cache: new ParseCache(undefined, { validator: lazy.validator }), validation: "lazy" });
    expect(lazy.asked).toEqual([]);
    expect(await plain.validate()).toEqual(errors);
    expect(errors.map((e) => e.file)).toEqual(["lenient.tf"]);
  });
});
