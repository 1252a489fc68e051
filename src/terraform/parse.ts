import { createRequire } from "node:module";
import type { Node, Parser } from "web-tree-sitter";
import { sharedHclValidator } from "./hcl-validator.js";
import { bodyFromBlock, jsonFromBlocks } from "./tree-body.js";

/**
 * HCL parsing in two passes (shared/reference/services.md §3): tree-sitter *locates* blocks and
 * attributes with exact source spans; hcl2json (the real HashiCorp parser, compiled to WASM)
 * *validates* the file and gives each block's content. tree-sitter is lenient and hcl2json has
 * no positions, so neither alone is enough.
 *
 * Offsets are JS string (UTF-16) offsets, as web-tree-sitter reports them, so
 * `text.slice(span.start, span.end)` is exact. Lines are 1-based.
 */
export interface SourceSpan {
  start: number;
  end: number;
  startLine: number;
  endLine: number;
}

export interface HclAttribute {
  name: string;
  span: SourceSpan;
  /** Span of the value expression. */
  valueSpan: SourceSpan;
  valueText: string;
}

export interface HclBlock {
  /** `resource`, `data`, `module`, `variable`, `locals`, or a nested block type such as `ingress`. */
  type: string;
  labels: string[];
  /** From the type keyword through the closing brace. */
  span: SourceSpan;
  /** Inside the braces (exclusive). */
  bodySpan: SourceSpan;
  attributes: HclAttribute[];
  blocks: HclBlock[];
  /** Leading whitespace of the block's first line. */
  indent: string;
  /** Content as hcl2json gives it (attributes plain, nested blocks as arrays, expressions as "${...}"); null when the file did not validate. */
  body: Record<string, unknown> | null;
}

export interface ParsedFile {
  path: string;
  text: string;
  blocks: HclBlock[];
  /** hcl2json output for the whole file, or null when it does not parse. */
  json: Record<string, unknown> | null;
  /** Parse errors (hcl2json diagnostics, or tree-sitter ERROR nodes). Empty when the file is valid. */
  errors: string[];
  /**
   * False when only located (tree-sitter) and not yet checked by hcl2json: `json` and block
   * bodies are then built from the source text (see `locateHclFile`). Absent means validated.
   */
  validated?: boolean;
}

let parserPromise: Promise<Parser> | undefined;

/**
 * Loads the tree-sitter Terraform grammar once per process, on first use: a process whose files
 * all come from the persistent parse cache never loads it.
 */
function getParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    const { Language, Parser } = await import("web-tree-sitter");
    await Parser.init();
    const require = createRequire(import.meta.url);
    const wasm = require.resolve("@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm");
    const language = await Language.load(wasm);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/**
 * Validates HCL with the real parser; resolves to the JSON form, or rejects with its diagnostics.
 * On the process's hcl2json worker thread (hcl-validator.ts): the main thread never loads the
 * Go WASM (~0.26 s, ~125 MB, and timers that outlive the work; issue 17).
 */
export function hclToJson(path: string, text: string): Promise<Record<string, unknown>> {
  return sharedHclValidator().toJson(path, text);
}

/** Locates every top-level block of a `.tf` file and validates the file. Never throws for bad HCL. */
export async function parseHclFile(path: string, text: string): Promise<ParsedFile> {
  const parser = await getParser();
  const tree = parser.parse(text);
  const errors: string[] = [];
  let json: Record<string, unknown> | null = null;
  try {
    json = await hclToJson(path, text);
  } catch (error) {
    errors.push(cleanDiagnostic(error));
  }
  if (tree === null) return { path, text, blocks: [], json, errors: errors.length > 0 ? errors : ["tree-sitter failed to parse"] };
  try {
    const lineStarts = computeLineStarts(text);
    const body = tree.rootNode.namedChildren.find((n) => n?.type === "body");
    const blocks = body === undefined || body === null ? [] : readBlocks(body, text, lineStarts);
    if (json !== null) attachBodies(blocks, json);
    if (tree.rootNode.hasError && errors.length === 0) errors.push(`${path}: syntax error near line ${firstErrorLine(tree.rootNode)}`);
    return { path, text, blocks, json: errors.length > 0 ? null : json, errors };
  } finally {
    tree.delete();
  }
}

/**
 * Locates blocks with tree-sitter only, and builds their content from the source text, without
 * the WASM HCL parser (the slow part at scale). Syntax errors tree-sitter sees are reported; the
 * file is `validated: false` until hcl2json has checked it.
 */
export async function locateHclFile(path: string, text: string): Promise<ParsedFile> {
  return completeLocated(path, text, await locateBlocks(path, text));
}

/** What tree-sitter finds in a file: the part of a located parse worth persisting (see parse-store.ts). */
export interface LocatedBlocks {
  blocks: HclBlock[];
  /** A syntax error tree-sitter reported, if any. */
  error?: string;
}

/** Runs tree-sitter over a file: blocks with spans, attribute value texts; no bodies yet. */
export async function locateBlocks(path: string, text: string): Promise<LocatedBlocks> {
  const parser = await getParser();
  const tree = parser.parse(text);
  if (tree === null) return { blocks: [], error: "tree-sitter failed to parse" };
  try {
    const lineStarts = computeLineStarts(text);
    const body = tree.rootNode.namedChildren.find((n) => n?.type === "body");
    const blocks = body === undefined || body === null ? [] : readBlocks(body, text, lineStarts);
    return tree.rootNode.hasError ? { blocks, error: `${path}: syntax error near line ${firstErrorLine(tree.rootNode)}` } : { blocks };
  } finally {
    tree.delete();
  }
}

/** The located ParsedFile of `locateBlocks`' answer: block contents built from the source text. */
export function completeLocated(path: string, text: string, located: LocatedBlocks): ParsedFile {
  const { blocks, error } = located;
  if (error !== undefined) return { path, text, blocks, json: null, errors: [error], validated: false };
  const withBodies = (b: HclBlock): void => {
    b.body = bodyFromBlock(b);
    b.blocks.forEach(withBodies);
  };
  blocks.forEach(withBodies);
  return { path, text, blocks, json: jsonFromBlocks(blocks), errors: [], validated: false };
}

function readBlocks(body: Node, text: string, lineStarts: number[]): HclBlock[] {
  const blocks: HclBlock[] = [];
  for (const child of body.namedChildren) {
    if (child?.type === "block") blocks.push(readBlock(child, text, lineStarts));
  }
  return blocks;
}

function readBlock(node: Node, text: string, lineStarts: number[]): HclBlock {
  const labels: string[] = [];
  let type = "";
  let bodyNode: Node | null = null;
  let blockStart: Node | null = null;
  let blockEnd: Node | null = null;
  for (const child of node.namedChildren) {
    if (child === null) continue;
    if (child.type === "identifier" && type === "") type = child.text;
    else if (child.type === "identifier") labels.push(child.text);
    else if (child.type === "string_lit") labels.push(unquoteLabel(child));
    else if (child.type === "block_start") blockStart = child;
    else if (child.type === "block_end") blockEnd = child;
    else if (child.type === "body") bodyNode = child;
  }
  const attributes: HclAttribute[] = [];
  const blocks: HclBlock[] = [];
  if (bodyNode !== null) {
    for (const child of bodyNode.namedChildren) {
      if (child?.type === "attribute") {
        const name = child.namedChildren.find((n) => n?.type === "identifier");
        const value = child.namedChildren.find((n) => n?.type === "expression");
        if (name && value)
          attributes.push({
            name: name.text,
            span: spanOf(child.startIndex, child.endIndex, lineStarts),
            valueSpan: spanOf(value.startIndex, value.endIndex, lineStarts),
            valueText: text.slice(value.startIndex, value.endIndex),
          });
      } else if (child?.type === "block") {
        blocks.push(readBlock(child, text, lineStarts));
      }
    }
  }
  const innerStart = blockStart?.endIndex ?? node.startIndex;
  const innerEnd = blockEnd?.startIndex ?? node.endIndex;
  const lineStart = lineStarts[lineIndexOf(node.startIndex, lineStarts)] ?? 0;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, node.startIndex))?.[0] ?? "";
  return {
    type,
    labels,
    span: spanOf(node.startIndex, node.endIndex, lineStarts),
    bodySpan: spanOf(innerStart, innerEnd, lineStarts),
    attributes,
    blocks,
    indent,
    body: null,
  };
}

function unquoteLabel(node: Node): string {
  const literal = node.namedChildren.find((n) => n?.type === "template_literal");
  return literal?.text ?? node.text.replace(/^"|"$/g, "");
}

/** Gives each top-level block its hcl2json content. */
function attachBodies(blocks: HclBlock[], json: Record<string, unknown>): void {
  const counters = new Map<string, number>();
  const next = (key: string): number => {
    const n = counters.get(key) ?? 0;
    counters.set(key, n + 1);
    return n;
  };
  for (const block of blocks) {
    const path = [block.type, ...block.labels];
    let node: unknown = json;
    for (const part of path) node = isRecord(node) ? node[part] : undefined;
    if (Array.isArray(node)) {
      const item: unknown = node[next(path.join("\u0000"))];
      if (isRecord(item)) block.body = item;
    } else if (isRecord(node)) {
      block.body = node;
    }
    if (block.body !== null) attachNested(block);
  }
}

/** Nested blocks of a type appear in hcl2json as an array in source order. */
function attachNested(block: HclBlock): void {
  const seen = new Map<string, number>();
  for (const nested of block.blocks) {
    const items = block.body?.[nested.type];
    const index = seen.get(nested.type) ?? 0;
    seen.set(nested.type, index + 1);
    let item: unknown = Array.isArray(items) ? items[index] : undefined;
    for (const label of nested.labels) item = isRecord(item) ? (Array.isArray(item[label]) ? (item[label] as unknown[])[0] : item[label]) : undefined;
    if (isRecord(item)) {
      nested.body = item;
      attachNested(nested);
    }
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 0-based index of the line containing `offset`. */
export function lineIndexOf(offset: number, lineStarts: number[]): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function spanOf(start: number, end: number, lineStarts: number[]): SourceSpan {
  return {
    start,
    end,
    startLine: lineIndexOf(start, lineStarts) + 1,
    endLine: lineIndexOf(Math.max(start, end - 1), lineStarts) + 1,
  };
}

function firstErrorLine(node: Node): number {
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === undefined) break;
    if (current.type === "ERROR" || current.isMissing) return current.startPosition.row + 1;
    for (let i = current.childCount - 1; i >= 0; i--) {
      const child = current.child(i);
      if (child?.hasError === true || child?.isMissing === true) stack.push(child);
    }
  }
  return node.startPosition.row + 1;
}

function cleanDiagnostic(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^parse config: /, "").trim();
}
