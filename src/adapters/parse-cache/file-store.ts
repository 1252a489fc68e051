import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ParseStore } from "../../terraform/parse-store.js";

/**
 * The persistent parse cache in the work dir: one file per entry under `<dir>/<version>/<xx>/`,
 * like git's loose objects. Safe with several processes on one folder: an entry is written to a
 * temporary file and renamed into place (rename is atomic on one file system), so a reader sees
 * a whole entry or none; two writers of one key write the same bytes. Each entry starts with the
 * SHA-256 of its payload: a torn or corrupt file is a miss and is written again.
 *
 * Size-bounded (approximately, with several writers): when the writes take the namespace over
 * `maxBytes`, the entries used least recently (mtime, refreshed at most hourly on a hit) are
 * removed down to 80% of it.
 * Namespaces of other versions are removed when the store first writes.
 */
export interface FileParseStoreOptions {
  /** The cache folder (e.g. `<TERRAFIX_WORK_DIR>/.parse-cache`). */
  dir: string;
  /** Namespace (parseStoreVersion()): a different version never reads these entries. */
  version: string;
  maxBytes: number;
  /** The first reason a write or eviction failed (the cache then only misses; the work goes on). */
  onError?: (message: string, error: unknown) => void;
}

/** A hit refreshes an entry's mtime (its LRU position) at most this often. */
const TOUCH_MS = 60 * 60 * 1000;
/** Temporary files of a process that died mid-write are removed after this long. */
const STALE_TMP_MS = 60 * 60 * 1000;

export interface FileParseStore extends ParseStore {
  /** Bytes of this namespace as last measured plus what was written since (an estimate with other writers). */
  readonly approxBytes: number | undefined;
}

export function createFileParseStore(options: FileParseStoreOptions): FileParseStore {
  const root = join(options.dir, options.version);
  const tmp = join(root, ".tmp");
  const inflight = new Set<Promise<void>>();
  let prepared: Promise<void> | undefined;
  let measured: number | undefined;
  let written = 0;
  let sweeping: Promise<void> | undefined;
  const shards = new Set<string>();
  // Once per process: a read-only work dir would otherwise warn for every file.
  let reported = false;
  const report = (message: string, error: unknown): void => {
    if (reported) return;
    reported = true;
    options.onError?.(message, error);
  };

  const pathOf = (key: string): string => join(root, key.slice(-2), key);
  const frame = (data: string): string => `${digest(data)}\n${data}`;

  function prepare(): Promise<void> {
    prepared ??= (async () => {
      await mkdir(tmp, { recursive: true });
      // Another version's entries can never be read again by this version.
      for (const entry of await readdir(options.dir, { withFileTypes: true })) {
        if (entry.isDirectory() && entry.name !== options.version && /^v\d+-/.test(entry.name)) await rm(join(options.dir, entry.name), { recursive: true, force: true });
      }
    })();
    return prepared;
  }

  async function put(key: string, data: string): Promise<void> {
    const body = frame(data);
    try {
      await prepare();
      const target = pathOf(key);
      const shard = join(target, "..");
      // One mkdir per shard and process, not per entry (a cold index writes thousands).
      if (!shards.has(shard)) {
        await mkdir(shard, { recursive: true });
        shards.add(shard);
      }
      const temporary = join(tmp, `${key}.${process.pid}.${randomBytes(4).toString("hex")}`);
      await writeFile(temporary, body);
      await rename(temporary, target);
      written += Buffer.byteLength(body);
      sweepIfNeeded();
    } catch (error) {
      report("parse cache write failed", error);
    }
  }

  /**
   * Measures the namespace once per process (at the first write), and again with eviction when
   * the writes since take it over the bound. One sweep at a time; a daemon never needs to flush.
   */
  function sweepIfNeeded(): void {
    if (sweeping !== undefined || (measured !== undefined && measured + written <= options.maxBytes)) return;
    const counted = written;
    sweeping = evict(root, options.maxBytes)
      .then((kept) => {
        measured = kept;
        written -= counted;
      })
      .catch((error: unknown) => report("parse cache eviction failed", error))
      .finally(() => {
        sweeping = undefined;
      });
  }

  return {
    get approxBytes() {
      return measured === undefined ? undefined : measured + written;
    },
    async read(key) {
      let handle;
      try {
        handle = await open(pathOf(key), "r");
      } catch {
        return undefined;
      }
      try {
        const [content, info] = await Promise.all([handle.readFile("utf8"), handle.stat()]);
        const newline = content.indexOf("\n");
        const data = content.slice(newline + 1);
        if (newline !== 64 || content.slice(0, 64) !== digest(data)) return undefined;
        if (Date.now() - info.mtimeMs > TOUCH_MS) {
          const now = new Date();
          await handle.utimes(now, now).catch(() => undefined);
        }
        return data;
      } catch {
        return undefined;
      } finally {
        await handle.close().catch(() => undefined);
      }
    },
    write(key, data) {
      if (!/^[a-z]-[0-9a-f]{64}$/.test(key)) throw new Error(`parse cache: bad key ${key}`);
      const task = put(key, data).finally(() => inflight.delete(task));
      inflight.add(task);
    },
    async flush() {
      while (inflight.size > 0 || sweeping !== undefined) await Promise.all([...inflight, sweeping]);
    },
  };
}

function digest(data: string): string {
  return createHash("sha256").update(data, "utf8").digest("hex");
}

/** Measures the namespace; over `maxBytes`, removes least recently used entries down to 80%. Returns the bytes kept. */
async function evict(root: string, maxBytes: number): Promise<number> {
  const entries: { path: string; size: number; mtimeMs: number }[] = [];
  const now = Date.now();
  for (const shard of await readdir(root, { withFileTypes: true })) {
    if (!shard.isDirectory()) continue;
    const folder = join(root, shard.name);
    for (const name of await readdir(folder).catch(() => [] as string[])) {
      const path = join(folder, name);
      const info = await stat(path).catch(() => undefined);
      if (info === undefined) continue;
      if (shard.name === ".tmp") {
        if (now - info.mtimeMs > STALE_TMP_MS) await unlink(path).catch(() => undefined);
        continue;
      }
      entries.push({ path, size: info.size, mtimeMs: info.mtimeMs });
    }
  }
  let total = entries.reduce((sum, e) => sum + e.size, 0);
  if (total <= maxBytes) return total;
  entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
  const goal = Math.floor(maxBytes * 0.8);
  for (const entry of entries) {
    if (total <= goal) break;
    await unlink(entry.path).catch(() => undefined);
    total -= entry.size;
  }
  return total;
}

