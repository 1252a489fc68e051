import { readdir } from "node:fs/promises";
import { join } from "node:path";

export type FileRole = "config" | "tfvars" | "lock";

/** What the index reads: configuration, variable files and the provider lock file. */
export function roleOf(name: string): FileRole | undefined {
  if (name.endsWith(".tf") || name.endsWith(".tf.json")) return "config";
  if (name.endsWith(".tfvars") || name.endsWith(".tfvars.json")) return "tfvars";
  if (name === ".terraform.lock.hcl") return "lock";
  return undefined;
}

/**
 * Lists indexable files under `start`, relative to `root` with forward slashes. Skips hidden
 * folders and `.terraform/` (downloaded modules and providers are not the repository's code).
 */
export async function walkTerraformFiles(root: string, start: string): Promise<string[]> {
  const out: string[] = [];
  async function visit(rel: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const childRel = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
        await visit(childRel);
      } else if (entry.isFile() && roleOf(entry.name) !== undefined) out.push(childRel);
    }
  }
  await visit(start);
  return out;
}

export function dirOf(rel: string): string {
  const slash = rel.lastIndexOf("/");
  return slash < 0 ? "" : rel.slice(0, slash);
}

/** Joins a module directory and a relative `source`, normalising `.` and `..`; undefined when it leaves the root. */
export function joinRel(dir: string, source: string): string | undefined {
  const parts = dir === "" ? [] : dir.split("/");
  for (const seg of source.replace(/\/+$/, "").split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join("/");
}
