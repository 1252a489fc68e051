/**
 * Values of partially evaluated Terraform expressions. Whatever cannot be known without a plan
 * (a data source attribute, an unset variable) is UNKNOWN, or a typed Hole when the code says
 * what it is (an account id, a region, a random_id's hex). A string built from known and unknown
 * parts is a PartialString: untyped holes become wildcards when compared with a real name, typed
 * holes only match text of their type (an account id is 12 digits).
 */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

export type HoleKind = "account" | "region" | "partition" | "random" | "variable";

/** A typed unknown: what the value is, the text it can be (a regex), and why it is unknown. */
export class Hole {
  constructor(
    readonly kind: HoleKind,
    /** Regex source (no anchors) of every text the value can be. */
    readonly source: string,
    /** Display form, e.g. `<account id>`. */
    readonly label: string,
  ) {}
}

export const ACCOUNT_HOLE = new Hole("account", "\\d{12}", "<account id>");
export const REGION_HOLE = new Hole("region", "[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d", "<region>");
export const PARTITION_HOLE = new Hole("partition", "aws(?:-cn|-us-gov)?", "<partition>");
export const UUID_HOLE = new Hole("random", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>");

export type Part = string | Unknown | Hole;

export class PartialString {
  /** Literal text, UNKNOWN holes and typed holes, in order; adjacent literals are merged. */
  readonly parts: readonly Part[];
  constructor(parts: readonly Part[]) {
    const merged: Part[] = [];
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
    return new PartialString(this.parts.map((p) => (typeof p === "string" ? fn(p) : p)));
  }
}

/** A typed unknown as a value: a string that is all hole. */
export function holeValue(hole: Hole): PartialString {
  return new PartialString([hole]);
}

export type Value = string | number | boolean | null | Unknown | PartialString | Value[] | { [key: string]: Value };

export function isObjectValue(value: Value): value is { [key: string]: Value } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof PartialString);
}

/** Concatenates values into a string, keeping holes. Non-scalar parts become holes. */
export function concatValues(values: readonly Value[]): string | PartialString | Unknown {
  const parts: Part[] = [];
  for (const value of values) {
    if (typeof value === "string") parts.push(value);
    else if (typeof value === "number" || typeof value === "boolean") parts.push(String(value));
    else if (value instanceof PartialString) parts.push(...value.parts);
    else parts.push(UNKNOWN);
  }
  const result = new PartialString(parts);
  if (result.parts.length === 0) return "";
  if (result.parts.length === 1 && typeof result.parts[0] === "string") return result.parts[0];
  if (result.parts.length === 1 && result.parts[0] === UNKNOWN) return UNKNOWN;
  return result;
}

/** What the failure itself says about the holes: its account and region fill theirs. */
export interface HoleFill {
  account?: string | undefined;
  region?: string | undefined;
  partition?: string | undefined;
}

/** A name as far as the code determines it: exact, or a pattern with wildcards. */
export interface NamePattern {
  /** Display form: literal text, `*` for each untyped hole, `<account id>` and the like for typed ones. */
  text: string;
  regex: RegExp;
  exact: boolean;
  /** Characters fixed by the code (the whole name when exact). */
  literalLength: number;
  /** Untyped holes (wildcards that match anything); each is one capture group of `regex`. */
  untypedHoles: number;
  /** Typed holes (account, region, random parts...). */
  typedHoles: number;
  /** Typed holes the failure's own account/region/partition filled (for the reason text). */
  filled?: HoleKind[];
}

export function namePattern(value: Value, fill: HoleFill = {}): NamePattern | undefined {
  if (typeof value === "string") return { text: value, regex: new RegExp(`^${escapeRegex(value)}$`), exact: true, literalLength: value.length, untypedHoles: 0, typedHoles: 0 };
  if (typeof value === "number") return namePattern(String(value));
  if (value instanceof PartialString) {
    let text = "";
    let source = "";
    let literalLength = 0;
    let untypedHoles = 0;
    let typedHoles = 0;
    const filledKinds: HoleKind[] = [];
    for (const p of value.parts) {
      if (p === UNKNOWN) {
        text += "*";
        source += "(.+?)";
        untypedHoles++;
      } else if (p instanceof Hole) {
        const filled = fillOf(p, fill);
        if (filled !== undefined && !filledKinds.includes(p.kind)) filledKinds.push(p.kind);
        text += filled ?? p.label;
        source += filled === undefined ? `(?:${p.source})` : escapeRegex(filled);
        typedHoles++;
      } else {
        text += p;
        source += escapeRegex(p);
        literalLength += p.length;
      }
    }
    const regex = safeRegex(`^${source}$`);
    if (regex === undefined) return namePattern(new PartialString(value.parts.map((p) => (p instanceof Hole ? UNKNOWN : p))), fill);
    return { text, regex, exact: false, literalLength, untypedHoles, typedHoles, ...(filledKinds.length === 0 ? {} : { filled: filledKinds }) };
  }
  if (value === UNKNOWN) return { text: "*", regex: /^(.+?)$/s, exact: false, literalLength: 0, untypedHoles: 1, typedHoles: 0 };
  return undefined;
}

function fillOf(hole: Hole, fill: HoleFill): string | undefined {
  if (hole.kind === "account" && fill.account !== undefined && fill.account !== "") return fill.account;
  if (hole.kind === "region" && fill.region !== undefined && fill.region !== "") return fill.region;
  if (hole.kind === "partition" && fill.partition !== undefined && fill.partition !== "") return fill.partition;
  return undefined;
}

function safeRegex(source: string): RegExp | undefined {
  try {
    return new RegExp(source, "s");
  } catch {
    return undefined;
  }
}

/** How many characters of `name` the untyped holes of `p` take (0 for an exact or fully typed pattern). */
export function untypedLength(p: NamePattern, name: string): number {
  if (p.untypedHoles === 0) return 0;
  const m = p.regex.exec(name);
  if (m === null) return name.length;
  let n = 0;
  for (let i = 1; i < m.length; i++) n += m[i]?.length ?? 0;
  return n;
}

/** A prefix attribute (`bucket_prefix`): the real name is the prefix plus generated characters. */
export function prefixPattern(value: Value, fill: HoleFill = {}): NamePattern | undefined {
  const base = namePattern(value, fill);
  if (base === undefined) return undefined;
  // Terraform appends a 26-character id (timestamp + counter): a typed hole, not a wildcard.
  // https://github.com/hashicorp/terraform-plugin-sdk/blob/main/helper/id/id.go (PrefixedUniqueId)
  return { ...base, text: `${base.text}<generated>`, regex: new RegExp(`${base.regex.source.replace(/\$$/, "")}[0-9a-z]{26}$`, "s"), exact: false, typedHoles: base.typedHoles + 1 };
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
