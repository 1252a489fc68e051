import { posix } from "node:path";
import type { ControlContext, ResourceRef } from "./types.js";

/**
 * Lookups of a repository's resources by type, by module folder and by the address an attribute
 * refers to, built once per resource list. Controls ask for a resource's peers (the
 * `aws_s3_bucket_versioning` of a bucket, the rules of a security group) for every resource they
 * check; scanning every resource for each made `check` quadratic (issue 17: 17 s at 50k).
 *
 * The index is keyed by the context's `resources` array (a RepositoryIndex builds it once), and
 * rebuilt if that array's length changes. Lists keep the order of `ctx.resources`, so answers are
 * exactly what a scan would give.
 */
export interface PeerIndex {
  /** Resources of a type, in repository order. */
  ofType(type: string): readonly ResourceRef[];
  /** Resources of a type in one module folder. */
  ofTypeInDir(type: string, dir: string): readonly ResourceRef[];
  /**
   * Resources of `type` in `dir` and module path `module` whose `attribute` is keyed `key`: by
   * reference (`ref:aws_s3_bucket.b`) or by literal value (`lit:my-bucket`); see `connectionKeys`.
   */
  connected(type: string, attribute: string, dir: string, module: string, key: string): readonly ResourceRef[];
  /** Position of a resource in `ctx.resources` (to merge lists back into repository order). */
  position(resource: ResourceRef): number;
}

interface Cached {
  length: number;
  index: PeerIndex;
}

const INDEXES = new WeakMap<readonly ResourceRef[], Cached>();
const EMPTY: readonly ResourceRef[] = [];

/** The peer index of a context, built on first use. */
export function peersOf(ctx: ControlContext): PeerIndex {
  const cached = INDEXES.get(ctx.resources);
  if (cached !== undefined && cached.length === ctx.resources.length) return cached.index;
  const index = buildPeerIndex(ctx.resources);
  INDEXES.set(ctx.resources, { length: ctx.resources.length, index });
  return index;
}

/** The folder of a file: resources reference each other only within one module folder. */
export function moduleDir(file: string): string {
  return posix.dirname(file.replace(/\\/g, "/"));
}

function buildPeerIndex(resources: readonly ResourceRef[]): PeerIndex {
  const byType = new Map<string, ResourceRef[]>();
  const byTypeDir = new Map<string, ResourceRef[]>();
  const positions = new Map<ResourceRef, number>();
  resources.forEach((r, i) => {
    positions.set(r, i);
    push(byType, r.type, r);
    push(byTypeDir, `${r.type}\u0000${moduleDir(r.file)}`, r);
  });
  // (type, attribute) -> "dir \0 module \0 key" -> resources; built when a control first asks.
  const connections = new Map<string, Map<string, ResourceRef[]>>();
  return {
    ofType: (type) => byType.get(type) ?? EMPTY,
    ofTypeInDir: (type, dir) => byTypeDir.get(`${type}\u0000${dir}`) ?? EMPTY,
    connected(type, attribute, dir, module, key) {
      const group = `${type}\u0000${attribute}`;
      let map = connections.get(group);
      if (map === undefined) {
        map = new Map();
        for (const r of byType.get(type) ?? EMPTY) {
          const prefix = `${moduleDir(r.file)}\u0000${r.modulePath.join(".")}\u0000`;
          for (const k of connectionKeys(r, attribute)) push(map, prefix + k, r);
        }
        connections.set(group, map);
      }
      return map.get(`${dir}\u0000${module}\u0000${key}`) ?? EMPTY;
    },
    position: (resource) => positions.get(resource) ?? -1,
  };
}

const REF_SUFFIX = /\.(id|arn|bucket|name)$/;
const EACH_VALUE = /^each\.value\.(id|arn|bucket|name)$/;

/**
 * The keys under which `r.attribute` connects `r` to another resource, the inverse of the test
 * `connectedResources` documents: `ref:T.N` when the value is `T.N.id` (also `.arn`, `.bucket`,
 * `.name`, with an optional `[index]`), or `each.value.id` with `for_each = T.N`; `lit:V` when the
 * value is the string V.
 */
export function connectionKeys(r: ResourceRef, attribute: string): string[] {
  const keys: string[] = [];
  const value = r.block.attributes.find((a) => a.name === attribute)?.valueText.trim() ?? "";
  const suffix = REF_SUFFIX.exec(value);
  if (suffix !== null) {
    const rest = value.slice(0, suffix.index);
    keys.push(`ref:${rest}`);
    // `T.N[...]`: an index in brackets holding no `]` (each `[` after the last inner `]` may start it).
    if (rest.endsWith("]")) {
      const floor = rest.lastIndexOf("]", rest.length - 2);
      for (let i = rest.length - 2; i > floor; i--) if (rest[i] === "[") keys.push(`ref:${rest.slice(0, i)}`);
    }
  }
  if (EACH_VALUE.test(value)) {
    const forEach = r.block.attributes.find((a) => a.name === "for_each")?.valueText.trim();
    if (forEach !== undefined) keys.push(`ref:${forEach}`);
  }
  const literal = r.block.body?.[attribute];
  if (typeof literal === "string") keys.push(`lit:${literal}`);
  return keys;
}

function push<K>(map: Map<K, ResourceRef[]>, key: K, r: ResourceRef): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [r]);
  else list.push(r);
}
