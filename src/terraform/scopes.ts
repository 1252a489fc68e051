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

/** One scope per explicit `*.tfvars` file (on top of the auto-loaded ones), or one with the auto-loaded only. */
export function rootScopes(entry: ModuleDir): ModuleScope[] {
  const name = (f: ParsedFile): string => f.path.slice(f.path.lastIndexOf("/") + 1);
  const isAuto = (f: ParsedFile): boolean => /^terraform\.tfvars(\.json)?$/.test(name(f)) || /\.auto\.tfvars(\.json)?$/.test(name(f));
  const sorted = [...entry.tfvars].sort((a, b) => (name(a) < name(b) ? -1 : 1));
  const auto = Object.assign({}, ...sorted.filter(isAuto).map(tfvarsValues)) as Record<string, Value>;
  const explicit = sorted.filter((f) => !isAuto(f));
  if (explicit.length === 0) return [new ModuleScope(entry.definition, auto, "root")];
  return explicit.slice(0, MAX_SCOPES).map((f) => new ModuleScope(entry.definition, { ...auto, ...tfvarsValues(f) }, name(f)));
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

