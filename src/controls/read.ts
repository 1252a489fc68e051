import { isRecord } from "../terraform/parse.js";
import type { CheckResult } from "./types.js";

/**
 * Reading hcl2json content the way Checkov reads its own dict. Checkov wraps every attribute in a
 * list; hcl2json does not (only blocks are arrays), and it renders any expression as "${...}".
 * A value that still holds an expression depends on something only a plan knows: UNKNOWN.
 */
export type Read = { state: "missing" } | { state: "unknown" } | { state: "known"; value: unknown };

const MISSING: Read = { state: "missing" };
const UNKNOWN_READ: Read = { state: "unknown" };

/**
 * Why a value a control read is unknown. `check` resolves bodies per value set (resolved.ts) and
 * registers, for each expression it could not decide, the reason on its container object; a
 * control that reads such a value notes it in the active collector, so every UNKNOWN result can
 * say what it depends on (issue 14) without every control carrying reasons through its results.
 */
const REASONS = new WeakMap<object, Map<string, string>>();
let collector: string[] | undefined;

export function registerReason(container: object, key: string, reason: string): void {
  let map = REASONS.get(container);
  if (map === undefined) REASONS.set(container, (map = new Map<string, string>()));
  map.set(key, reason);
}

/** The registered reason of `container[key]`, else a description of the raw expression. */
export function reasonOf(container: object, key: string): string {
  const known = REASONS.get(container)?.get(key);
  if (known !== undefined) return known;
  const raw = (container as Record<string, unknown>)[key];
  return `${key} = ${typeof raw === "string" ? shorten(raw) : "an expression"} is not known before plan`;
}

/** Records that a control met the unknown value `container[key]` (no-op outside `collectReasons`). */
export function noteUnknown(container: object, key: string): void {
  if (collector === undefined) return;
  const reason = reasonOf(container, key);
  if (!collector.includes(reason)) collector.push(reason);
}

/** Records a reason in words (no-op outside `collectReasons`). */
export function noteUnknownText(reason: string): void {
  if (collector !== undefined && !collector.includes(reason)) collector.push(reason);
}

/** Runs `fn` and returns what it returned with the reasons of the unknown values it read. */
export function collectReasons<T>(fn: () => T): { value: T; reasons: string[] } {
  const outer = collector;
  const reasons: string[] = [];
  collector = reasons;
  try {
    return { value: fn(), reasons };
  } finally {
    collector = outer;
  }
}

export function shorten(text: string, max = 80): string {
  // Repository text, shown in a terminal: no control characters (escape sequences) get through.
  const flat = [...text.replace(/\s+/g, " ")].map((c) => (c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f) ? "?" : c)).join("").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function isExpression(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/** Reads `path` (attribute names, nested blocks resolved to their first entry). */
export function read(body: Record<string, unknown> | null, ...path: string[]): Read {
  if (body === null) {
    noteUnknownText("the block's content could not be read (the file did not validate)");
    return UNKNOWN_READ;
  }
  let node: unknown = body;
  let parent: object = body;
  let key = "";
  for (const part of path) {
    if (Array.isArray(node)) {
      parent = node;
      key = "0";
      node = node[0];
    }
    if (!isRecord(node)) {
      if (!isExpression(node)) return MISSING;
      noteUnknown(parent, key);
      return UNKNOWN_READ;
    }
    if (!(part in node)) return MISSING;
    parent = node;
    key = part;
    node = node[part];
  }
  if (Array.isArray(node) && node.length === 1 && isRecord(node[0])) node = node[0];
  if (!containsExpression(node)) return { state: "known", value: node };
  noteExpressions(parent, key);
  return UNKNOWN_READ;
}

/** Notes every unknown expression inside `container[key]`. */
function noteExpressions(container: object, key: string): void {
  const value = (container as Record<string, unknown>)[key];
  if (isExpression(value)) return noteUnknown(container, key);
  if (Array.isArray(value)) value.forEach((_v, i) => noteExpressions(value, String(i)));
  else if (isRecord(value)) for (const k of Object.keys(value)) noteExpressions(value, k);
}

function containsExpression(value: unknown): boolean {
  if (isExpression(value)) return true;
  if (Array.isArray(value)) return value.some(containsExpression);
  if (isRecord(value)) return Object.values(value).some(containsExpression);
  return false;
}

/** Nested blocks of a type, as hcl2json lists them (empty when absent). */
export function blocksOf(body: Record<string, unknown> | null, name: string): Record<string, unknown>[] {
  const value = body?.[name];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

export function asBool(value: unknown): boolean | undefined {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  return undefined;
}

export function asNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value);
  return undefined;
}

/** BaseResourceValueCheck: the attribute must hold `expected`; missing gives `missing`. */
export function expectValue(r: Read, accept: (value: unknown) => boolean, missing: CheckResult = "fail"): CheckResult {
  switch (r.state) {
    case "missing":
      return missing;
    case "unknown":
      return "unknown";
    case "known":
      return accept(r.value) ? "pass" : "fail";
  }
}

export function expectTrue(r: Read, missing: CheckResult = "fail"): CheckResult {
  return expectValue(r, (v) => asBool(v) === true, missing);
}

/** The worst of several results: fail beats unknown beats pass. */
export function worst(results: readonly CheckResult[]): CheckResult {
  if (results.includes("fail")) return "fail";
  if (results.includes("unknown")) return "unknown";
  return "pass";
}

/** The best of several results: pass beats unknown beats fail. */
export function best(results: readonly CheckResult[]): CheckResult {
  if (results.includes("pass")) return "pass";
  if (results.includes("unknown")) return "unknown";
  return "fail";
}
