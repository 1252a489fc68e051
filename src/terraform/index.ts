import { readFile, readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ParseCache, sha256 } from "./cache.js";
import type { HclBlock, ParsedFile } from "./parse.js";
import { linkReferences } from "./references.js";
import type { ModuleScope } from "./resolve.js";
import { childScopes, configBlocks, defaultTagsOf, regionsOf, rootScopes, type ModuleDir } from "./scopes.js";
import type { Value } from "./values.js";
import { DEFAULT_MAX_FILE_BYTES, type IndexError, type IndexOptions, type IndexedModuleCall, type IndexedResource, type RepositoryIndex, type SkippedPath } from "./types.js";
import { realInside } from "./contained-path.js";
import { dirOf, joinRel, roleOf, walkTerraformFiles } from "./walk.js";
import { providerMajor } from "./provider-version.js";

export type { IndexedModuleCall, IndexedResource, RepositoryIndex, IndexError, IndexOptions } from "./types.js";
export { ParseCache } from "./cache.js";

/** Module meta-arguments: not inputs. https://developer.hashicorp.com/terraform/language/meta-arguments */
const MODULE_META = new Set(["source", "version", "count", "for_each", "providers", "depends_on"]);
const MAX_MODULE_DEPTH = 8;
const PARSE_CONCURRENCY = 16;


/**
 * Indexes every Terraform file of a checkout: resources, data sources and module calls with full
 * addresses (local modules followed recursively), their evaluation scopes and references. A file
 * that does not parse is recorded in `errors` and skipped; indexing itself never fails on content.
 */
export async function indexRepository(dir: string, options: IndexOptions = {}): Promise<RepositoryIndex> {
  const root = resolve(dir);
  const cache = options.cache ?? new ParseCache();
  const start = joinRel("", options.subPath ?? "") ?? "";
  const files = new Map<string, ParsedFile>();
  const errors: IndexError[] = [];
  const dirs = new Map<string, ModuleDir>();
  const lazy = options.validation === "lazy";
  const hashes = new Map<string, string>();
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const skipped: SkippedPath[] = [];

  interface Source {
    rel: string;
    text: string;
    hash: string;
  }

  async function read(rel: string): Promise<Source | undefined> {
    try {
      const abs = join(root, rel);
      const info = await stat(abs);
      // Checked before reading: a 20 MB file aborted the tree-sitter WASM module (issue 16).
      if (info.size > maxFileBytes) {
        skipped.push({ file: rel, reason: "too-large", message: `${info.size} bytes, over the ${maxFileBytes}-byte limit (TERRAFIX_MAX_FILE_BYTES); not parsed` });
        return undefined;
      }
      const known = cache.knownText(abs, info.mtimeMs, info.size);
      if (known !== undefined) {
        hashes.set(rel, known.hash);
        return { rel, ...known };
      }
      const text = await readFile(abs, "utf8");
      const hash = sha256(text);
      hashes.set(rel, hash);
      cache.recordStat(abs, info.mtimeMs, info.size, hash);
      return { rel, text, hash };
    } catch (error) {
      errors.push({ file: rel, message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  }

  /**
   * Parses with several files in flight: hcl2json answers through the Go WASM scheduler, so
   * sequential calls mostly wait (measured in bench/scale-index.ts).
   */
  async function loadAll(sources: (Source | undefined)[]): Promise<void> {
    const parsed: (ParsedFile | undefined)[] = new Array<ParsedFile | undefined>(sources.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < sources.length) {
        const i = next++;
        const source = sources[i];
        if (source !== undefined) parsed[i] = await cache.parse(source.rel, source.text, source.hash, lazy && source.rel.endsWith(".tf") ? "locate" : "full");
      }
    };
    await Promise.all(Array.from({ length: PARSE_CONCURRENCY }, worker));
    parsed.forEach((p) => p !== undefined && accept(p));
  }

  function accept(parsed: ParsedFile): void {
    const rel = parsed.path;
    if (parsed.errors.length > 0 || parsed.json === null) {
      errors.push({ file: rel, message: parsed.errors.join("; ") || "does not parse" });
      return;
    }
    files.set(rel, parsed);
    const name = rel.slice(rel.lastIndexOf("/") + 1);
    const moduleDir = dirEntry(dirOf(rel));
    if (roleOf(name) === "tfvars") moduleDir.tfvars.push(parsed);
    else if (roleOf(name) === "config") moduleDir.config.push(parsed);
  }

  function dirEntry(d: string): ModuleDir {
    let entry = dirs.get(d);
    if (entry === undefined) {
      entry = { dir: d, config: [], tfvars: [], definition: { dir: d, variables: new Map(), locals: new Map(), resources: new Map(), data: new Map(), variableSpecs: new Map() } };
      dirs.set(d, entry);
    }
    return entry;
  }

  /** A folder reached through a symlink that leaves the checkout is not read (realpath). */
  async function contained(rel: string): Promise<boolean> {
    if (await realInside(root, rel).catch(() => false)) return true;
    skipped.push({ file: rel, reason: "outside-checkout", message: "a symlink that leaves the checkout; not read" });
    return false;
  }

  const sources = (await contained(start)) ? await Promise.all((await walkTerraformFiles(root, start)).map(read)) : [];
  const fingerprint = sha256(sources.map((s) => (s === undefined ? "" : `${s.rel}\u0000${s.hash}`)).join("\n"));
  const cacheKey = `${root}\u0000${start}\u0000${lazy ? "lazy" : "eager"}`;
  const previous = cache.recallIndex(cacheKey, fingerprint);
  if (previous !== undefined) {
    cache.hits += sources.length;
    return previous;
  }
  let outside = false;
  await loadAll(sources);

  // Local module sources: directories called by another directory are modules, not roots.
  const called = new Set<string>();
  const pending = [...dirs.values()];
  const visited = new Set<string>();
  while (pending.length > 0) {
    const entry = pending.pop();
    if (entry === undefined || visited.has(entry.dir)) continue;
    visited.add(entry.dir);
    for (const block of configBlocks(entry, "module")) {
      const source = block.body?.source;
      if (typeof source !== "string" || !isLocalSource(source)) continue;
      const target = joinRel(entry.dir, source);
      if (target === undefined || target === entry.dir) continue;
      called.add(target);
      if (!dirs.has(target)) {
        // A module outside the indexed sub-path: read its own folder only.
        outside = true;
        if (!(await contained(target))) continue;
        await loadAll(await Promise.all((await listModuleFiles(root, target)).map(read)));
        const loaded = dirs.get(target);
        if (loaded !== undefined) pending.push(loaded);
      }
    }
  }
  for (const entry of dirs.values()) define(entry);

  const resources: IndexedResource[] = [];
  const moduleCalls: IndexedModuleCall[] = [];
  const providerRegions = new Map<string, Map<string, string[]>>();
  const providerDefaultTags = new Map<string, Map<string, Map<string, Value>>>();
  const rootModules = [...dirs.values()]
    .filter((d) => d.config.length > 0 && !called.has(d.dir) && (start === "" || d.dir === start || d.dir.startsWith(`${start}/`)))
    .map((d) => d.dir)
    .sort();

  function instantiate(entry: ModuleDir, modulePath: string[], scopes: ModuleScope[], rootDir: string, stack: string[]): void {
    const prefix = modulePath.map((m) => `module.${m}.`).join("");
    for (const file of entry.config) {
      for (const block of file.blocks) {
        if ((block.type === "resource" || block.type === "data") && block.labels.length === 2) {
          const [type = "", name = ""] = block.labels;
          const mode = block.type === "data" ? "data" : "managed";
          resources.push({
            address: `${prefix}${mode === "data" ? "data." : ""}${type}.${name}`,
            mode,
            type,
            name,
            modulePath,
            file: file.path,
            block,
            references: [],
            referencedBy: [],
            rootDir,
            scopes,
          });
        } else if (block.type === "module" && block.labels.length === 1) {
          const call = moduleCall(block, file.path, prefix, modulePath, rootDir, scopes);
          moduleCalls.push(call);
          const target = call.local ? joinRel(entry.dir, call.source) : undefined;
          const child = target === undefined ? undefined : dirs.get(target);
          if (child === undefined || child.config.length === 0 || stack.includes(child.dir) || stack.length >= MAX_MODULE_DEPTH) continue;
          instantiate(child, [...modulePath, call.name], childScopes(call, child, scopes), rootDir, [...stack, child.dir]);
        }
      }
    }
  }

  for (const rootDir of rootModules) {
    const entry = dirs.get(rootDir);
    if (entry === undefined) continue;
    const scopes = rootScopes(entry);
    providerRegions.set(rootDir, regionsOf(entry, scopes));
    providerDefaultTags.set(rootDir, defaultTagsOf(entry, scopes));
    instantiate(entry, [], scopes, rootDir, [rootDir]);
  }
  linkReferences(resources, moduleCalls);

  const byAddress = new Map<string, IndexedResource[]>();
  for (const r of resources) byAddress.set(r.address, [...(byAddress.get(r.address) ?? []), r]);
  const callsByAddress = new Map(moduleCalls.map((c) => [c.address, c]));
  const major = providerMajor([...files.values()]);
  const verdicts = new Map<string, Promise<string | null>>();
  const index: RepositoryIndex = {
    root,
    files,
    resources,
    moduleCalls,
    rootModules,
    providerRegions,
    providerDefaultTags,
    ...(major === undefined ? {} : { awsProviderMajor: major }),
    errors,
    skipped,
    resourceByAddress: (address) => byAddress.get(address)?.[0],
    resourcesByAddress: (address) => byAddress.get(address) ?? [],
    moduleCallByAddress: (address) => callsByAddress.get(address),
    invalidFiles: new Set(),
    async validate(list) {
      const found: IndexError[] = [];
      const todo = [...new Set(list ?? files.keys())].filter((rel) => files.get(rel)?.validated === false && !index.invalidFiles.has(rel));
      // Jobs sharing this index (pipeline/shared-index.ts) may validate one file at once: one verdict, one error.
      const first = new Set<string>();
      const pending = todo.map((rel) => {
        let verdict = verdicts.get(rel);
        if (verdict === undefined) {
          first.add(rel);
          verdict = cache.validate(rel, files.get(rel)?.text ?? "", hashes.get(rel));
          verdicts.set(rel, verdict);
        }
        return verdict;
      });
      // All at once: the worker thread pipelines them (one round trip each would leave it idle).
      const messages = await Promise.all(pending);
      for (const [i, rel] of todo.entries()) {
        const message = messages[i] ?? null;
        if (message === null) continue;
        if (first.has(rel)) {
          index.invalidFiles.add(rel);
          index.errors.push({ file: rel, message });
        }
        found.push({ file: rel, message });
      }
      return found;
    },
  };
  // Files read from outside the walked folder are not in the fingerprint: such an index is not reused.
  if (!outside) cache.rememberIndex(cacheKey, fingerprint, index);
  return index;
}


function define(entry: ModuleDir): void {
  const def = entry.definition;
  for (const file of entry.config) {
    for (const block of file.blocks) {
      const body = block.body ?? {};
      if (block.type === "variable" && block.labels[0] !== undefined) {
        def.variables.set(block.labels[0], body.default);
        def.variableSpecs?.set(block.labels[0], { type: body.type, validation: body.validation });
      } else if (block.type === "data" && block.labels.length === 2) {
        const [type = "", name = ""] = block.labels;
        def.data?.set(type, [...(def.data.get(type) ?? []), name]);
      }
      if (block.type === "locals") for (const [k, v] of Object.entries(body)) def.locals.set(k, v);
      else if (block.type === "resource" && block.labels.length === 2) def.resources.set(block.labels.join("."), body);
    }
  }
}

export function isLocalSource(source: string): boolean {
  return source.startsWith("./") || source.startsWith("../") || source === "." || source === "..";
}

function moduleCall(block: HclBlock, file: string, prefix: string, modulePath: string[], rootDir: string, scopes: ModuleScope[]): IndexedModuleCall {
  const body = block.body ?? {};
  const name = block.labels[0] ?? "";
  const source = typeof body.source === "string" ? body.source : "";
  const inputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!MODULE_META.has(k)) inputs[k] = v;
  return {
    address: `${prefix}module.${name}`,
    name,
    source,
    ...(typeof body.version === "string" ? { version: body.version } : {}),
    local: isLocalSource(source),
    file,
    block,
    inputs,
    modulePath,
    rootDir,
    scopes,
  };
}

async function listModuleFiles(root: string, dir: string): Promise<string[]> {
  try {
    const entries = await readdir(join(root, dir), { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && roleOf(e.name) === "config")
      .map((e) => (dir === "" ? e.name : `${dir}/${e.name}`))
      .sort();
  } catch {
    return [];
  }
}

