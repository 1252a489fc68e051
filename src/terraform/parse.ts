import type { Node, Parser, Tree } from "web-tree-sitter";
import { sharedHclValidator } from "./hcl-validator.js";
import { createTerraformParser, RecoveringParser } from "./parser-instance.js";
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

/**
 * The tree-sitter Terraform grammar, loaded on first use (a process whose files all come from the
 * persistent parse cache never loads it) and replaced after a failure (parser-instance.ts).
 */
const treeSitter = new RecoveringParser<Parser>(createTerraformParser);

/** Instances of the parser dropped after a failure so far (for tests and the log). */
export function parserReplacements(): number {
  return treeSitter.replaced;
}

/**
 * Runs tree-sitter over `text` and reads what `read` needs from the tree, all on one instance.
 * A throw (the WASM module aborting) becomes this file's error; the next file gets a new parser.
 */
async function withTree<T>(path: string, text: string, read: (tree: Tree | null) => T, failed: (message: string) => T): Promise<T> {
  try {
    return await treeSitter.use((parser) => {
      const tree = parser.parse(text);
      try {
        return read(tree);
      } finally {
        tree?.delete();
      }
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] ?? error.name : String(error);
    return failed(`${path}: tree-sitter failed on this file (${reason.slice(0, 200)}); the parser was replaced`);
  }
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
  const errors: string[] = [];
  let json: Record<string, unknown> | null = null;
  try {
    json = await hclToJson(path, text);
  } catch (error) {
    errors.push(cleanDiagnostic(error));
  }
  const located = await withTree(
    path,
    text,
    (tree) => (tree === null ? { blocks: [], error: "tree-sitter failed to parse" } : { blocks: readTreeBlocks(tree, text), ...(tree.rootNode.hasError ? { error: `${path}: syntax error near line ${firstErrorLine(tree.rootNode)}` } : {}) }),
    (message): LocatedBlocks => ({ blocks: [], error: message }),
  );
  if (located.error !== undefined && located.blocks.length === 0 && errors.length === 0) return { path, text, blocks: [], json: null, errors: [located.error] };
  if (json !== null) attachBodies(located.blocks, json);
  if (located.error !== undefined && errors.length === 0) errors.push(located.error);
  return { path, text, blocks: located.blocks, json: errors.length > 0 ? null : json, errors };
}

function readTreeBlocks(tree: Tree, text: string): HclBlock[] {
  const body = tree.rootNode.namedChildren.find((n) => n?.type === "body");
  return body === undefined || body === null ? [] : readBlocks(body, text, computeLineStarts(text));
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
  return withTree(
    path,
    text,
    (tree): LocatedBlocks => {
      if (tree === null) return { blocks: [], error: "tree-sitter failed to parse" };
      const blocks = readTreeBlocks(tree, text);
      return tree.rootNode.hasError ? { blocks, error: `${path}: syntax error near line ${firstErrorLine(tree.rootNode)}` } : { blocks };
    },
    (message) => ({ blocks: [], error: message }),
  );
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
