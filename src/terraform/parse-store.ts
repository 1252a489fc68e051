import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { HclAttribute, HclBlock, LocatedBlocks, SourceSpan } from "./parse.js";

/**
 * The persistent side of the parse cache: a content-addressed store of strings that outlives the
 * process (an adapter in src/adapters/parse-cache/ keeps it in the work dir), so repeated CLI
 * calls and a restarted daemon find the files they parsed before (issue 17). Writes may finish
 * later; `flush` waits for them. A store never throws for a missing or unreadable entry.
 */
export interface ParseStore {
  read(key: string): Promise<string | undefined>;
  write(key: string, data: string): void;
  flush(): Promise<void>;
}

/** Bump when the stored shape or the meaning of a located parse changes. */
const FORMAT = 1;
const PARSER_PACKAGES = ["web-tree-sitter", "@tree-sitter-grammars/tree-sitter-hcl", "@cdktf/hcl2json"] as const;

/**
 * The namespace of stored entries: the format, TerraFix's version and the parsers' versions. A
 * change of any of them starts an empty namespace (the store drops the others).
 */
export function parseStoreVersion(): string {
  const require = createRequire(import.meta.url);
  const versionOf = (pkg: string): string => {
    try {
      const manifest = JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), "utf8")) as { version?: unknown };
      return typeof manifest.version === "string" ? manifest.version : "unknown";
    } catch {
      // Packages whose exports hide package.json: their resolved entry point stands for the version.
      try {
        return require.resolve(pkg);
      } catch {
        return "missing";
      }
    }
  };
  let own = "unknown";
  try {
    // src/terraform/ and dist/terraform/ are both two folders below the package root.
    own = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string }).version ?? own;
  } catch {
    // no package.json beside the code: the parsers' versions still separate namespaces
  }
  const parts = [`format ${FORMAT}`, `terrafix ${own}`, ...PARSER_PACKAGES.map((p) => `${p} ${versionOf(p)}`)];
  return `v${FORMAT}-${createHash("sha256").update(parts.join("\n")).digest("hex").slice(0, 16)}`;
}

/** Store keys: the tree-sitter blocks of a content hash, and hcl2json's verdict on a file. */
export function locatedKey(hash: string): string {
  return `l-${hash}`;
}

/** Verdicts name the file (`main.tf:3,1-2: ...`), so they are keyed by path and content. */
export function verdictKey(path: string, hash: string): string {
  return `v-${createHash("sha256").update(`${path}\u0000${hash}`).digest("hex")}`;
}

/** Compact form of a span: [start, end, startLine, endLine]. */
type StoredSpan = [number, number, number, number];
interface StoredAttribute {
  n: string;
  s: StoredSpan;
  v: StoredSpan;
}
interface StoredBlock {
  t: string;
  l: string[];
  s: StoredSpan;
  b: StoredSpan;
  i: string;
  a: StoredAttribute[];
  c: StoredBlock[];
}
interface StoredLocated {
  hash: string;
  blocks: StoredBlock[];
  error?: string;
}

/**
 * What tree-sitter found, without what the text gives back (attribute value texts) or what is
 * rebuilt from the blocks (contents): see `decodeLocated`. Call before `completeLocated`.
 */
export function encodeLocated(hash: string, located: LocatedBlocks): string {
  const span = (s: SourceSpan): StoredSpan => [s.start, s.end, s.startLine, s.endLine];
  const attribute = (a: HclAttribute): StoredAttribute => ({ n: a.name, s: span(a.span), v: span(a.valueSpan) });
  const block = (b: HclBlock): StoredBlock => ({ t: b.type, l: b.labels, s: span(b.span), b: span(b.bodySpan), i: b.indent, a: b.attributes.map(attribute), c: b.blocks.map(block) });
  const stored: StoredLocated = { hash, blocks: located.blocks.map(block), ...(located.error === undefined ? {} : { error: located.error }) };
  return JSON.stringify(stored);
}

/** The located blocks stored for this content, or undefined when the entry is not one (a corrupt entry is a miss). */
export function decodeLocated(hash: string, text: string, data: string): LocatedBlocks | undefined {
  let stored: StoredLocated;
  try {
    stored = JSON.parse(data) as StoredLocated;
  } catch {
    return undefined;
  }
  if (typeof stored !== "object" || stored === null || stored.hash !== hash || !Array.isArray(stored.blocks)) return undefined;
  const span = (s: unknown): SourceSpan => {
    if (!Array.isArray(s) || s.length !== 4 || !s.every((n) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= text.length + 1)) throw new Error("bad span");
    const [start = 0, end = 0, startLine = 0, endLine = 0] = s as number[];
    return { start, end, startLine, endLine };
  };
  const attribute = (a: StoredAttribute): HclAttribute => {
    const valueSpan = span(a.v);
    if (typeof a.n !== "string") throw new Error("bad attribute");
    return { name: a.n, span: span(a.s), valueSpan, valueText: text.slice(valueSpan.start, valueSpan.end) };
  };
  const block = (b: StoredBlock): HclBlock => {
    if (typeof b.t !== "string" || typeof b.i !== "string" || !Array.isArray(b.l) || !b.l.every((l) => typeof l === "string") || !Array.isArray(b.a) || !Array.isArray(b.c)) throw new Error("bad block");
    return { type: b.t, labels: b.l, span: span(b.s), bodySpan: span(b.b), attributes: b.a.map(attribute), blocks: b.c.map(block), indent: b.i, body: null };
  };
  try {
    const blocks = stored.blocks.map(block);
    return typeof stored.error === "string" ? { blocks, error: stored.error } : { blocks };
  } catch {
    return undefined;
  }
}

export function encodeVerdict(verdict: string | null): string {
  return JSON.stringify({ verdict });
}

/** The stored verdict (null = valid), or undefined for a missing or corrupt entry. */
export function decodeVerdict(data: string): string | null | undefined {
  try {
    const parsed = JSON.parse(data) as { verdict?: unknown };
    return parsed.verdict === null || typeof parsed.verdict === "string" ? parsed.verdict : undefined;
  } catch {
    return undefined;
  }
}
