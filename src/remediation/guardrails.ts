import type { ParsedFile } from "../terraform/parse.js";
import type { TypeAllowlist } from "./guardrails-families.js";
import { buildGraph, keyOf, type GraphNode, type ResourceGraph } from "./guardrails-graph.js";
import { policyFindings, type PolicyFinding } from "./guardrails-policy.js";
import type { GuardrailRule } from "./guardrails-rules.js";
import { structureFindings } from "./guardrails-structure.js";

export { GUARDRAIL_RULES, type GuardrailRule } from "./guardrails-rules.js";
export { allowlistFor, familyOf, type TypeAllowlist } from "./guardrails-families.js";

/**
 * Changes TerraFix refuses whoever proposed them (rules or the model). They are judged on meaning,
 * not lines: both versions of every changed file are parsed into a resource graph and compared,
 * so a wildcard split over lines, escaped as `\u002a`, kept in a heredoc or a local, or spelled
 * as a managed-policy ARN is the same wildcard. Messages name the file, line and block and say
 * what to do instead, so the model can correct its answer. The rules: guardrails-rules.ts.
 */
export interface GuardrailViolation {
  rule: GuardrailRule;
  file: string;
  message: string;
}

export interface GuardrailFile {
  path: string;
  /** undefined when the change creates the file. */
  before: ParsedFile | undefined;
  after: ParsedFile;
}

export interface GuardrailOptions {
  /** `type.name` of resources the change may remove (an open security-group rule the control closes). */
  allowRemoval?: readonly string[];
  /** Types a change may add (allowlistFor); absent: only `external`/`http` data sources are refused. */
  allowlist?: TypeAllowlist;
  /** The repository's other files, for duplicate addresses across files of the same module. */
  repository?: Iterable<ParsedFile>;
  /** Bytes a change may add across its files; default MAX_ADDED_BYTES. */
  maxAddedBytes?: number;
}

/** A compliance fix adds a setting or a companion block: kilobytes. 64 KiB is far above any rule fix. */
export const MAX_ADDED_BYTES = 64 * 1024;

/** The size cap, on raw text, so verify can refuse a 5 MB answer before parsing it. */
export function sizeViolations(files: readonly { path: string; before: string; after: string }[], max = MAX_ADDED_BYTES): GuardrailViolation[] {
  const added = files.reduce((n, f) => n + Math.max(0, Buffer.byteLength(f.after) - Buffer.byteLength(f.before)), 0);
  if (added <= max) return [];
  return [{ rule: "size-cap", file: files[0]?.path ?? "", message: `${files[0]?.path ?? ""}: the change adds ${added} bytes, over the cap of ${max}; a compliance fix changes a few attributes or adds a companion block — send only that` }];
}

export function checkGuardrails(files: readonly GuardrailFile[], options: GuardrailOptions = {}): GuardrailViolation[] {
  const violations: GuardrailViolation[] = [
    ...sizeViolations(
      files.map((f) => ({ path: f.path, before: f.before?.text ?? "", after: f.after.text })),
      options.maxAddedBytes,
    ),
  ];
  for (const f of files)
    for (const error of f.after.errors) violations.push({ rule: "invalid-terraform", file: f.path, message: `${f.path}: does not parse as Terraform (${error.slice(0, 300)}); send complete, valid HCL blocks` });
  const before = buildGraph(files.map((f) => f.before));
  const after = buildGraph(files.map((f) => f.after));
  violations.push(...duplicates(files, before, after, options.repository));
  violations.push(...structureFindings(before, after, { allowRemoval: options.allowRemoval ?? [], allowlist: options.allowlist }));
  violations.push(...grants(before, after));
  return violations;
}

/** New grants: findings in a block after the change that the same block did not have before. */
function grants(before: ResourceGraph, after: ResourceGraph): GuardrailViolation[] {
  const out: GuardrailViolation[] = [];
  for (const node of after.nodes) {
    if (node.kind === "locals") continue; // each local is its own node
    const old = new Set((before.byKey.get(node.key) ?? []).flatMap((n) => policyFindings(n, before.ctx)).map(id));
    for (const finding of policyFindings(node, after.ctx))
      if (!old.has(id(finding))) out.push({ rule: finding.kind, file: node.file, message: `${node.file}:${node.line}: ${[node.key, verb(finding), finding.what].filter((p) => p !== "").join(" ")}; ${finding.hint}` });
  }
  return out;
}

function id(f: PolicyFinding): string {
  return `${f.kind}\u0000${f.what}`;
}

function verb(f: PolicyFinding): string {
  switch (f.kind) {
    case "iam-wildcard":
      return "grants";
    case "iam-not-element":
      return "uses";
    case "admin-policy":
      return "";
    case "public-principal":
    case "public-acl":
      return "opens access with";
  }
}

/**
 * Terraform refuses two blocks with one address in a module (all `.tf` files of a directory), so
 * a change that adds one is invalid even though each file parses on its own.
 */
function duplicates(files: readonly GuardrailFile[], before: ResourceGraph, after: ResourceGraph, repository: Iterable<ParsedFile> | undefined): GuardrailViolation[] {
  const changed = new Set(files.map((f) => f.path));
  const dirs = new Set(files.map((f) => dirOf(f.path)));
  const siblings = buildGraph([...(repository ?? [])].filter((f) => !changed.has(f.path) && dirs.has(dirOf(f.path))));
  const counts = (graph: ResourceGraph, dir: string): Map<string, GraphNode[]> => {
    const out = new Map<string, GraphNode[]>();
    for (const node of [...graph.nodes, ...siblings.nodes].filter((n) => dirOf(n.file) === dir)) {
      const key = addressOf(node);
      if (key !== undefined) out.set(key, [...(out.get(key) ?? []), node]);
    }
    return out;
  };
  const out: GuardrailViolation[] = [];
  for (const dir of dirs) {
    const old = counts(before, dir);
    for (const [key, nodes] of counts(after, dir)) {
      if (nodes.length <= Math.max(1, old.get(key)?.length ?? 0)) continue;
      const second = nodes.find((n) => changed.has(n.file) && n !== nodes[0]) ?? nodes[1];
      if (second !== undefined)
        out.push({ rule: "duplicate-block", file: second.file, message: `${second.file}:${second.line}: ${key} is defined ${nodes.length} times (Terraform allows one); edit the existing block instead of adding a copy` });
    }
    for (const node of after.nodes.filter((n) => dirOf(n.file) === dir && (n.kind === "resource" || n.kind === "data"))) {
      const lifecycles = node.block.blocks.filter((b) => b.type === "lifecycle");
      const oldCount = (before.byKey.get(node.key)?.[0]?.block.blocks ?? []).filter((b) => b.type === "lifecycle").length;
      if (lifecycles.length > Math.max(1, oldCount))
        out.push({ rule: "duplicate-block", file: node.file, message: `${node.file}:${lifecycles[1]?.span.startLine ?? node.line}: ${node.key} has ${lifecycles.length} lifecycle blocks (Terraform allows one)` });
    }
  }
  return out;
}

/** The address Terraform keys a block by in its module; undefined for blocks that may repeat. */
function addressOf(node: GraphNode): string | undefined {
  if (node.kind === "provider") {
    const alias = node.block.attributes.find((a) => a.name === "alias")?.valueText.trim();
    return alias === undefined ? node.key : `${node.key}.${alias.replace(/"/g, "")}`;
  }
  if (node.kind === "local") return node.key;
  return ["resource", "data", "ephemeral", "module", "variable", "output"].includes(node.kind) ? keyOf(node.block) : undefined;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}
