import { evaluateExpression, evaluateJson, type EvalContext } from "../terraform/expr.js";
import type { HclAttribute, HclBlock, ParsedFile } from "../terraform/parse.js";
import { PartialString, UNKNOWN, type Value } from "../terraform/values.js";

/**
 * The resource graph the guardrails compare: every top-level block of the changed files, keyed
 * the way Terraform identifies it (`aws_s3_bucket.b`, `data.http.x`, `module.m`, `local.name`),
 * with an evaluator that resolves locals and variable defaults of the same files, so a value
 * routed through `local.star` or `var.actions` is judged by what it is, not how it is spelled.
 */
export interface GraphNode {
  /** `aws_s3_bucket.b`, `data.http.x`, `module.m`, `provider.aws`, `moved`, `local.name`... */
  key: string;
  /** The top-level block type: resource, data, module, provider, terraform, moved, locals... */
  kind: string;
  /** Resource or data source type; "" for other blocks. */
  type: string;
  block: HclBlock;
  file: string;
  line: number;
}

export interface ResourceGraph {
  nodes: GraphNode[];
  byKey: Map<string, GraphNode[]>;
  ctx: EvalContext;
}

/** Terraform's top-level block types (https://developer.hashicorp.com/terraform/language/syntax/configuration). */
export const TOP_LEVEL = new Set(["terraform", "provider", "resource", "data", "ephemeral", "module", "variable", "output", "locals", "moved", "removed", "import", "check"]);

export function keyOf(block: HclBlock): string {
  switch (block.type) {
    case "resource":
      return block.labels.join(".");
    case "data":
    case "ephemeral":
    case "module":
    case "variable":
    case "output":
    case "provider":
      return [block.type, ...block.labels].join(".");
    default:
      return block.type;
  }
}

export function buildGraph(files: readonly (ParsedFile | undefined)[]): ResourceGraph {
  const nodes: GraphNode[] = [];
  for (const file of files) {
    if (file === undefined) continue;
    for (const block of file.blocks) {
      const type = block.type === "resource" || block.type === "data" || block.type === "ephemeral" ? (block.labels[0] ?? "") : "";
      nodes.push({ key: keyOf(block), kind: block.type, type, block, file: file.path, line: block.span.startLine });
      // Each local is its own node, so a policy kept in a local is judged like one in a resource.
      if (block.type === "locals")
        for (const attr of block.attributes) nodes.push({ key: `local.${attr.name}`, kind: "local", type: "", block: { ...block, attributes: [attr], blocks: [] }, file: file.path, line: attr.span.startLine });
    }
  }
  const byKey = new Map<string, GraphNode[]>();
  for (const node of nodes) byKey.set(node.key, [...(byKey.get(node.key) ?? []), node]);
  return { nodes, byKey, ctx: contextOf(nodes) };
}

function contextOf(nodes: readonly GraphNode[]): EvalContext {
  const locals = new Map<string, string>();
  const defaults = new Map<string, unknown>();
  for (const node of nodes) {
    if (node.kind === "local") for (const a of node.block.attributes) locals.set(a.name, a.valueText);
    if (node.kind === "variable" && node.block.body !== null && "default" in node.block.body) defaults.set(node.block.labels[0] ?? "", node.block.body.default);
  }
  const active = new Set<string>();
  const ctx: EvalContext = {
    ref(root, first) {
      const id = `${root}.${first}`;
      if (active.has(id)) return undefined;
      active.add(id);
      try {
        if (root === "local" && locals.has(first)) return evaluateText(locals.get(first) ?? "", ctx);
        if (root === "var" && defaults.has(first)) return evaluateJson(defaults.get(first), ctx);
        return undefined;
      } finally {
        active.delete(id);
      }
    },
  };
  return ctx;
}

/**
 * Evaluates expression text. `jsonencode(x)` is read as `(x)`: the guardrails care about the
 * document, and its JSON string would be parsed back anyway.
 */
export function evaluateText(text: string, ctx: EvalContext): Value {
  const source = text.replace(/\bjson(?:en|de)code\s*\(/g, "(");
  return evaluateExpression(source, ctx);
}

/** An attribute's value: the expression text, else hcl2json's (heredocs the lexer does not read). */
export function attributeValue(attr: HclAttribute, body: Record<string, unknown> | null, ctx: EvalContext): Value {
  const value = evaluateText(attr.valueText, ctx);
  if (value !== UNKNOWN || body === null || !(attr.name in body)) return value;
  return evaluateJson(body[attr.name], ctx);
}

/** Every attribute of a block and its nested blocks, with the block that holds it. */
export function allAttributes(block: HclBlock): { attr: HclAttribute; holder: HclBlock }[] {
  const out: { attr: HclAttribute; holder: HclBlock }[] = block.attributes.map((attr) => ({ attr, holder: block }));
  for (const nested of block.blocks) out.push(...allAttributes(nested));
  return out;
}

/** Text of a value for matching: unknown parts become `\u0000`. */
export function flatText(value: Value): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof PartialString) return value.parts.map((p) => (typeof p === "string" ? p : "\u0000")).join("");
  return undefined;
}

/**
 * A comparable rendering of a block's content from its parsed structure: labels, attribute
 * expressions without layout, nested blocks. Comments and formatting do not count.
 */
export function semantic(block: HclBlock | undefined): string {
  if (block === undefined) return "";
  const attrs = block.attributes.map((a) => `${a.name}=${exprText(a) ?? ""}`).sort();
  return `${[block.type, ...block.labels].map((p) => JSON.stringify(p)).join(" ")}{${[...attrs, ...block.blocks.map(semantic)].join(";")}}`;
}

/** An attribute's expression without layout, for comparing `count = 1` with `count=1`. */
export function exprText(attr: HclAttribute | undefined): string | undefined {
  return attr?.valueText.replace(/\s+/g, "");
}
