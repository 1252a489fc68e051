import { createHash } from "node:crypto";
import { parseJsonConfig } from "./json-config.js";
import { hclToJson, locateHclFile, parseHclFile, type ParsedFile } from "./parse.js";
import type { RepositoryIndex } from "./types.js";

/** A file modified this recently may change again within the mtime resolution. */
const RACY_MS = 2000;

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * Parsed files keyed by the SHA-256 of their content (and syntax), so re-indexing an unchanged
 * checkout parses nothing. Entries are path-independent; the index re-labels them on a hit.
 */
export class ParseCache {
  hits = 0;
  misses = 0;
  private readonly entries = new Map<string, ParsedFile>();
  constructor(private readonly maxEntries = 50_000) {}

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
    const parsed = syntax === "json" ? parseJsonConfig(path, text) : located ? await locateHclFile(path, text) : await parseHclFile(path, text);
    this.store(located ? `locate:${hash}` : key, parsed);
    return parsed;
  }

  /** hcl2json's verdict on a file (null when valid), cached by content hash. */
  async validate(path: string, text: string, hash = sha256(text)): Promise<string | null> {
    const full = this.entries.get(`hcl:${hash}`);
    if (full !== undefined) return full.errors.length === 0 ? null : full.errors.join("; ");
    const known = this.verdicts.get(hash);
    if (known !== undefined) return known;
    let verdict: string | null = null;
    try {
      await hclToJson(path, text);
    } catch (error) {
      verdict = (error instanceof Error ? error.message : String(error)).replace(/^parse config: /, "").trim();
    }
    this.verdicts.set(hash, verdict);
    return verdict;
  }

  private readonly verdicts = new Map<string, string | null>();
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

  private store(key: string, parsed: ParsedFile): void {
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
