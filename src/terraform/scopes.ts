import { evaluateJson, type EvalContext } from "./expr.js";
import type { HclBlock, ParsedFile } from "./parse.js";
import { ModuleScope, expandInstances, resolveBlockAttribute, type ModuleDefinition } from "./resolve.js";
import type { IndexedModuleCall } from "./types.js";
import type { Value } from "./values.js";

/** Evaluation scopes of root modules (per tfvars variant) and of module calls (per instance). */
export interface ModuleDir {
  dir: string;
  config: ParsedFile[];
  tfvars: ParsedFile[];
  definition: ModuleDefinition;
}

const MAX_SCOPES = 16;
const EMPTY: EvalContext = { ref: () => undefined };

export function configBlocks(entry: ModuleDir, type: string): HclBlock[] {
  return entry.config.flatMap((f) => f.blocks.filter((b) => b.type === type));
}

/**
 * The alternative value sets of a root module (its environments): the variable defaults, and each
 * `*.tfvars` / `*.auto.tfvars` file on top of them. A name that matches under any set counts, and
 * the reason names the set. Terraform itself always loads `terraform.tfvars` and `*.auto.tfvars`
 * (https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence),
 * but real repositories keep one file per environment under either spelling, and deploy some
 * environments with the defaults alone: treating every file as one environment loses none of them.
 * An explicit file is also combined with the auto-loaded ones, as `terraform apply -var-file` does.
 */
export function rootScopes(entry: ModuleDir): ModuleScope[] {
  const name = (f: ParsedFile): string => f.path.slice(f.path.lastIndexOf("/") + 1);
  const isAuto = (f: ParsedFile): boolean => /^terraform\.tfvars(\.json)?$/.test(name(f)) || /\.auto\.tfvars(\.json)?$/.test(name(f));
  const sorted = [...entry.tfvars].sort((a, b) => (name(a) < name(b) ? -1 : 1));
  const autos = sorted.filter(isAuto);
  const auto = Object.assign({}, ...autos.map(tfvarsValues)) as Record<string, Value>;
  const sets: [string, Record<string, Value>][] = [[sorted.length === 0 ? "root" : "variable defaults", {}]];
  for (const f of sorted) {
    sets.push([name(f), tfvarsValues(f)]);
    if (!isAuto(f) && autos.length > 0) sets.push([`${autos.map(name).join(" + ")} + ${name(f)}`, { ...auto, ...tfvarsValues(f) }]);
  }
  // A set that leaves unset a variable without default, which the tfvars files do set, is not an
  // environment Terraform can apply (it would ask for the value): it is left out.
  const vars = entry.definition.variables;
  const required = new Set(sets.flatMap(([, values]) => Object.keys(values)).filter((k) => vars.has(k) && vars.get(k) === undefined));
  const complete = sets.filter(([, values]) => [...required].every((k) => Object.hasOwn(values, k)));
  return (complete.length > 0 ? complete : sets).slice(0, MAX_SCOPES).map(([label, values]) => new ModuleScope(entry.definition, values, label));
}

function tfvarsValues(file: ParsedFile): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(file.json ?? {})) out[k] = evaluateJson(v, EMPTY);
  return out;
}

export function childScopes(call: IndexedModuleCall, child: ModuleDir, parents: ModuleScope[]): ModuleScope[] {
  const out: ModuleScope[] = [];
  for (const parent of parents) {
    for (const instance of expandInstances(call.block.body, parent)) {
      if (out.length >= MAX_SCOPES) return out;
      const inputs: Record<string, Value> = {};
      for (const [k, v] of Object.entries(call.inputs)) inputs[k] = evaluateJson(v, instance.ctx);
      const key = instance.key === undefined ? "" : `[${JSON.stringify(instance.key)}]`;
      out.push(new ModuleScope(child.definition, inputs, `${parent.label}/module.${call.name}${key}`));
    }
  }
  return out;
}

/**
 * Regions of the root module's AWS providers by alias ("" for the default), when every tfvars
 * variant gives a known literal region. https://developer.hashicorp.com/terraform/language/providers/configuration
 */
export function regionsOf(entry: ModuleDir, scopes: ModuleScope[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const block of configBlocks(entry, "provider")) {
    if (block.labels[0] !== "aws" || block.body === null) continue;
    const alias = typeof block.body.alias === "string" ? block.body.alias : "";
    const values = resolveBlockAttribute(block.body, scopes, "region").map((v) => v.value);
    if (values.length > 0 && values.every((v): v is string => typeof v === "string")) out.set(alias, [...new Set(values)]);
  }
  return out;
}


/** `default_tags { tags = ... }` of the root module's AWS providers, by alias and value set. */
export function defaultTagsOf(entry: ModuleDir, scopes: ModuleScope[]): Map<string, Map<string, Value>> {
  const out = new Map<string, Map<string, Value>>();
  for (const block of configBlocks(entry, "provider")) {
    if (block.labels[0] !== "aws" || block.body === null) continue;
    const alias = typeof block.body.alias === "string" ? block.body.alias : "";
    const dt = block.body.default_tags;
    const first = Array.isArray(dt) ? (dt[0] as unknown) : undefined;
    if (typeof first !== "object" || first === null) continue;
    const byScope = new Map<string, Value>();
    for (const v of resolveBlockAttribute(first as Record<string, unknown>, scopes, "tags")) byScope.set(v.scope.label, v.value);
    out.set(alias, byScope);
  }
  return out;
}
