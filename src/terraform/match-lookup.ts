import { registryModuleOf } from "./registry-modules.js";
import { resolveBlockAttribute, type ResolvedValue } from "./resolve.js";
import { resourceTags } from "./tags.js";
import type { IndexedModuleCall, IndexedResource, RepositoryIndex } from "./types.js";
import { PartialString, UNKNOWN, isObjectValue, type Value } from "./values.js";

/** The attributes that carry a resource's name for one kind (`bucket` / `bucket_prefix`...). */
export interface NameAttributes {
  name?: string | undefined;
  prefix?: string | undefined;
}

/**
 * Blocks keyed by the text their name must start with. A name the code fixes completely is an
 * exact key; a pattern (`"${local.env}-logs"`, `bucket_prefix`) is keyed by its literal prefix,
 * which is "" when it starts with an unknown part: such a block is a candidate for every name.
 * The prefix is taken without the failure's account/region: filling a typed hole only ever makes
 * the literal prefix longer, so the keys never leave out a block the full comparison would accept.
 */
interface NameKeys {
  exact: Map<string, IndexedResource[]>;
  prefixes: Map<string, IndexedResource[]>;
  /** Distinct prefix lengths, so a lookup tries only those. */
  lengths: number[];
}

/**
 * What the matcher looks blocks up by, built once per index: managed resources by type, then by
 * name key per name attribute, by Name tag and by trace tag, so a warm match touches only the
 * blocks that can produce the failing resource's name instead of every block of its type.
 * The full comparison (match.ts `resourceVerdict`) still judges every block returned here.
 */
export interface MatchLookup {
  /** Managed resources of a type, in index order. */
  ofType(type: string): readonly IndexedResource[];
  /** Every type with a managed resource. */
  types(): readonly string[];
  /** Registry module calls TerraFix knows (registry-modules.ts), in index order. */
  registryCalls: readonly IndexedModuleCall[];
  /**
   * Resources of `type` that may carry evidence for these names or tags: a name attribute that
   * can produce one of `names`, a Name tag that can produce `tagName`, or the trace tags of `tags`.
   * In index order; a superset of the blocks with such evidence.
   */
  candidates(type: string, attrs: NameAttributes, names: readonly string[], tagName: string | undefined, tags: Readonly<Record<string, string>>): IndexedResource[];
  /** Orders resources as the index holds them (the order the matcher reports ties in). */
  inIndexOrder(resources: Iterable<IndexedResource>): IndexedResource[];
}

const LOOKUPS = new WeakMap<RepositoryIndex, MatchLookup>();

export function matchLookupOf(index: RepositoryIndex): MatchLookup {
  let lookup = LOOKUPS.get(index);
  if (lookup === undefined) LOOKUPS.set(index, (lookup = buildLookup(index)));
  return lookup;
}

function buildLookup(index: RepositoryIndex): MatchLookup {
  const byType = new Map<string, IndexedResource[]>();
  const position = new Map<IndexedResource, number>();
  index.resources.forEach((r, i) => {
    position.set(r, i);
    if (r.mode !== "managed") return;
    const list = byType.get(r.type);
    if (list === undefined) byType.set(r.type, [r]);
    else list.push(r);
  });
  const registryCalls = index.moduleCalls.filter((c) => !c.local && registryModuleOf(c.source) !== undefined);
  // Built on first use per type and attribute: a match only pays for the kinds it asks about.
  const nameKeys = new Map<string, NameKeys>();
  const tagKeys = new Map<string, { name: NameKeys; yor: Map<string, IndexedResource[]>; git: Map<string, IndexedResource[]> }>();

  const inIndexOrder = (resources: Iterable<IndexedResource>): IndexedResource[] =>
    [...new Set(resources)].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));

  function namesOf(type: string, attrs: NameAttributes): NameKeys {
    const id = `${type}\u0000${attrs.name ?? ""}\u0000${attrs.prefix ?? ""}`;
    let keys = nameKeys.get(id);
    if (keys === undefined) {
      keys = emptyKeys();
      for (const r of byType.get(type) ?? []) for (const key of nameAttributeKeys(r, attrs)) addKey(keys, key, r);
      finish(keys);
      nameKeys.set(id, keys);
    }
    return keys;
  }

  function tagsOf(type: string): NonNullable<ReturnType<typeof tagKeys.get>> {
    let keys = tagKeys.get(type);
    if (keys === undefined) {
      keys = { name: emptyKeys(), yor: new Map(), git: new Map() };
      for (const r of byType.get(type) ?? []) {
        for (const v of resourceTags(index, r)) {
          const tags = isObjectValue(v.value) ? v.value : undefined;
          if (tags === undefined) continue;
          if (tags.Name !== undefined) {
            const key = keyOf(tags.Name, false);
            if (key !== undefined) addKey(keys.name, key, r);
          }
          if (typeof tags.yor_trace === "string") push(keys.yor, tags.yor_trace, r);
          if (typeof tags.git_file === "string" && typeof tags.git_repo === "string") push(keys.git, `${tags.git_file}\u0000${tags.git_repo}`, r);
        }
      }
      finish(keys.name);
      tagKeys.set(type, keys);
    }
    return keys;
  }

  return {
    ofType: (type) => byType.get(type) ?? [],
    types: () => [...byType.keys()],
    registryCalls,
    inIndexOrder,
    candidates(type, attrs, names, tagName, tags) {
      const found: IndexedResource[] = [];
      if (names.length > 0 && (attrs.name !== undefined || attrs.prefix !== undefined)) {
        const keys = namesOf(type, attrs);
        for (const name of names) lookUp(keys, name, found);
      }
      const wantsTrace = tags.yor_trace !== undefined || (tags.git_file !== undefined && tags.git_repo !== undefined);
      if (tagName !== undefined || wantsTrace) {
        const keys = tagsOf(type);
        if (tagName !== undefined) lookUp(keys.name, tagName, found);
        if (tags.yor_trace !== undefined) found.push(...(keys.yor.get(tags.yor_trace) ?? []));
        if (tags.git_file !== undefined && tags.git_repo !== undefined) found.push(...(keys.git.get(`${tags.git_file}\u0000${tags.git_repo}`) ?? []));
      }
      return inIndexOrder(found);
    },
  };
}

type Key = { exact: string } | { prefix: string };

/** The keys of a resource's name attribute, or of its `*_prefix` attribute when it has no name (as evidence.ts reads them). */
function nameAttributeKeys(r: IndexedResource, attrs: NameAttributes): Key[] {
  const body = r.block.body;
  let values: ResolvedValue[] = [];
  let prefixed = false;
  if (attrs.name !== undefined && body?.[attrs.name] !== undefined) values = resolveBlockAttribute(body, r.scopes, attrs.name);
  else if (attrs.prefix !== undefined && body?.[attrs.prefix] !== undefined) {
    values = resolveBlockAttribute(body, r.scopes, attrs.prefix);
    prefixed = true;
  }
  return values.flatMap((v) => keyOf(v.value, prefixed) ?? []);
}

/** What a name must start with (or equal) to match this value: values.ts namePattern's literal text before its first hole. */
function keyOf(value: Value, prefixed: boolean): Key | undefined {
  const text = typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
  if (text !== undefined) return prefixed ? { prefix: text } : { exact: text };
  if (value instanceof PartialString) {
    const first = value.parts[0];
    return { prefix: typeof first === "string" ? first : "" };
  }
  if (value === UNKNOWN) return { prefix: "" };
  return undefined;
}

function emptyKeys(): NameKeys {
  return { exact: new Map(), prefixes: new Map(), lengths: [] };
}

function addKey(keys: NameKeys, key: Key, r: IndexedResource): void {
  if ("exact" in key) push(keys.exact, key.exact, r);
  else push(keys.prefixes, key.prefix, r);
}

function finish(keys: NameKeys): void {
  keys.lengths = [...new Set([...keys.prefixes.keys()].map((p) => p.length))].sort((a, b) => a - b);
}

function lookUp(keys: NameKeys, name: string, into: IndexedResource[]): void {
  into.push(...(keys.exact.get(name) ?? []));
  for (const length of keys.lengths) {
    if (length > name.length) break;
    into.push(...(keys.prefixes.get(name.slice(0, length)) ?? []));
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
