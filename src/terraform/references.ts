import type { IndexedModuleCall, IndexedResource } from "./types.js";

/** `type.name`, `data.type.name` or `module.name` at the start of a traversal inside `${...}`. */
const REF = /(?<![\w.-])(data\.[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*|module\.[A-Za-z_][\w-]*|[A-Za-z][A-Za-z0-9]*_[\w-]*\.[A-Za-z_][\w-]*)/g;
const NOT_BLOCKS = /^(var|local|each|count|path|terraform|self)\./;

/** Fills `references` / `referencedBy` between blocks of the same module instance. */
export function linkReferences(resources: IndexedResource[], calls: IndexedModuleCall[]): void {
  const known = new Map<string, IndexedResource | IndexedModuleCall>();
  const key = (rootDir: string, address: string): string => `${rootDir}\u0000${address}`;
  for (const r of resources) known.set(key(r.rootDir, r.address), r);
  for (const c of calls) known.set(key(c.rootDir, c.address), c);
  for (const r of resources) {
    const prefix = r.modulePath.map((m) => `module.${m}.`).join("");
    const found = new Set<string>();
    for (const text of expressionStrings(r.block.body)) {
      for (const m of text.matchAll(REF)) {
        const ref = m[1] ?? "";
        if (NOT_BLOCKS.test(ref)) continue;
        const address = `${prefix}${ref}`;
        if (address !== r.address && known.has(key(r.rootDir, address))) found.add(address);
      }
    }
    r.references = [...found].sort();
    for (const address of r.references) {
      const target = known.get(key(r.rootDir, address));
      if (target !== undefined && "referencedBy" in target && !target.referencedBy.includes(r.address)) target.referencedBy.push(r.address);
    }
  }
}

/** Every string of a hcl2json body that holds an interpolation. */
function expressionStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") {
    if (value.includes("${")) out.push(value);
  } else if (Array.isArray(value)) for (const v of value) expressionStrings(v, out);
  else if (typeof value === "object" && value !== null) for (const v of Object.values(value)) expressionStrings(v, out);
  return out;
}
