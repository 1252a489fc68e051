import { evaluateJson, type EvalContext } from "../terraform/expr.js";
import type { HclBlock } from "../terraform/parse.js";
import { isRecord } from "../terraform/parse.js";
import { expandInstances, type ModuleScope } from "../terraform/resolve.js";
import { Hole, PartialString, UNKNOWN, isObjectValue, type Value } from "../terraform/values.js";
import { registerReason, shorten } from "./read.js";
import type { ControlContext, ModuleCallRef, ResourceRef } from "./types.js";

/**
 * `check` on the matcher's value evaluator (issue 14). Controls read hcl2json bodies, where any
 * expression is UNKNOWN; here each resource body is evaluated in one value set of its root module
 * (variable defaults, each tfvars file; module inputs for module instances: terraform/scopes.ts),
 * and every expression whose value the code decides (`var.x ? false : true`, `!var.x`, a local,
 * a module input) is replaced by that value. An expression that stays open keeps its text, so
 * references between blocks still connect, and its reason is registered for the control's
 * UNKNOWN (read.ts). A block whose `count` is 0 or whose `for_each` is empty in a value set does
 * not exist there and is left out of that set's context.
 */
export interface Scoped {
  rootDir: string;
  scopes: readonly ModuleScope[];
}

export type ScopedResource = ResourceRef & Scoped;
export type ScopedCall = ModuleCallRef & Scoped;

export function isScoped<T extends object>(value: T): value is T & Scoped {
  return "scopes" in value && Array.isArray((value as { scopes?: unknown }).scopes) && typeof (value as { rootDir?: unknown }).rootDir === "string";
}

/** One value set across the repository: a context of resolved copies, and where each came from. */
export interface Variant {
  ctx: ControlContext;
  /** Resolved copy -> the indexed resource or call, its root module and its value-set label. */
  origin: Map<object, { original: ResourceRef | ModuleCallRef; rootDir: string; label: string }>;
}

/**
 * The value-set variants of a context: per root module, variant i evaluates each module instance
 * in its i-th scope (every block of one module instance shares one scope list, so peers agree on
 * the value set). Roots are separate contexts: a module folder used by `envs/prod` and
 * `envs/staging` has the same addresses in both, and peers (a bucket's versioning resource) must
 * only connect within one root. A context without scopes (built from files, not indexed) is its
 * own single variant.
 */
export function variantsOf(ctx: ControlContext): Variant[] {
  const scoped = ctx.resources.filter(isScoped);
  const calls = (ctx.moduleCalls ?? []).filter(isScoped);
  if (scoped.length === 0 && calls.length === 0) {
    const origin: Variant["origin"] = new Map();
    for (const r of ctx.resources) origin.set(r, { original: r, rootDir: "", label: "" });
    for (const c of ctx.moduleCalls ?? []) origin.set(c, { original: c, rootDir: "", label: "" });
    return [{ ctx, origin }];
  }
  const roots = [...new Set([...scoped.map((r) => r.rootDir), ...calls.map((c) => c.rootDir)])].sort();
  const out: Variant[] = [];
  for (const root of roots) {
    const rootResources = scoped.filter((r) => r.rootDir === root);
    const rootCalls = calls.filter((c) => c.rootDir === root);
    const count = Math.max(1, ...rootResources.map((r) => r.scopes.length), ...rootCalls.map((c) => c.scopes.length));
    for (let i = 0; i < count; i++) out.push(variant(ctx, rootResources, rootCalls, i));
  }
  return out;
}

function variant(ctx: ControlContext, scoped: readonly ScopedResource[], calls: readonly ScopedCall[], i: number): Variant {
  const origin: Variant["origin"] = new Map();
  const resources: ResourceRef[] = [];
  for (const r of scoped) {
    const scope = r.scopes[i];
    const block = scope === undefined ? undefined : resolveBlock(r.block, scope);
    if (scope === undefined || block === undefined) continue;
    const copy: ResourceRef = { ...r, block };
    resources.push(copy);
    origin.set(copy, { original: r, rootDir: r.rootDir, label: scope.label });
  }
  const moduleCalls: ModuleCallRef[] = [];
  for (const c of calls) {
    const scope = c.scopes[i];
    const block = scope === undefined ? undefined : resolveBlock(c.block, scope);
    if (scope === undefined || block === undefined) continue;
    const copy: ModuleCallRef = { ...c, block };
    moduleCalls.push(copy);
    origin.set(copy, { original: c, rootDir: c.rootDir, label: scope.label });
  }
  return { ctx: { ...ctx, resources, moduleCalls }, origin };
}

/** The block with its body (and nested blocks' bodies) evaluated in `scope`; undefined when no instance exists. */
export function resolveBlock(block: HclBlock, scope: ModuleScope): HclBlock | undefined {
  if (block.body === null) return block;
  const instances = expandInstances(block.body, scope);
  if (instances.length === 0) return undefined;
  const copies = new Map<object, object>();
  const body = resolveNode(block.body, "", instances.map((i) => trackingContext(i.ctx, scope)), copies) as Record<string, unknown>;
  return rebuild(block, body, copies);
}

function rebuild(block: HclBlock, body: Record<string, unknown> | null, copies: Map<object, object>): HclBlock {
  return {
    ...block,
    body,
    blocks: block.blocks.map((b) => rebuild(b, b.body === null ? null : ((copies.get(b.body) as Record<string, unknown> | undefined) ?? b.body), copies)),
  };
}

interface Tracked {
  ctx: EvalContext;
  /** What the last evaluation depended on that is not known. */
  open: Set<string>;
}

function trackingContext(base: EvalContext, scope: ModuleScope): Tracked {
  const open = new Set<string>();
  return {
    open,
    ctx: {
      ref(root, first) {
        const value = base.ref(root, first);
        if (value === undefined || !isKnown(value)) open.add(describe(root, first, value, scope));
        return value;
      },
    },
  };
}

function describe(root: string, first: string, value: Value | undefined, scope: ModuleScope): string {
  switch (root) {
    case "var":
      if (!scope.definition.variables.has(first)) return `var.${first} is not declared in this module`;
      return value === undefined || value instanceof PartialString
        ? `var.${first} has no default and no value is given`
        : `var.${first} is given a value not known before plan`;
    case "local":
      return `local.${first} depends on values not known before plan`;
    case "data":
      return `data.${first} is read at plan time`;
    case "module":
      return `module.${first} is an output of another module`;
    case "count":
    case "each":
      return `${root}.${first} depends on a count/for_each not known before plan`;
    default:
      return isObjectValue(value ?? UNKNOWN) || value === undefined ? `${root}.${first} has attributes known only after apply` : `${root}.${first} is not known before apply`;
  }
}

/** A value with no unknown part. */
function isKnown(value: Value): boolean {
  if (value === UNKNOWN || value instanceof PartialString || value instanceof Hole) return false;
  if (Array.isArray(value)) return value.every(isKnown);
  if (isObjectValue(value)) return Object.values(value).every(isKnown);
  return true;
}

function isOpen(raw: string): boolean {
  return raw.includes("${") || raw.includes("%{");
}

function resolveNode(raw: unknown, path: string, ctxs: Tracked[], copies: Map<object, object>): unknown {
  if (Array.isArray(raw)) {
    const out: unknown[] = [];
    copies.set(raw, out);
    raw.forEach((v, i) => out.push(resolveChild(out, v, String(i), `${path}[${i}]`, ctxs, copies)));
    return out;
  }
  if (isRecord(raw)) {
    const out: Record<string, unknown> = {};
    copies.set(raw, out);
    for (const [k, v] of Object.entries(raw)) out[k] = resolveChild(out, v, k, path === "" ? k : `${path}.${k}`, ctxs, copies);
    return out;
  }
  return raw;
}

function resolveChild(container: object, raw: unknown, key: string, path: string, ctxs: Tracked[], copies: Map<object, object>): unknown {
  if (typeof raw !== "string" || !isOpen(raw)) return resolveNode(raw, path, ctxs, copies);
  const values: Value[] = [];
  const open = new Set<string>();
  for (const t of ctxs) {
    t.open.clear();
    values.push(evaluateJson(raw, t.ctx));
    t.open.forEach((o) => open.add(o));
  }
  const plain = values.map(toPlain);
  const first = plain[0];
  if (first !== undefined && plain.every((p) => p !== undefined && JSON.stringify(p) === JSON.stringify(first))) return first;
  const why =
    plain.every((p) => p !== undefined) ? "differs between count/for_each instances" : open.size > 0 ? [...open].join("; ") : "uses syntax or functions TerraFix does not evaluate";
  registerReason(container, key, `${path} = ${shorten(raw.replace(/^\$\{([\s\S]*)\}$/, "$1"))}: ${why}`);
  return raw;
}

/** The JSON form of a fully known value (what hcl2json would give for the literal); undefined when any part is unknown. */
function toPlain(value: Value): unknown {
  if (!isKnown(value)) return undefined;
  if (typeof value === "string" && isOpen(value)) return undefined;
  return value;
}
