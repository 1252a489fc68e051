import { createHash } from "node:crypto";
import { sharedHclValidator, type HclValidator } from "./hcl-validator.js";
import { parseJsonConfig } from "./json-config.js";
import { completeLocated, locateBlocks, parseHclFile, type ParsedFile } from "./parse.js";
import { decodeLocated, decodeVerdict, encodeLocated, encodeVerdict, locatedKey, verdictKey, type ParseStore } from "./parse-store.js";
import type { RepositoryIndex } from "./types.js";

/** A file modified this recently may change again within the mtime resolution. */
const RACY_MS = 2000;

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export interface ParseCacheOptions {
  /** Persistent entries (located blocks and hcl2json verdicts) that outlive the process. */
  store?: ParseStore;
  /** Where hcl2json runs (default: the process's worker thread). */
  validator?: HclValidator;
  /**
   * Validate each file tree-sitter has just located, on the hcl2json thread, without waiting for
   * anyone to ask: for `check`, which validates nearly every file (every file with a finding),
   * the two parsers then run side by side instead of one after the other. Off for the daemon,
   * whose matches validate a few files of a large repository.
   */
  prevalidate?: boolean;
}

/**
 * Parsed files keyed by the SHA-256 of their content (and syntax), so re-indexing an unchanged
 * checkout parses nothing. Entries are path-independent; the index re-labels them on a hit.
 * With a `store`, located parses and verdicts also persist (src/adapters/parse-cache/), so a new
 * process on an unchanged checkout loads neither tree-sitter nor hcl2json.
 */
export class ParseCache {
  hits = 0;
  misses = 0;
  /** Misses of this process answered by the persistent store. */
  storeHits = 0;
  private readonly entries = new Map<string, ParsedFile>();
  private readonly store: ParseStore | undefined;
  private readonly validator: HclValidator | undefined;
  private readonly prevalidate: boolean;
  constructor(
    private readonly maxEntries = 50_000,
    options: ParseCacheOptions = {},
  ) {
    this.store = options.store;
    this.validator = options.validator;
    this.prevalidate = options.prevalidate === true;
  }

  /** Waits for the persistent store's writes (call before the process ends). */
  async flush(): Promise<void> {
    await this.store?.flush();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Indexes by root, with the fingerprint of the files they were built from. */
  private readonly indexes = new Map<string, { fingerprint: string; index: RepositoryIndex }>();

  /** The index built from exactly these files before, if any: an unchanged checkout is not even re-linked. */
  recallIndex(root: string, fingerprint: string): RepositoryIndex | undefined {
    const entry = this.indexes.get(root);
    return entry?.fingerprint === fingerprint ? entry.index : undefined;
  }

  rememberIndex(root: string, fingerprint: string, index: RepositoryIndex): void {
    this.indexes.set(root, { fingerprint, index });
  }

  /**
   * Parses a file, or returns the cached result for the same content. `locate` skips the WASM
   * HCL parser (tree-sitter only; see locateHclFile) unless a validated parse is already cached.
   */
  async parse(path: string, text: string, hash = sha256(text), mode: "full" | "locate" = "full"): Promise<ParsedFile> {
    const syntax = path.endsWith(".json") ? "json" : "hcl";
    const key = `${syntax}:${hash}`;
    const cached = this.entries.get(key) ?? (mode === "locate" ? this.entries.get(`locate:${hash}`) : undefined);
    if (cached !== undefined) {
      this.hits++;
      return cached.path === path ? cached : { ...cached, path };
    }
    this.misses++;
    const located = syntax === "hcl" && mode === "locate";
    const parsed = syntax === "json" ? parseJsonConfig(path, text) : located ? await this.locate(path, text, hash) : await parseHclFile(path, text);
    this.remember(located ? `locate:${hash}` : key, parsed);
    return parsed;
  }

  /** tree-sitter's blocks from the persistent store, else from tree-sitter (and then stored). */
  private async locate(path: string, text: string, hash: string): Promise<ParsedFile> {
    const data = await this.store?.read(locatedKey(hash));
    const stored = data === undefined ? undefined : decodeLocated(hash, text, data);
    if (stored !== undefined) {
      this.storeHits++;
      return completeLocated(path, text, stored);
    }
    // Content this cache has not seen may need hcl2json soon (a finding or a match in it): start
    // its runtime now, on its own thread, while tree-sitter works here.
    this.validatorInUse().warm();
    const found = await locateBlocks(path, text);
    // Encoded before completeLocated fills in the contents (they are rebuilt on a hit).
    this.store?.write(locatedKey(hash), encodeLocated(hash, found));
    // A failure here is the verdict's own (validate() is asked again, and reports it then).
    if (this.prevalidate) this.validate(path, text, hash).catch(() => undefined);
    return completeLocated(path, text, found);
  }

  private validatorInUse(): HclValidator {
    return this.validator ?? sharedHclValidator();
  }

  /** hcl2json's verdict on a file (null when valid), cached by path and content hash. */
  async validate(path: string, text: string, hash = sha256(text)): Promise<string | null> {
    const full = this.entries.get(`hcl:${hash}`);
    if (full !== undefined) return full.errors.length === 0 ? null : full.errors.join("; ");
    const key = verdictKey(path, hash);
    const known = this.verdicts.get(key);
    if (known !== undefined) return known;
    // One hcl2json run per file and content, however many ask at once (a prevalidation among them).
    const running = this.running.get(key);
    if (running !== undefined) return running;
    const verdict = this.freshVerdict(path, text, key).finally(() => this.running.delete(key));
    this.running.set(key, verdict);
    return verdict;
  }

  private async freshVerdict(path: string, text: string, key: string): Promise<string | null> {
    const data = await this.store?.read(key);
    const stored = data === undefined ? undefined : decodeVerdict(data);
    if (stored !== undefined) {
      this.verdicts.set(key, stored);
      return stored;
    }
    const verdict = await this.validatorInUse().validate(path, text);
    this.verdicts.set(key, verdict);
    this.store?.write(key, encodeVerdict(verdict));
    return verdict;
  }

  private readonly verdicts = new Map<string, string | null>();
  private readonly running = new Map<string, Promise<string | null>>();
  private readonly stats = new Map<string, { mtimeMs: number; size: number; hash: string }>();

  /**
   * The content hash of a file whose size and mtime have not changed, when the cache still holds
   * its text: an unchanged checkout is then not even read. Like git's index, a file modified in the
   * same instant as it was recorded is "racy" and never trusted (it is re-read and re-hashed).
   */
  knownText(absPath: string, mtimeMs: number, size: number): { hash: string; text: string } | undefined {
    const seen = this.stats.get(absPath);
    if (seen === undefined || seen.mtimeMs !== mtimeMs || seen.size !== size) return undefined;
    const entry = this.entries.get(`hcl:${seen.hash}`) ?? this.entries.get(`json:${seen.hash}`) ?? this.entries.get(`locate:${seen.hash}`);
    return entry === undefined ? undefined : { hash: seen.hash, text: entry.text };
  }

  recordStat(absPath: string, mtimeMs: number, size: number, hash: string, now = Date.now()): void {
    if (mtimeMs < now - RACY_MS) this.stats.set(absPath, { mtimeMs, size, hash });
  }

  private remember(key: string, parsed: ParsedFile): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, parsed);
  }

  resetCounters(): void {
    this.hits = 0;
    this.misses = 0;
  }
}
