import { PartialString, UNKNOWN, UUID_HOLE, concatValues, holeValue, isObjectValue, type Value } from "./values.js";

/**
 * The Terraform functions that shape names and tags, over partially known values.
 * https://developer.hashicorp.com/terraform/language/functions
 * An unlisted function, or a call whose inputs are too unknown, gives UNKNOWN.
 */
export function callFunction(name: string, args: Value[]): Value {
  const fn = FUNCTIONS[name];
  if (fn === undefined) return UNKNOWN;
  try {
    return fn(args);
  } catch {
    return UNKNOWN;
  }
}

type Fn = (args: Value[]) => Value;

const str = (v: Value | undefined): string | PartialString | typeof UNKNOWN => {
  if (v === undefined) return UNKNOWN;
  if (typeof v === "string" || v instanceof PartialString) return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return UNKNOWN;
};

function mapString(v: Value | undefined, fn: (s: string) => string): Value {
  const s = str(v);
  if (typeof s === "string") return fn(s);
  if (s instanceof PartialString) return s.mapLiterals(fn);
  return UNKNOWN;
}

function known<T extends Value>(v: Value | undefined, check: (x: Value) => x is T): T | undefined {
  return v !== undefined && check(v) ? v : undefined;
}
const isString = (x: Value): x is string => typeof x === "string";
const isArray = (x: Value): x is Value[] => Array.isArray(x);

const FUNCTIONS: Record<string, Fn> = {
  // A fresh UUID at every plan: a typed hole, never a known value.
  uuid: () => holeValue(UUID_HOLE),
  lower: ([s]) => mapString(s, (x) => x.toLowerCase()),
  upper: ([s]) => mapString(s, (x) => x.toUpperCase()),
  title: ([s]) => mapString(s, (x) => x.replace(/\b\w/g, (c) => c.toUpperCase())),
  trimspace: ([s]) => mapString(s, (x) => x.trim()),
  tostring: ([s]) => str(s),
  tonumber: ([s]) => (typeof s === "number" ? s : typeof s === "string" && s.trim() !== "" && !Number.isNaN(Number(s)) ? Number(s) : UNKNOWN),
  tomap: ([m]) => m ?? UNKNOWN,
  tolist: ([l]) => l ?? UNKNOWN,
  toset: ([l]) => (Array.isArray(l) ? dedupe(l) : UNKNOWN),
  trimprefix: ([s, p]) => (typeof s === "string" && typeof p === "string" ? (s.startsWith(p) ? s.slice(p.length) : s) : UNKNOWN),
  trimsuffix: ([s, p]) => (typeof s === "string" && typeof p === "string" ? (s.endsWith(p) ? s.slice(0, s.length - p.length) : s) : UNKNOWN),
  replace: ([s, from, to]) => {
    if (typeof from !== "string" || typeof to !== "string") return UNKNOWN;
    if (/^\/.*\/$/.test(from)) {
      if (typeof s !== "string") return UNKNOWN;
      return s.replace(new RegExp(from.slice(1, -1), "g"), to.replace(/\$\{?(\d+)\}?/g, "$$$1"));
    }
    // A literal replacement is exact only when the subject is fully known.
    return typeof s === "string" ? s.split(from).join(to) : UNKNOWN;
  },
  substr: ([s, offset, length]) =>
    typeof s === "string" && typeof offset === "number" && typeof length === "number"
      ? [...s].slice(offset, length < 0 ? undefined : offset + length).join("")
      : UNKNOWN,
  join: ([sep, ...lists]) => {
    const separator = str(sep);
    const items: Value[] = [];
    for (const list of lists) {
      if (!Array.isArray(list)) return UNKNOWN;
      items.push(...list);
    }
    const parts: Value[] = [];
    items.forEach((item, i) => {
      if (i > 0) parts.push(separator);
      parts.push(item);
    });
    return concatValues(parts);
  },
  split: ([sep, s]) => (typeof sep === "string" && typeof s === "string" ? s.split(sep) : UNKNOWN),
  format: ([spec, ...args]) => format(spec, args),
  concat: (lists) => (lists.every(isArray) ? lists.flat() : UNKNOWN),
  merge: (maps) => {
    const out: { [key: string]: Value } = {};
    for (const m of maps) {
      if (m === null) continue;
      // An unknown map may override any key: keep what is known but mark every key as uncertain.
      if (!isObjectValue(m)) {
        for (const k of Object.keys(out)) out[k] = UNKNOWN;
        continue;
      }
      Object.assign(out, m);
    }
    return out;
  },
  lookup: ([m, key, fallback]) => {
    if (!isObjectValue(m ?? null) || typeof key !== "string") return UNKNOWN;
    return (m as { [key: string]: Value })[key] ?? fallback ?? UNKNOWN;
  },
  element: ([l, i]) => (Array.isArray(l) && typeof i === "number" && l.length > 0 ? (l[i % l.length] ?? UNKNOWN) : UNKNOWN),
  length: ([l]) => (Array.isArray(l) ? l.length : isObjectValue(l ?? null) ? Object.keys(l as object).length : typeof l === "string" ? [...l].length : UNKNOWN),
  keys: ([m]) => (isObjectValue(m ?? null) ? Object.keys(m as object).sort() : UNKNOWN),
  values: ([m]) => (isObjectValue(m ?? null) ? Object.keys(m as object).sort().map((k) => (m as { [key: string]: Value })[k] ?? UNKNOWN) : UNKNOWN),
  coalesce: (args) => {
    for (const a of args) {
      if (a === UNKNOWN || a instanceof PartialString) return UNKNOWN;
      if (a !== null && a !== "") return a;
    }
    return UNKNOWN;
  },
  try: (args) => args.find((a) => a !== UNKNOWN) ?? UNKNOWN,
  can: () => UNKNOWN,
  min: (args) => (args.every((a) => typeof a === "number") ? Math.min(...(args)) : UNKNOWN),
  max: (args) => (args.every((a) => typeof a === "number") ? Math.max(...(args)) : UNKNOWN),
  range: (args) => {
    if (!args.every((a) => typeof a === "number")) return UNKNOWN;
    const [a, b, step = 1] = args;
    const [start, end] = b === undefined ? [0, a ?? 0] : [a ?? 0, b];
    const out: number[] = [];
    for (let i = start; step > 0 ? i < end : i > end; i += step) if (out.push(i) > 1024) return UNKNOWN;
    return out;
  },
  sort: ([l]) => (Array.isArray(l) && l.every(isString) ? [...l].sort() : UNKNOWN),
  distinct: ([l]) => (Array.isArray(l) ? dedupe(l) : UNKNOWN),
  contains: ([l, v]) => (known(l, isArray) && typeof v === "string" ? (l as Value[]).includes(v) : UNKNOWN),
};

/** Terraform's format(): %s %d %v %q and %%, with widths ignored. */
function format(spec: Value | undefined, args: Value[]): Value {
  if (typeof spec !== "string") return UNKNOWN;
  const parts: Value[] = [];
  let next = 0;
  let last = 0;
  const re = /%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([sdvqftbxXoeEgG%])/g;
  for (let m = re.exec(spec); m !== null; m = re.exec(spec)) {
    parts.push(spec.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2] === "%") {
      parts.push("%");
      continue;
    }
    const index = m[1] === undefined ? next++ : Number(m[1]) - 1;
    const arg = args[index];
    if (m[2] === "q") parts.push(typeof arg === "string" ? JSON.stringify(arg) : UNKNOWN);
    else parts.push(arg ?? UNKNOWN);
  }
  parts.push(spec.slice(last));
  return concatValues(parts);
}

function dedupe(list: Value[]): Value[] {
  const seen = new Map<string, Value>();
  for (const item of list) if (!seen.has(JSON.stringify(item))) seen.set(JSON.stringify(item), item);
  return [...seen.values()];
}
