/**
 * Values of partially evaluated Terraform expressions. Whatever cannot be known without a plan
 * (a data source attribute, an unset variable) is UNKNOWN; a string built from known and unknown
 * parts is a PartialString whose unknown parts become wildcards when compared with a real name.
 */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

export class PartialString {
  /** Literal text and UNKNOWN holes, in order; adjacent literals are merged. */
  readonly parts: readonly (string | Unknown)[];
  constructor(parts: readonly (string | Unknown)[]) {
    const merged: (string | Unknown)[] = [];
    for (const part of parts) {
      const last = merged[merged.length - 1];
      if (part === "") continue;
      if (typeof part === "string" && typeof last === "string") merged[merged.length - 1] = last + part;
      else if (part === UNKNOWN && last === UNKNOWN) continue;
      else merged.push(part);
    }
    this.parts = merged;
  }
  mapLiterals(fn: (s: string) => string): PartialString {
    return new PartialString(this.parts.map((p) => (p === UNKNOWN ? p : fn(p))));
  }
}

export type Value = string | number | boolean | null | Unknown | PartialString | Value[] | { [key: string]: Value };

export function isObjectValue(value: Value): value is { [key: string]: Value } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof PartialString);
}

/** Concatenates values into a string, keeping holes. Non-scalar parts become holes. */
export function concatValues(values: readonly Value[]): string | PartialString | Unknown {
  const parts: (string | Unknown)[] = [];
  for (const value of values) {
    if (typeof value === "string") parts.push(value);
    else if (typeof value === "number" || typeof value === "boolean") parts.push(String(value));
    else if (value instanceof PartialString) parts.push(...value.parts);
    else parts.push(UNKNOWN);
  }
  const result = new PartialString(parts);
  if (result.parts.length === 0) return "";
  if (result.parts.length === 1 && typeof result.parts[0] === "string") return result.parts[0];
  if (result.parts.length === 1) return UNKNOWN;
  return result;
}

/** A name as far as the code determines it: exact, or a pattern with wildcards. */
export interface NamePattern {
  /** Display form: literal text with `*` for each unknown part. */
  text: string;
  regex: RegExp;
  exact: boolean;
  /** Characters fixed by the code (the whole name when exact). */
  literalLength: number;
}

export function namePattern(value: Value): NamePattern | undefined {
  if (typeof value === "string") return { text: value, regex: new RegExp(`^${escapeRegex(value)}$`), exact: true, literalLength: value.length };
  if (typeof value === "number") return namePattern(String(value));
  if (value instanceof PartialString) {
    const text = value.parts.map((p) => (p === UNKNOWN ? "*" : p)).join("");
    const source = value.parts.map((p) => (p === UNKNOWN ? ".+?" : escapeRegex(p))).join("");
    const literalLength = value.parts.reduce((n, p) => n + (p === UNKNOWN ? 0 : p.length), 0);
    return { text, regex: new RegExp(`^${source}$`, "s"), exact: false, literalLength };
  }
  if (value === UNKNOWN) return { text: "*", regex: /^.+$/s, exact: false, literalLength: 0 };
  return undefined;
}

/** A prefix attribute (`bucket_prefix`): the real name is the prefix plus generated characters. */
export function prefixPattern(value: Value): NamePattern | undefined {
  const base = namePattern(value);
  if (base === undefined) return undefined;
  return { text: `${base.text}*`, regex: new RegExp(`${base.regex.source.replace(/\$$/, "")}.+$`, "s"), exact: false, literalLength: base.literalLength };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
