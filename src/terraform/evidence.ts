import type { ResourceKind } from "../domain/resource-kinds.js";
import type { ModuleScope } from "./resolve.js";
import { resolveBlockAttribute, type ResolvedValue } from "./resolve.js";
import { UNKNOWN, isObjectValue, namePattern, prefixPattern, untypedLength, type HoleFill, type NamePattern, type Value } from "./values.js";

/** One piece of evidence that a block defines the failing resource. */
export interface Evidence {
  confidence: number;
  reason: string;
  /** The block's name (attribute or Name tag) can be the failing resource's name. */
  producer?: boolean;
  /** A pattern (not an exact name) specific enough to be a match when no other block can produce the name. */
  specific?: boolean;
}

/** A block's verdict: evidence for it, or a known conflict that rules it out. */
export interface Verdict {
  evidence: Evidence[];
  conflict?: string;
}

export const TRACE_TAGS = ["yor_trace", "yor_name", "git_file", "git_repo", "git_org", "git_commit", "git_last_modified_by", "git_modifiers", "git_last_modified_at"];

export interface NameQuery {
  kind?: ResourceKind;
  /** Names the real resource may be written as in code (variants for SSM, KMS alias...). */
  names: string[];
}

function where(v: ResolvedValue): string {
  const parts: string[] = [];
  if (v.key !== undefined) parts.push(`instance [${JSON.stringify(v.key)}]`);
  if (v.scope.label !== "root") parts.push(`with ${v.scope.label}`);
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}

/** A fully known `*_prefix` that the name starts with: Terraform only appends generated characters. */
const PREFIX_CONFIDENCE = 0.8;
/**
 * A specific pattern before the repository-wide check (match.ts raises it to MATCH_UNIQUE when no
 * other block can produce the name, and keeps it below the match threshold otherwise).
 */
export const SPECIFIC_CONFIDENCE = 0.7;
/** Below the match threshold whatever the literal share: a loose pattern is a lead, never a match. */
const LOOSE_MAX = 0.6;
const MIN_LITERAL = 4;

/**
 * A pattern is specific for a name when the code fixes at least MIN_LITERAL characters and its
 * untyped holes (wildcards) take less than half of the name; typed holes (account id, region,
 * random_id hex...) count for neither, since they only match text of their type.
 */
export function isSpecific(p: NamePattern, name: string): boolean {
  if (p.exact) return true;
  return p.literalLength >= MIN_LITERAL && 2 * untypedLength(p, name) < name.length;
}

/** Confidence of a name pattern that matches: exact names are strong, patterns by how specific they are. */
function patternConfidence(p: NamePattern, name: string, exact: number): number {
  if (p.exact) return exact;
  if (isSpecific(p, name)) return exact === PREFIX_CONFIDENCE && p.untypedHoles === 0 ? PREFIX_CONFIDENCE : SPECIFIC_CONFIDENCE;
  if (p.literalLength === 0) return 0.3;
  return Math.min(LOOSE_MAX, 0.3 + 0.3 * (p.literalLength / Math.max(name.length, 1)));
}

function bestMatch(values: ResolvedValue[], names: string[], toPattern: (v: Value) => NamePattern | undefined, exact: number, label: string): Evidence | "conflict" | undefined {
  let best: Evidence | undefined;
  let sawKnown = false;
  for (const v of values) {
    const p = toPattern(v.value);
    if (p === undefined) continue;
    sawKnown ||= p.literalLength > 0 || p.typedHoles > 0;
    for (const name of names) {
      if (!p.regex.test(name)) continue;
      const confidence = patternConfidence(p, name, exact);
      const specific = !p.exact && isSpecific(p, name);
      if (best === undefined || confidence > best.confidence)
        best = {
          confidence,
          reason: p.exact ? `${label} = "${p.text}"${where(v)}` : `${label} "${p.text}" matches "${name}"${filledText(p)}${where(v)}`,
          producer: true,
          ...(specific ? { specific } : {}),
        };
    }
  }
  if (best !== undefined) return best;
  return sawKnown ? "conflict" : undefined;
}

function filledText(p: NamePattern): string {
  const names = { account: "account id", region: "region", partition: "partition", random: "random value", variable: "variable" } as const;
  return p.filled === undefined ? "" : ` with the ${p.filled.map((k) => names[k]).join(" and ")} from the failure`;
}

/** Evidence from the name attribute (or its `*_prefix` form) of a resource or module input. */
export interface NameOptions {
  label?: string;
  exact?: number;
  /** The failure's account, region and partition fill the typed holes they name. */
  fill?: HoleFill;
}

export function nameEvidence(body: Record<string, unknown> | null, scopes: readonly ModuleScope[], attrs: { name?: string | undefined; prefix?: string | undefined }, names: string[], options: NameOptions = {}): Evidence | "conflict" | "absent" {
  const { label = "", exact = 0.95, fill = {} } = options;
  if (names.length === 0) return "absent";
  if (attrs.name !== undefined && body?.[attrs.name] !== undefined) {
    const found = bestMatch(resolveBlockAttribute(body, scopes, attrs.name), names, (v) => namePattern(v, fill), exact, `${label}${attrs.name}`);
    return found ?? "absent";
  }
  if (attrs.prefix !== undefined && body?.[attrs.prefix] !== undefined) {
    const found = bestMatch(resolveBlockAttribute(body, scopes, attrs.prefix), names, (v) => prefixPattern(v, fill), PREFIX_CONFIDENCE, `${label}${attrs.prefix}`);
    return found ?? "absent";
  }
  return "absent";
}

/** Evidence from tags: the Name tag, trace tags, and conflicts with the resource's known tags. */
export function tagEvidence(tagValues: ResolvedValue[], identityTags: Record<string, string>, name: string | undefined, nameTagConfidence: number, fill: HoleFill = {}): Verdict {
  const evidence: Evidence[] = [];
  let conflict: string | undefined;
  for (const v of tagValues) {
    const tags = isObjectValue(v.value) ? v.value : undefined;
    if (tags === undefined) continue;
    if (name !== undefined && tags.Name !== undefined) {
      const p = namePattern(tags.Name, fill);
      if (p?.regex.test(name) === true) {
        const specific = !p.exact && isSpecific(p, name);
        evidence.push({
          confidence: patternConfidence(p, name, nameTagConfidence),
          reason: p.exact ? `Name tag = "${p.text}"${where(v)}` : `Name tag "${p.text}" matches "${name}"${where(v)}`,
          producer: true,
          ...(specific ? { specific } : {}),
        });
      }
    }
    const trace = traceEvidence(tags, identityTags);
    if (trace === "conflict") conflict = "trace tags differ";
    else if (trace !== undefined) evidence.push({ ...trace, reason: `${trace.reason}${where(v)}` });
    for (const [k, want] of Object.entries(identityTags)) {
      if (TRACE_TAGS.includes(k) || k === "Name") continue;
      const have = tags[k];
      if (typeof have === "string" && have !== want) conflict ??= `tag ${k} is "${have}" in code, "${want}" on the resource`;
      else if (typeof have === "string") evidence.push({ confidence: 0.2, reason: `tag ${k} = "${want}"` });
    }
  }
  return conflict === undefined ? { evidence } : { evidence, conflict };
}

function traceEvidence(tags: Record<string, Value>, want: Record<string, string>): Evidence | "conflict" | undefined {
  const yor = want.yor_trace;
  if (yor !== undefined && typeof tags.yor_trace === "string") return tags.yor_trace === yor ? { confidence: 0.98, reason: `yor_trace tag = "${yor}"` } : "conflict";
  const file = want.git_file;
  const repo = want.git_repo;
  if (file !== undefined && repo !== undefined && typeof tags.git_file === "string" && typeof tags.git_repo === "string") {
    if (tags.git_file !== file || tags.git_repo !== repo) return "conflict";
    const yorName = want.yor_name;
    if (yorName !== undefined && tags.yor_name !== undefined && tags.yor_name !== UNKNOWN) {
      return tags.yor_name === yorName ? { confidence: 0.96, reason: `git_file/git_repo/yor_name tags = ${file}, ${repo}, ${yorName}` } : "conflict";
    }
    return { confidence: 0.8, reason: `git_file/git_repo tags = ${file}, ${repo}` };
  }
  return undefined;
}
