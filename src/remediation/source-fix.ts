import type { SourceEdit, TextEdit } from "../domain/change.js";
import { contextFromFiles, moduleDir, textOf } from "../controls/context.js";
import type { Control, ControlContext, ResourceRef } from "../controls/types.js";
import { hclString, replaceAttributeValue, setAttribute } from "../terraform/edit.js";
import { parseHclFile } from "../terraform/parse.js";
import { attributeValue, describeSource, variableAttributes, variableSources, variableUses, withValue, type ValueSource, type VariableAttribute } from "./source-values.js";

export type SourceFix =
  | { kind: "edits"; files: { path: string; edits: TextEdit[] }[]; summary: string; sources: SourceEdit[] }
  | { kind: "refused"; reason: string }
  | { kind: "none" };

/**
 * A control's fix for an attribute written as `var.x` (or as an expression of one bool variable,
 * `!var.x`, `var.x ? false : true`: the variable flipped), made where the value comes from (issue 14:
 * "fixes where the value comes from"): the module call's input, the tfvars files, or the
 * variable's default — never by overwriting the reference in the resource, which would leave the
 * variable lying. The new value is the one the control's own fix writes on the resource with the
 * variable's value substituted, so rules and source fixes cannot disagree. Refused, with the
 * places named, when the variable also drives anything else: changing it there would change them.
 */
export async function fixAtSource(control: Control, target: ResourceRef, ctx: ControlContext): Promise<SourceFix> {
  const reasons: string[] = [];
  for (const attr of variableAttributes(target.block)) {
    const found = variableSources(ctx, target, attr.variable);
    if ("unresolved" in found) {
      reasons.push(found.unresolved);
      continue;
    }
    const failing = found.sources.filter((s) => {
      const value = attributeValue(attr, s.value);
      return value !== undefined && control.check(withValue(target, attr.path, value), ctx) === "fail";
    });
    if (failing.length === 0) continue;
    const shared = sharedUses(ctx, target, attr, failing);
    if (shared !== undefined) return { kind: "refused", reason: `${control.id}: ${target.address} takes ${attr.path.join(".")} from var.${attr.variable}, which also drives ${shared}; changing it at its source would change those too, so change it by hand` };
    const edits: { path: string; edits: TextEdit[] }[] = [];
    for (const source of failing) {
      const value = attr.exact ? await valueTheFixWrites(control, target, ctx, attr, source.value) : flippedValue(control, target, ctx, attr, source.value);
      if ("reason" in value) return { kind: "refused", reason: `${control.id}: ${value.reason}` };
      const edit = editAt(ctx, source, value.text);
      if (edit === undefined) return { kind: "refused", reason: `${control.id}: ${describeSource(source)} is not a single-line value TerraFix can change` };
      const entry = edits.find((e) => e.path === source.file);
      if (entry === undefined) edits.push({ path: source.file, edits: [edit] });
      else entry.edits.push(edit);
    }
    const where = failing.map(describeSource).join("; ");
    return {
      kind: "edits",
      files: edits,
      summary: `${control.title} on ${target.address}: changed at source: ${where} (${target.address} sets ${attr.path.join(".")} = ${attr.expression})`,
      sources: failing.map((s) => ({ path: s.file, block: sourceBlock(s) })),
    };
  }
  return reasons.length === 0 ? { kind: "none" } : { kind: "refused", reason: `${control.id}: ${reasons.join("; ")}` };
}

/** Other readers of the variable (in its module, and of the caller's variable it comes from), or undefined. */
function sharedUses(ctx: ControlContext, target: ResourceRef, attr: VariableAttribute, sources: readonly ValueSource[]): string | undefined {
  const here = variableUses(ctx, moduleDir(target.file), attr.variable).filter((u) => !(u.file === target.file && u.line === attr.attribute.span.startLine));
  const above = sources.flatMap((s) =>
    (s.kind === "default" || s.kind === "tfvars") && (s.variable !== attr.variable || moduleDir(s.file) !== moduleDir(target.file))
      ? variableUses(ctx, moduleDir(s.file), s.variable).slice(1)
      : [],
  );
  const others = [...here, ...above];
  return others.length === 0 ? undefined : others.slice(0, 5).map((u) => `${u.file}:${u.line}`).join(", ") + (others.length > 5 ? ` and ${others.length - 5} more` : "");
}

/** The control's fix on the resource with the value substituted: the text it gives the attribute. */
async function valueTheFixWrites(control: Control, target: ResourceRef, ctx: ControlContext, attr: VariableAttribute, value: unknown): Promise<{ text: string } | { reason: string }> {
  const literal = renderLiteral(value);
  if (literal === undefined) return { reason: `var.${attr.variable} is not a string, number or bool` };
  const text = textOf(ctx, target.file);
  const { start, end } = attr.attribute.valueSpan;
  const substituted = await parseHclFile(target.file, text.slice(0, start) + literal + text.slice(end));
  const files = [...ctx.files.values()].map((f) => (f.path === target.file ? substituted : f));
  const paths = new Map(ctx.resources.map((r) => [r.file, r.modulePath] as const));
  const after = contextFromFiles(files, { modulePathOf: (f) => paths.get(f) ?? [], ...(ctx.awsProviderMajor === undefined ? {} : { awsProviderMajor: ctx.awsProviderMajor }) });
  const resource = after.resources.find((r) => r.address === target.address);
  if (resource === undefined) return { reason: `${target.address} could not be re-read with var.${attr.variable} substituted` };
  const plan = control.fix(resource, after);
  if (plan.kind !== "edits") return { reason: plan.reason };
  const only = plan.files.length === 1 && plan.files[0]?.path === target.file && plan.files[0].edits.length === 1 ? plan.files[0].edits[0] : undefined;
  if (only?.start !== start || only.end !== start + literal.length)
    return { reason: `the fix of ${target.address} needs more than the value of var.${attr.variable} (${attr.path.join(".")}); it cannot be made at the variable's source alone` };
  return { text: only.text };
}

/**
 * For an expression of one variable (`!var.x`, `var.x ? false : true`): the other value of a
 * bool, when the expression then passes the control. Only a bool is changed this way — a string
 * or number input (`var.env == "prod"`) says more than this one attribute, so it is refused.
 */
function flippedValue(control: Control, target: ResourceRef, ctx: ControlContext, attr: VariableAttribute, value: unknown): { text: string } | { reason: string } {
  const where = `${target.address} sets ${attr.path.join(".")} = ${attr.expression}`;
  if (typeof value !== "boolean") return { reason: `${where}; TerraFix changes the input of such an expression at its source only when it is a bool, and var.${attr.variable} is ${JSON.stringify(value)}` };
  const flipped = attributeValue(attr, !value);
  if (flipped === undefined || control.check(withValue(target, attr.path, flipped), ctx) !== "pass") return { reason: `${where}; no value of var.${attr.variable} makes it pass` };
  return { text: String(!value) };
}

function renderLiteral(value: unknown): string | undefined {
  if (typeof value === "string") return hclString(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function editAt(ctx: ControlContext, source: ValueSource, valueText: string): TextEdit | undefined {
  switch (source.kind) {
    case "default":
    case "module-input":
      return source.attribute.valueSpan.startLine === source.attribute.valueSpan.endLine ? replaceAttributeValue(source.attribute, valueText) : undefined;
    case "module-input-missing":
      return setAttribute(textOf(ctx, source.file), source.call.block, source.variable, valueText);
    case "tfvars": {
      // tfvars files hold only attributes: the value is the rest of its `name = value` line.
      const text = textOf(ctx, source.file);
      const m = new RegExp(`^([ \\t]*${source.variable}[ \\t]*=[ \\t]*)([^\\r\\n#]*?)[ \\t]*(#.*)?$`, "m").exec(text);
      if (m?.[1] === undefined || m[2] === undefined || m[2] === "" || /[[{(]$/.test(m[2])) return undefined;
      const start = m.index + m[1].length;
      return { start, end: start + m[2].length, text: valueText };
    }
  }
}

/** The block a source edit touches, as the scope gate names blocks (`variable.x`, `module.m`); "" for a tfvars file. */
function sourceBlock(s: ValueSource): string {
  switch (s.kind) {
    case "default":
      return `variable.${s.variable}`;
    case "tfvars":
      return "";
    case "module-input":
    case "module-input-missing":
      return `module.${s.call.name}`;
  }
}
