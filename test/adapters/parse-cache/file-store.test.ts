import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFileParseStore } from "../../../src/adapters/parse-cache/file-store.js";

const key = (n: number, kind = "l"): string => `${kind}-${n.toString(16).padStart(64, "0")}`;

/** Every entry file of a store folder (not the temporary ones). */
async function entryFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const version of await readdir(dir)) {
    for (const shard of await readdir(join(dir, version))) {
      if (shard === ".tmp") continue;
      for (const name of await readdir(join(dir, version, shard))) out.push(join(dir, version, shard, name));
    }
  }
  return out.sort();
}

describe("the persistent parse store", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "terrafix-parse-store-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("reads back what it wrote, in a new store on the same folder (a new process), and misses the rest", async () => {
    const first = createFileParseStore({ dir, version: "v1-a", maxBytes: 1 << 20 });
    first.write(key(1), '{"x":1}');
    await first.flush();
    const second = createFileParseStore({ dir, version: "v1-a", maxBytes: 1 << 20 });
    expect(await second.read(key(1))).toBe('{"x":1}');
    expect(await second.read(key(2))).toBeUndefined();
  });

  it("rejects keys that could name a path", () => {
    const store = createFileParseStore({ dir, version: "v1-a", maxBytes: 1 << 20 });
    expect(() => store.write("l-../../etc/passwd", "x")).toThrow(/bad key/);
  });

  it("ignores a corrupt or torn entry, and a later write replaces it", async () => {
    const store = createFileParseStore({ dir, version: "v1-a", maxBytes: 1 << 20 });
    store.write(key(1), '{"x":1}');
    store.write(key(2), '{"y":2}');
    await store.flush();
    const [one, two] = await entryFiles(dir);
    const intact = await readFile(one!, "utf8");
    await writeFile(one!, intact.replace('"x":1', '"x":7')); // payload no longer matches its digest
    await writeFile(two!, intact.slice(0, 30)); // torn
    expect(await store.read(key(1))).toBeUndefined();
    expect(await store.read(key(2))).toBeUndefined();
    store.write(key(1), '{"x":1}');
    await store.flush();
    expect(await store.read(key(1))).toBe('{"x":1}');
  });

  it("drops the entries of another version when it first writes", async () => {
    const old = createFileParseStore({ dir, version: "v1-old", maxBytes: 1 << 20 });
    old.write(key(1), "old");
    await old.flush();
    const current = createFileParseStore({ dir, version: "v1-new", maxBytes: 1 << 20 });
    expect(await current.read(key(1))).toBeUndefined();
    current.write(key(2), "new");
    await current.flush();
    expect(await readdir(dir)).toEqual(["v1-new"]);
    expect(await createFileParseStore({ dir, version: "v1-old", maxBytes: 1 << 20 }).read(key(1))).toBeUndefined();
  });

  it("stays under its size bound, evicting the least recently used entries first", async () => {
    const payload = "x".repeat(1000);
    const seed = createFileParseStore({ dir, version: "v1-a", maxBytes: 1 << 20 });
    for (let i = 0; i < 10; i++) seed.write(key(i), payload);
    await seed.flush();
    // Entry 0 is the oldest by write time but was read recently; 1..9 were not.
    const files = await entryFiles(dir);
    for (const [i, file] of files.entries()) {
      const when = new Date(Date.now() - (3 * 3600 - i * 60) * 1000);
      await utimes(file, when, when);
    }
    expect(await seed.read(key(0))).toBe(payload); // a hit on an entry older than an hour refreshes it
    const bound = 8 * 1066; // eight entries (64-hex digest, newline, payload)
    const store = createFileParseStore({ dir, version: "v1-a", maxBytes: bound });
    store.write(key(100), payload);
    await store.flush();
    const kept = await entryFiles(dir);
    let total = 0;
    for (const file of kept) total += (await stat(file)).size;
    expect(total).toBeLessThanOrEqual(bound);
    expect(await store.read(key(0))).toBe(payload);
    expect(await store.read(key(100))).toBe(payload);
    expect(await store.read(key(1))).toBeUndefined(); // the least recently used
  });

  it("two writers of the same keys at once leave whole entries only", async () => {
    const big = (n: number): string => JSON.stringify({ n, fill: "y".repeat(200_000) });
    const a = createFileParseStore({ dir, version: "v1-a", maxBytes: 1 << 30 });
    const b = createFileParseStore({ dir, version: "v1-a", maxBytes: 1 << 30 });
    const reads: Promise<string | undefined>[] = [];
    for (let i = 0; i < 20; i++) {
      a.write(key(i % 4), big(i % 4));
      b.write(key(i % 4), big(i % 4));
      reads.push(a.read(key(i % 4)));
    }
    await Promise.all([a.flush(), b.flush()]);
    for (const [i, read] of (await Promise.all(reads)).entries()) if (read !== undefined) expect(read).toBe(big(i % 4));
    for (let i = 0; i < 4; i++) expect(await b.read(key(i))).toBe(big(i));
    expect(await readdir(join(dir, "v1-a", ".tmp"))).toEqual([]);
  });

  it("reports the first failure to write and goes on without the cache", async () => {
    const blocked = join(dir, "file");
    await writeFile(blocked, "not a folder");
    const messages: string[] = [];
    const store = createFileParseStore({ dir: join(blocked, "cache"), version: "v1-a", maxBytes: 1 << 20, onError: (m) => messages.push(m) });
    store.write(key(1), "x");
    store.write(key(2), "y");
    await store.flush();
    expect(messages).toEqual(["parse cache write failed"]);
    expect(await store.read(key(1))).toBeUndefined();
  });
});
