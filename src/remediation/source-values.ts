import { moduleDir } from "../controls/context.js";
import type { CheckResult, Control, ControlContext, ModuleCallRef, ResourceRef } from "../controls/types.js";
import { unwrapInterpolation } from "../terraform/canonical.js";
import { evaluateExpression } from "../terraform/expr.js";
import type { HclAttribute, HclBlock, ParsedFile } from "../terraform/parse.js";

/**
 * Where the value of an attribute written as `var.x` comes from, read from the files alone (so the
 * fix and the verify stage agree): the module call's input when the resource is in a local
 * module (following `x = var.y` up to the caller), else the root module's value sets — the
 * variable's default and every `*.tfvars` file that sets it (the environments of
 * terraform/scopes.ts: a resource deployed with any of them must pass).
 */
export type ValueSource =
  | { kind: "default"; file: string; variable: string; block: HclBlock; attribute: HclAttribute; value: unknown }
  | { kind: "tfvars"; file: string; variable: string; value: unknown }
  | { kind: "module-input"; file: string; variable: string; call: ModuleCallRef; attribute: HclAttribute; value: unknown }
  /** The call does not set the input: the module's default applies to this instance only through the call. */
  | { kind: "module-input-missing"; file: string; variable: string; call: ModuleCallRef; value: unknown };

/**
 * An attribute of the target (top level or one nested block deep) that is exactly `var.NAME`,
 * or an expression of that one variable alone (`!var.x`, `var.x ? false : true`, `var.x == "on"`).
 */
export interface VariableAttribute {
  /** Path of the attribute: `["storage_encrypted"]` or `["versioning", "enabled"]`. */
  path: string[];
  attribute: HclAttribute;
  variable: string;
  /** The expression, interpolation unwrapped: `var.x` when `exact`. */
  expression: string;
  exact: boolean;
}

const VAR_REF = /^var\.([A-Za-z_][\w-]*)$/;
const VAR_USE = /\bvar\.([A-Za-z_][\w-]*)/g;

export function variableAttributes(block: HclBlock): VariableAttribute[] {
  const out: VariableAttribute[] = [];
  const visit = (b: HclBlock, path: string[]): void => {
    for (const a of b.attributes) {
      const expression = unwrapInterpolation(a.valueText).trim();
      const m = VAR_REF.exec(expression);
      if (m?.[1] !== undefined) {
        out.push({ path: [...path, a.name], attribute: a, variable: m[1], expression, exact: true });
        continue;
      }
      const names = new Set([...expression.matchAll(VAR_USE)].map((u) => u[1] ?? ""));
      const [only] = names;
      if (names.size === 1 && only !== undefined && only !== "") out.push({ path: [...path, a.name], attribute: a, variable: only, expression, exact: false });
    }
    if (path.length === 0) for (const nested of b.blocks) visit(nested, [nested.type]);
  };
  visit(block, []);
  return out;
}

function filesIn(ctx: ControlContext, dir: string): ParsedFile[] {
  return [...ctx.files.values()].filter((f) => moduleDir(f.path) === dir);
}

function literal(value: unknown): boolean {
  if (typeof value === "string") return !value.includes("${");
  if (Array.isArray(value)) return value.every(literal);
  if (typeof value === "object" && value !== null) return Object.values(value).every(literal);
  return true;
}

export function variableBlock(ctx: ControlContext, dir: string, name: string): { file: ParsedFile; block: HclBlock } | undefined {
  for (const file of filesIn(ctx, dir)) {
    const block = file.blocks.find((b) => b.type === "variable" && b.labels[0] === name);
    if (block !== undefined) return { file, block };
  }
  return undefined;
}

/** Every place in the module folder that reads `var.NAME` (file:line), the declaration aside. */
export function variableUses(ctx: ControlContext, dir: string, name: string): { file: string; line: number }[] {
  const re = new RegExp(`\\bvar\\.${name.replace(/[-]/g, "\\-")}\\b`, "g");
  const out: { file: string; line: number }[] = [];
  for (const file of filesIn(ctx, dir)) {
    if (!file.path.endsWith(".tf")) continue;
    for (const m of file.text.matchAll(re)) out.push({ file: file.path, line: file.text.slice(0, m.index).split("\n").length });
  }
  return out;
}

/** The module call that instantiates a resource of a local module (by the resource's module path). */
function callOf(ctx: ControlContext, resource: { modulePath: readonly string[] }): ModuleCallRef | undefined {
  if (resource.modulePath.length === 0) return undefined;
  const address = resource.modulePath.map((m) => `module.${m}`).join(".");
  return ctx.moduleCalls?.find((c) => c.address === address && c.local);
}

/**
 * The sources of `var.NAME` for a resource; `unresolved` says why there are none (a value that
 * is itself an expression, a variable nobody declares, or more than one level of indirection).
 */
export function variableSources(ctx: ControlContext, resource: Pick<ResourceRef, "file" | "modulePath">, name: string, depth = 0): { sources: ValueSource[] } | { unresolved: string } {
  const dir = moduleDir(resource.file);
  const declared = variableBlock(ctx, dir, name);
  if (declared === undefined) return { unresolved: `var.${name} is not declared in ${dir === "." ? "the root folder" : dir}` };
  const defaultAttr = declared.block.attributes.find((a) => a.name === "default");
  const defaultValue = declared.block.body?.default;
  const call = callOf(ctx, resource);
  if (call !== undefined) {
    const input = call.block.attributes.find((a) => a.name === name);
    if (input === undefined) {
      if (defaultAttr === undefined || !literal(defaultValue)) return { unresolved: `${call.address} does not set ${name} and var.${name} has no literal default` };
      return { sources: [{ kind: "module-input-missing", file: call.file, variable: name, call, value: defaultValue }] };
    }
    const up = VAR_REF.exec(unwrapInterpolation(input.valueText).trim());
    if (up?.[1] !== undefined && depth < 2) {
      const parent = ctx.resources.find((r) => r.file === call.file);
      const modulePath = parent?.modulePath ?? callerPath(call);
      return variableSources(ctx, { file: call.file, modulePath }, up[1], depth + 1);
    }
    const value = call.block.body?.[name];
    if (!literal(value)) return { unresolved: `the ${name} input of ${call.address} is an expression (${input.valueText.trim()})` };
    return { sources: [{ kind: "module-input", file: call.file, variable: name, call, attribute: input, value }] };
  }
  const sources: ValueSource[] = [];
  if (defaultAttr !== undefined) {
    if (!literal(defaultValue)) return { unresolved: `the default of var.${name} is an expression` };
    sources.push({ kind: "default", file: declared.file.path, variable: name, block: declared.block, attribute: defaultAttr, value: defaultValue });
  }
  for (const file of filesIn(ctx, dir)) {
    if (!/\.tfvars$/.test(file.path) || file.json === null || !Object.hasOwn(file.json, name)) continue;
    const value = file.json[name];
    if (!literal(value)) return { unresolved: `${file.path} sets ${name} to an expression` };
    sources.push({ kind: "tfvars", file: file.path, variable: name, value });
  }
  return sources.length === 0 ? { unresolved: `var.${name} has no default and no tfvars file sets it` } : { sources };
}

function callerPath(call: ModuleCallRef): string[] {
  return call.address.split(".").filter((_, i, all) => i % 2 === 1 && i < all.length - 1);
}

/**
 * The attribute's value when its variable is `value`: the value itself, or the expression
 * evaluated with it. Undefined when that is not a plain string, number or bool (the expression
 * also reads something else, or uses what the evaluator does not know).
 */
export function attributeValue(attr: VariableAttribute, value: unknown): unknown {
  if (attr.exact) return value;
  if (!(typeof value === "string" || typeof value === "number" || typeof value === "boolean")) return undefined;
  const result = evaluateExpression(attr.expression, { ref: (root, first) => (root === "var" && first === attr.variable ? value : undefined) });
  return typeof result === "string" || typeof result === "number" || typeof result === "boolean" ? result : undefined;
}

/** The resource with one attribute's hcl2json value replaced (what a control's check reads). */
export function withValue(resource: ResourceRef, path: readonly string[], value: unknown): ResourceRef {
  const body = structuredClone(resource.block.body);
  if (body === null) return resource;
  const [first = "", second] = path;
  if (second === undefined) body[first] = value;
  else {
    const nested = body[first];
    const entry = Array.isArray(nested) ? (nested[0] as Record<string, unknown> | undefined) : undefined;
    if (entry === undefined) return resource;
    entry[second] = value;
  }
  return { ...resource, block: { ...resource.block, body } };
}

/**
 * A control's check with every `var.x` attribute of the target (or expression of one variable)
 * replaced by each value it can take: pass when it passes under every source, fail when it fails under one. Undefined when the
 * target has no such attribute or a value cannot be resolved (the plain check stands).
 */
export function checkWithSources(control: Control, resource: ResourceRef, ctx: ControlContext): { result: CheckResult; detail: string } | undefined {
  const attrs = variableAttributes(resource.block);
  if (attrs.length === 0) return undefined;
  let variants: { resource: ResourceRef; labels: string[] }[] = [{ resource, labels: [] }];
  for (const a of attrs) {
    const found = variableSources(ctx, resource, a.variable);
    if ("unresolved" in found) continue;
    const values = found.sources.map((s) => attributeValue(a, s.value));
    if (values.some((v) => v === undefined)) continue;
    variants = variants.flatMap((v) =>
      found.sources.map((s, i) => ({
        resource: withValue(v.resource, a.path, values[i]),
        labels: [
          ...v.labels,
          a.exact
            ? `${a.path.join(".")} = ${JSON.stringify(s.value)} from ${describeSource(s)}`
            : `${a.path.join(".")} = ${JSON.stringify(values[i])} (${a.expression} with var.${a.variable} = ${JSON.stringify(s.value)} from ${describeSource(s)})`,
        ],
      })),
    );
    if (variants.length > 32) return undefined;
  }
  if (variants.every((v) => v.labels.length === 0)) return undefined;
  const results = variants.map((v) => ({ result: control.check(v.resource, ctx), labels: v.labels }));
  const failing = results.find((r) => r.result === "fail");
  if (failing !== undefined) return { result: "fail", detail: `fails with ${failing.labels.join(", ")}` };
  if (results.some((r) => r.result === "unknown")) return { result: "unknown", detail: "unknown under some value of its variables" };
  return { result: "pass", detail: `passes with ${results.flatMap((r) => r.labels).filter((l, i, all) => all.indexOf(l) === i).join("; ")}` };
}

/** "variables.tf default of var.x", "prod.tfvars", "the versioning input of module.logs (main.tf)". */
export function describeSource(s: ValueSource): string {
  switch (s.kind) {
    case "default":
      return `${s.file} default of var.${s.variable}`;
    case "tfvars":
      return `${s.file} value of ${s.variable}`;
    case "module-input":
      return `the ${s.variable} input of ${s.call.address} (${s.file})`;
    case "module-input-missing":
      return `the ${s.variable} input of ${s.call.address} (${s.file}), unset so far`;
  }
}
