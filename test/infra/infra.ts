import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseHclFile, type ParsedFile } from "../../src/terraform/parse.js";

/** The infra/ Terraform, parsed with TerraFix's own parser (hcl2json JSON per file). */
export interface Infra {
  files: ParsedFile[];
  /** `locals` of every file, merged. */
  locals: Record<string, unknown>;
  /** type -> name -> body of every `resource` block. */
  resources: Record<string, Record<string, Record<string, unknown>>>;
  /** type -> name -> body of every `data` block. */
  data: Record<string, Record<string, Record<string, unknown>>>;
  variables: Record<string, Record<string, unknown>>;
  outputs: Record<string, Record<string, unknown>>;
}

export const infraDir = join(import.meta.dirname, "..", "..", "infra");

export async function loadInfra(dir = infraDir): Promise<Infra> {
  const names = readdirSync(dir).filter((n) => n.endsWith(".tf")).sort();
  const files = await Promise.all(names.map((n) => parseHclFile(n, readFileSync(join(dir, n), "utf8"))));
  const infra: Infra = { files, locals: {}, resources: {}, data: {}, variables: {}, outputs: {} };
  for (const file of files) {
    const json = file.json ?? {};
    for (const block of (json.locals as Record<string, unknown>[] | undefined) ?? []) Object.assign(infra.locals, block);
    mergeTyped(infra.resources, json.resource);
    mergeTyped(infra.data, json.data);
    mergeNamed(infra.variables, json.variable);
    mergeNamed(infra.outputs, json.output);
  }
  return infra;
}

function mergeTyped(target: Infra["resources"], source: unknown): void {
  for (const [type, byName] of Object.entries((source ?? {}) as Record<string, Record<string, Record<string, unknown>[]>>)) {
    target[type] ??= {};
    for (const [name, bodies] of Object.entries(byName)) target[type][name] = bodies[0]!;
  }
}

function mergeNamed(target: Record<string, Record<string, unknown>>, source: unknown): void {
  for (const [name, bodies] of Object.entries((source ?? {}) as Record<string, Record<string, unknown>[]>)) target[name] = bodies[0]!;
}

/** Names of the locals an expression refers to (`local.x`). */
export function referencedLocals(expression: string): string[] {
  return [...expression.matchAll(/\blocal\.(\w+)/g)].map((m) => m[1]!);
}

/** The expression text of a local and, recursively, of every local it refers to. */
export function expandLocal(locals: Record<string, unknown>, name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const value = locals[name];
  if (value === undefined) throw new Error(`local.${name} is not defined`);
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return [text, ...referencedLocals(text).flatMap((n) => expandLocal(locals, n, seen))];
}
