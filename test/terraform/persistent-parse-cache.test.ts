import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFileParseStore } from "../../src/adapters/parse-cache/file-store.js";
import { ParseCache, indexRepository, type RepositoryIndex } from "../../src/terraform/index.js";
import { parseStoreVersion } from "../../src/terraform/parse-store.js";
import { copyFixture } from "./helpers.js";

/** A new process's cache on the same work dir. */
function cacheOn(dir: string, version = parseStoreVersion()): ParseCache {
  return new ParseCache(undefined, { store: createFileParseStore({ dir, version, maxBytes: 64 << 20 }) });
}

/** What a consumer of the index sees, in a comparable form. */
function view(index: RepositoryIndex): unknown {
  return {
    files: [...index.files.values()].map((f) => ({ ...f })),
    resources: index.resources.map((r) => ({ address: r.address, file: r.file, block: r.block, references: r.references, referencedBy: r.referencedBy })),
    moduleCalls: index.moduleCalls.map((c) => ({ address: c.address, inputs: c.inputs })),
    errors: index.errors,
  };
}

describe("the persistent parse cache (content hash -> located blocks, in the work dir)", () => {
  let repo: Awaited<ReturnType<typeof copyFixture>>;
  let work = "";
  beforeEach(async () => {
    repo = await copyFixture("idioms");
    work = join(repo.dir, "..", `${repo.dir.split("/").pop() ?? "x"}-work`);
  });
  afterEach(async () => {
    await repo.cleanup();
    await rm(work, { recursive: true, force: true });
  });

  it("a second process parses nothing and builds the same index", async () => {
    const cold = cacheOn(work);
    const first = await indexRepository(repo.dir, { cache: cold, validation: "lazy" });
    await cold.flush();
    expect(cold.storeHits).toBe(0);
    const warm = cacheOn(work);
    const second = await indexRepository(repo.dir, { cache: warm, validation: "lazy" });
    const tfFiles = [...second.files.keys()].filter((f) => f.endsWith(".tf")).length;
    expect(tfFiles).toBeGreaterThan(3);
    expect(warm.storeHits).toBe(tfFiles);
    expect(view(second)).toEqual(view(first));
  });

  it("keeps hcl2json's verdicts: a rejected file stays rejected warm, with the same message", async () => {
    await writeFile(join(repo.dir, "lenient.tf"), 'resource "aws_s3_bucket" "lenient" { bucket = "lenient-bucket" acl = "private" }\n');
    const cold = cacheOn(work);
    const first = await indexRepository(repo.dir, { cache: cold, validation: "lazy" });
    const coldErrors = await first.validate();
    await cold.flush();
    expect(coldErrors.map((e) => e.file)).toEqual(["lenient.tf"]);
    const never = () => Promise.reject(new Error("hcl2json must not run warm"));
    const failing = { validate: never, toJson: never, warm: () => undefined, close: () => Promise.resolve() };
    const warm = new ParseCache(undefined, { store: createFileParseStore({ dir: work, version: parseStoreVersion(), maxBytes: 64 << 20 }), validator: failing });
    const second = await indexRepository(repo.dir, { cache: warm, validation: "lazy" });
    expect(await second.validate()).toEqual(coldErrors);
  });

  it("a different TerraFix or parser version starts empty", async () => {
    const cold = cacheOn(work, "v1-one");
    await indexRepository(repo.dir, { cache: cold, validation: "lazy" });
    await cold.flush();
    const other = cacheOn(work, "v1-two");
    await indexRepository(repo.dir, { cache: other, validation: "lazy" });
    // Its writes run in the background: finish them before the work dir is removed after the test.
    await other.flush();
    expect(other.storeHits).toBe(0);
    expect(parseStoreVersion()).toMatch(/^v\d+-[0-9a-f]{16}$/);
  });

  it("ignores a corrupt entry, parses the file again and rewrites it", async () => {
    const cold = cacheOn(work);
    const first = await indexRepository(repo.dir, { cache: cold, validation: "lazy" });
    await cold.flush();
    const version = (await readdir(work))[0] ?? "";
    const shard = (await readdir(join(work, version))).find((s) => s !== ".tmp") ?? "";
    const [name = ""] = await readdir(join(work, version, shard));
    const path = join(work, version, shard, name);
    const intact = await readFile(path, "utf8");
    // A valid frame around a payload that is not a located parse: the digest matches, the shape does not.
    const { createHash } = await import("node:crypto");
    const payload = '{"hash":"nope","blocks":[]}';
    await writeFile(path, `${createHash("sha256").update(payload).digest("hex")}\n${payload}`);
    const warm = cacheOn(work);
    const second = await indexRepository(repo.dir, { cache: warm, validation: "lazy" });
    await warm.flush();
    expect(warm.storeHits).toBe(warm.misses - 1 - [...second.files.keys()].filter((f) => !f.endsWith(".tf")).length);
    expect(view(second)).toEqual(view(first));
    expect(await readFile(path, "utf8")).toBe(intact);
  });
});
