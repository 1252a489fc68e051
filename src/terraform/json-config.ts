import { computeLineStarts, lineIndexOf, type HclAttribute, type HclBlock, type ParsedFile, type SourceSpan } from "./parse.js";

/**
 * `.tf.json` files: the JSON syntax of Terraform configuration.
 * https://developer.hashicorp.com/terraform/language/syntax/json
 * JSON.parse validates the file; a small position-keeping scanner gives each block its span.
 */
interface JsonNode {
  start: number;
  end: number;
  value: unknown;
  /** Object members in source order with their key offsets. */
  members?: { key: string; keyStart: number; node: JsonNode }[];
  items?: JsonNode[];
}

const LABELS: Record<string, number> = { resource: 2, data: 2, module: 1, variable: 1, output: 1, provider: 1, locals: 0, terraform: 0 };

export function parseJsonConfig(path: string, text: string): ParsedFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { path, text, blocks: [], json: null, errors: [`${path}: ${error instanceof Error ? error.message : String(error)}`] };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return { path, text, blocks: [], json: null, errors: [`${path}: top level must be an object`] };
  const root = new Scanner(text).value();
  const lineStarts = computeLineStarts(text);
  const blocks: HclBlock[] = [];
  const hclJson: Record<string, unknown> = {};
  for (const member of root.members ?? []) {
    const depth = LABELS[member.key];
    if (depth === undefined) continue;
    collect(member.key, [], member.node, depth, member.keyStart);
  }
  return { path, text, blocks, json: hclJson, errors: [] };

  function collect(type: string, labels: string[], node: JsonNode, depth: number, keyStart: number): void {
    if (node.items !== undefined) {
      for (const item of node.items) collect(type, labels, item, depth, item.start);
      return;
    }
    if (depth > 0) {
      for (const m of node.members ?? []) collect(type, [...labels, m.key], m.node, depth - 1, m.keyStart);
      return;
    }
    const body = (typeof node.value === "object" && node.value !== null ? node.value : {}) as Record<string, unknown>;
    const attributes: HclAttribute[] = (node.members ?? []).map((m) => ({
      name: m.key,
      span: spanOf(m.keyStart, m.node.end, lineStarts),
      valueSpan: spanOf(m.node.start, m.node.end, lineStarts),
      valueText: text.slice(m.node.start, m.node.end),
    }));
    const start = labels.length === 0 ? keyStart : keyStart;
    const lineStart = lineStarts[lineIndexOf(start, lineStarts)] ?? 0;
    blocks.push({
      type,
      labels,
      span: spanOf(start, node.end, lineStarts),
      bodySpan: spanOf(node.start + 1, node.end - 1, lineStarts),
      attributes,
      blocks: [],
      indent: /^[ \t]*/.exec(text.slice(lineStart, start))?.[0] ?? "",
      body,
    });
    // Mirror hcl2json's shape (blocks as arrays) so the index reads both kinds of file alike.
    let target: Record<string, unknown> = hclJson;
    const path = [type, ...labels];
    if (type === "locals" || type === "terraform") {
      const list = (hclJson[type] as unknown[] | undefined) ?? [];
      list.push(body);
      hclJson[type] = list;
      return;
    }
    path.slice(0, -1).forEach((p) => {
      target[p] ??= {};
      target = target[p] as Record<string, unknown>;
    });
    const last = path[path.length - 1] ?? type;
    const list = (target[last] as unknown[] | undefined) ?? [];
    list.push(body);
    target[last] = list;
  }
}

function spanOf(start: number, end: number, lineStarts: number[]): SourceSpan {
  return { start, end, startLine: lineIndexOf(start, lineStarts) + 1, endLine: lineIndexOf(Math.max(start, end - 1), lineStarts) + 1 };
}

/** Scans JSON already validated by JSON.parse, recording offsets. */
class Scanner {
  private i = 0;
  constructor(private readonly s: string) {}
  private ws(): void {
    while (/\s/.test(this.s[this.i] ?? "")) this.i++;
  }
  value(): JsonNode {
    this.ws();
    const start = this.i;
    const c = this.s[this.i];
    if (c === "{") {
      this.i++;
      const members: { key: string; keyStart: number; node: JsonNode }[] = [];
      const value: Record<string, unknown> = {};
      this.ws();
      while (this.s[this.i] !== "}") {
        this.ws();
        const keyStart = this.i;
        const key = this.string();
        this.ws();
        this.i++; // colon
        const node = this.value();
        members.push({ key, keyStart, node });
        value[key] = node.value;
        this.ws();
        if (this.s[this.i] === ",") this.i++;
        this.ws();
      }
      this.i++;
      return { start, end: this.i, value, members };
    }
    if (c === "[") {
      this.i++;
      const items: JsonNode[] = [];
      this.ws();
      while (this.s[this.i] !== "]") {
        items.push(this.value());
        this.ws();
        if (this.s[this.i] === ",") this.i++;
        this.ws();
      }
      this.i++;
      return { start, end: this.i, value: items.map((n) => n.value), items };
    }
    if (c === '"') return { start, value: this.string(), end: this.i };
    const m = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(this.s.slice(this.i, this.i + 64));
    const token = m?.[0] ?? "";
    this.i += token.length;
    return { start, end: this.i, value: JSON.parse(token) as unknown };
  }
  private string(): string {
    const start = this.i;
    this.i++;
    while (this.s[this.i] !== '"') this.i += this.s[this.i] === "\\" ? 2 : 1;
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }
}
