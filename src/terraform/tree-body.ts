import { scanQuoted } from "./expr-lexer.js";
import { evaluateExpression } from "./expr.js";
import type { HclBlock } from "./parse.js";
import { PartialString, UNKNOWN, type Value } from "./values.js";

/**
 * Builds hcl2json-shaped content from tree-sitter blocks, for indexing without the WASM HCL
 * parser: literals become plain values and every other expression `${source}`, as hcl2json
 * renders them (shared/reference/services.md §3.1). The real parser still validates every
 * file a match uses (see `validateFiles`).
 */
export function bodyFromBlock(block: HclBlock): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const attribute of block.attributes) body[attribute.name] = valueFromSource(attribute.valueText);
  for (const nested of block.blocks) {
    let target = body;
    for (const label of [nested.type, ...nested.labels.slice(0, -1)]) {
      if (nested.labels.length === 0) break;
      const next = target[label];
      target = (typeof next === "object" && next !== null && !Array.isArray(next) ? next : (target[label] = {})) as Record<string, unknown>;
    }
    const key = nested.labels.length === 0 ? nested.type : (nested.labels[nested.labels.length - 1] ?? nested.type);
    const list = Array.isArray(target[key]) ? (target[key] as unknown[]) : [];
    list.push(bodyFromBlock(nested));
    target[key] = list;
  }
  return body;
}

const EMPTY = { ref: () => undefined };

export function valueFromSource(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('"')) {
    try {
      if (scanQuoted(trimmed, 1) === trimmed.length - 1) {
        const inner = trimmed.slice(1, -1);
        return inner.includes("\\") && !inner.includes("${") ? (JSON.parse(trimmed) as unknown) : inner;
      }
    } catch {
      return `\${${trimmed}}`;
    }
  }
  if (!trimmed.includes(".") || /^-?\d+(\.\d+)?$/.test(trimmed) || trimmed.startsWith("{") || trimmed.startsWith("[")) {
    const value = evaluateExpression(trimmed, EMPTY);
    if (isPlain(value)) return value;
  }
  return `\${${trimmed}}`;
}

function isPlain(value: Value): boolean {
  if (value === UNKNOWN || value instanceof PartialString) return false;
  if (Array.isArray(value)) return value.every(isPlain);
  if (typeof value === "object" && value !== null) return Object.values(value).every(isPlain);
  return true;
}

/** The hcl2json shape of a whole file (blocks as arrays), built from located blocks. */
export function jsonFromBlocks(blocks: readonly HclBlock[]): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const block of blocks) {
    const body = block.body ?? {};
    if (block.labels.length === 0) {
      const list = (json[block.type] as unknown[] | undefined) ?? [];
      list.push(body);
      json[block.type] = list;
      continue;
    }
    let target = json;
    for (const part of [block.type, ...block.labels.slice(0, -1)]) {
      target[part] ??= {};
      target = target[part] as Record<string, unknown>;
    }
    const last = block.labels[block.labels.length - 1] ?? "";
    const list = (target[last] as unknown[] | undefined) ?? [];
    list.push(body);
    target[last] = list;
  }
  return json;
}
