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

export function isExpression(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/** Reads `path` (attribute names, nested blocks resolved to their first entry). */
export function read(body: Record<string, unknown> | null, ...path: string[]): Read {
  if (body === null) return UNKNOWN_READ;
  let node: unknown = body;
  for (const part of path) {
    if (Array.isArray(node)) node = node[0];
    if (!isRecord(node)) return isExpression(node) ? UNKNOWN_READ : MISSING;
    if (!(part in node)) return MISSING;
    node = node[part];
  }
  if (Array.isArray(node) && node.length === 1 && isRecord(node[0])) node = node[0];
  return containsExpression(node) ? UNKNOWN_READ : { state: "known", value: node };
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
