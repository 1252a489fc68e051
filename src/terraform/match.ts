import { tryParseArn, ArnError, type Arn } from "../domain/arn.js";
import type { ResourceIdentity } from "../domain/failure.js";
import type { MatchedTarget } from "../domain/target.js";
import { RESOURCE_KINDS, kindsFor, kindsForArn, type ResourceKind } from "../domain/resource-kinds.js";
import { SPECIFIC_CONFIDENCE, nameEvidence, tagEvidence, type Evidence } from "./evidence.js";
import { matchLookupOf, type NameAttributes } from "./match-lookup.js";
import { relatedCandidates } from "./match-related.js";
import { providerAliasOf, resourceTags } from "./tags.js";
import { registryModuleOf } from "./registry-modules.js";
import { resolveBlockAttribute } from "./resolve.js";
import { findInState, type TerraformState } from "./state.js";
import type { IndexedModuleCall, IndexedResource, RepositoryIndex } from "./types.js";

/** A ranked block; as the pipeline's matched target it carries the indexed block it stands for. */
export interface MatchCandidate extends MatchedTarget {
  /** Root module folder the address belongs to (relative; "" = the repository root). */
  root?: string;
  resource?: IndexedResource;
  moduleCall?: IndexedModuleCall;
}

/**
 * `missing`: the resource is account-wide (one per account, e.g. the IAM password policy) and no
 * block defines it: the answer is "add it", not "no match".
 */
export type MatchStatus = "matched" | "ambiguous" | "no-match" | "missing";

export interface MatchResult {
  status: MatchStatus;
  candidates: MatchCandidate[];
  reason: string;
  /** With status `missing`: the Terraform types of the account-wide resource the code lacks. */
  missing?: string[];
}

export interface MatchOptions {
  state?: TerraformState;
}

/** A single candidate at or above this, clearly ahead of the next, is a match; below it is only a lead. */
export const MATCH_THRESHOLD = 0.75;
/**
 * Confidence from what the repository rules out: a specific name pattern (typed holes, enough
 * literal text, wildcards taking less than half the name; evidence.ts `isSpecific`) is a match
 * when no other block of a type that can define the kind, in any root module, module instance or
 * registry module call of the repository, can produce the name. Any other producer, however
 * loose its pattern, keeps every candidate below the threshold (ambiguous, never a guess).
 */
export const MATCH_UNIQUE = 0.9;
const MARGIN = 0.1;
const MAX_CANDIDATES = 10;

export interface Query {
  arn?: Arn;
  kinds: ResourceKind[];
  /** Terraform types to consider; undefined means every type. */
  types?: Set<string>;
  names: string[];
  tags: Record<string, string>;
  idOnly: boolean;
  account?: string;
  region?: string;
  partition?: string;
}

/** How a candidate's evidence stands against the repository-wide rule (MATCH_UNIQUE). */
interface Standing {
  producer: boolean;
  /** Confidence of the best name evidence, and whether that evidence is a specific pattern. */
  best: number;
  specific: boolean;
}

/** Finds the block that defines a resource, or says honestly that it cannot (ARCHITECTURE.md "Matching"). */
export function matchResource(index: RepositoryIndex, identity: ResourceIdentity, options: MatchOptions = {}): MatchResult {
  const query = buildQuery(identity);
  if (query instanceof ArnError) return { status: "no-match", candidates: [], reason: query.message };
  if (typeof query === "string") return { status: "no-match", candidates: [], reason: query };
  if (query.kinds.length > 0 && query.kinds.every((k) => k.accountLevel === true)) return matchAccountLevel(index, query);

  const byAddress = new Map<string, MatchCandidate>();
  const standing = new Map<string, Standing>();
  const add = (c: Omit<MatchCandidate, "confidence" | "reasons">, evidence: Evidence[]): void => {
    // The same module block instantiated from two root modules is two resources (two deployments).
    const key = `${c.resource?.rootDir ?? c.moduleCall?.rootDir ?? ""}\u0000${c.file}\u0000${c.address}`;
    const existing = byAddress.get(key) ?? { ...c, confidence: 0, reasons: [] };
    const stand = standing.get(key) ?? { producer: false, best: 0, specific: false };
    for (const e of evidence) {
      if (!existing.reasons.includes(e.reason)) existing.reasons.push(e.reason);
      existing.confidence = existing.confidence === 0 ? e.confidence : Math.min(0.99, Math.max(existing.confidence, e.confidence) + 0.02);
      if (e.producer === true) {
        stand.producer = true;
        if (e.confidence > stand.best || (e.confidence === stand.best && e.specific === true)) {
          stand.best = e.confidence;
          stand.specific = e.specific === true;
        }
      }
    }
    byAddress.set(key, existing);
    standing.set(key, stand);
  };

  if (options.state !== undefined) stateEvidence(index, options.state, identity, query, add);
  const lookup = matchLookupOf(index);
  // Verdicts are computed only for blocks the lookup returns, or that a later step asks about.
  const verdicts = new Map<IndexedResource, Evidence[] | "conflict">();
  const considered = (r: IndexedResource): boolean => r.mode === "managed" && (query.types === undefined || query.types.has(r.type)) && !index.invalidFiles.has(r.file);
  const verdictOf = (r: IndexedResource): Evidence[] | "conflict" => {
    let verdict = verdicts.get(r);
    if (verdict === undefined) verdicts.set(r, (verdict = resourceVerdict(index, r, query)));
    return verdict;
  };
  const ruledOut = (r: IndexedResource): boolean => considered(r) && verdictOf(r) === "conflict";
  const types = query.types === undefined ? lookup.types() : [...query.types];
  const found = lookup.inIndexOrder(types.flatMap((type) => lookup.candidates(type, nameAttributesOf(query, type), query.names, query.names[0], query.tags)));
  for (const resource of found) {
    if (!considered(resource)) continue;
    const verdict = verdictOf(resource);
    if (verdict !== "conflict" && verdict.length > 0) add(resourceCandidate(resource), verdict);
  }
  for (const call of lookup.registryCalls) {
    if (index.invalidFiles.has(call.file)) continue;
    const verdict = moduleCallVerdict(call, query);
    if (verdict.length > 0) add({ ...spanOf(call.block, call.address, call.file), root: call.rootDir, moduleCall: call }, verdict);
  }

  for (const related of relatedCandidates(index, query, ruledOut)) add(related.candidate, related.evidence);
  judgeUniqueness(byAddress, standing);

  let candidates = [...byAddress.values()].sort((a, b) => b.confidence - a.confidence || a.address.localeCompare(b.address) || a.file.localeCompare(b.file) || (a.root ?? "").localeCompare(b.root ?? ""));
  if (candidates.length === 0 && query.idOnly) {
    candidates = sameKind(lookup.inIndexOrder(types.flatMap((t) => lookup.ofType(t))), (r) => !index.invalidFiles.has(r.file) && !ruledOut(r))
      .map((r) => ({ ...resourceCandidate(r), confidence: 0.1, reasons: [`same kind (${r.type}); no Name tag, trace tag or state entry identifies it`] }));
    if (candidates.length > 0)
      return {
        status: "ambiguous",
        candidates,
        // A query by name alone has no ARN to blame: say what identifies such a resource.
        reason:
          query.arn !== undefined
            ? "the ARN holds a generated id: a Name tag, trace tags or --state are needed to tell these apart"
            : `${[...(query.types ?? [])].join("/")} resources have a generated id, not a name: none has a matching Name tag or trace tag; give --tag Name=VALUE or --state to tell these apart`,
      };
  }
  return decide(candidates);
}

/**
 * matchResource, then hcl2json over the files of the candidates (indexes built with
 * `validation: "lazy"`); a file that fails is dropped and the match is run again.
 */
export async function matchResourceValidated(index: RepositoryIndex, identity: ResourceIdentity, options: MatchOptions = {}): Promise<MatchResult> {
  for (;;) {
    const result = matchResource(index, identity, options);
    const files = [...new Set(result.candidates.map((c) => c.file))];
    if ((await index.validate(files)).length === 0) return result;
  }
}

function decide(all: MatchCandidate[]): MatchResult {
  const candidates = all.slice(0, MAX_CANDIDATES).map((c) => ({ ...c, confidence: Math.round(c.confidence * 100) / 100 }));
  const [top, second] = candidates;
  if (top === undefined) return { status: "no-match", candidates, reason: "no Terraform block matches the resource's kind, name, tags or state" };
  if (top.confidence >= MATCH_THRESHOLD && (second === undefined || top.confidence - second.confidence >= MARGIN))
    return { status: "matched", candidates, reason: top.reasons[0] ?? "matched" };
  if (second !== undefined && top.confidence - second.confidence < MARGIN)
    return { status: "ambiguous", candidates, reason: `${candidates.filter((c) => top.confidence - c.confidence < MARGIN).length} candidates with close evidence` };
  return { status: "ambiguous", candidates, reason: `best evidence is weak (confidence ${top.confidence})` };
}

function buildQuery(identity: ResourceIdentity): Query | ArnError | string {
  let arn: Arn | undefined;
  if (identity.arn !== undefined && identity.arn.trim() !== "") {
    const parsed = tryParseArn(identity.arn);
    if (parsed instanceof ArnError) return parsed;
    arn = parsed;
  }
  const arnKinds = arn === undefined ? undefined : kindsForArn(arn);
  let textKinds = identity.kind === undefined || identity.kind.trim() === "" ? undefined : kindsFor(identity.kind);
  if (textKinds?.length === 0 && /^aws_[a-z0-9_]+$/.test(identity.kind ?? "")) {
    const type = identity.kind ?? "";
    textKinds = [{ id: type, cloudFormationType: type, terraformTypes: [type], vantaResponseTypes: [], arnService: "", arnResourceType: "", idOnly: false }];
  }
  let kinds = arnKinds ?? textKinds ?? [];
  if (arnKinds !== undefined && textKinds !== undefined && textKinds.length > 0) {
    const both = arnKinds.filter((k) => textKinds.some((t) => t.id === k.id));
    if (both.length === 0) return `the ARN (${arnKinds.map((k) => k.id).join(", ") || "unknown kind"}) and --type ${identity.kind ?? ""} disagree`;
    kinds = both;
  }
  if (identity.kind !== undefined && textKinds?.length === 0 && arn === undefined) return `unknown resource kind "${identity.kind}"`;
  const types = kinds.length === 0 ? undefined : new Set(kinds.flatMap((k) => k.terraformTypes.filter((t) => !/_rule$/.test(t) || k.terraformTypes.length === 1)));
  const idOnly = kinds.length > 0 && kinds.every((k) => k.idOnly);
  const names = new Set<string>();
  if (identity.name !== undefined && identity.name.trim() !== "") names.add(identity.name.trim());
  if (arn !== undefined && !idOnly) names.add(arn.name);
  // Resources whose ARN holds a generated id are known by their Name tag (consoles show it).
  const nameTag = identity.tags?.Name?.trim();
  if (idOnly && nameTag !== undefined && nameTag !== "") names.add(nameTag);
  for (const name of [...names]) for (const k of kinds) for (const v of variants(k, name)) names.add(v);
  const account = identity.account ?? (arn?.account === "" ? undefined : arn?.account);
  const region = identity.region ?? (arn?.region === "" ? undefined : arn?.region);
  return { ...(arn === undefined ? {} : { arn, partition: arn.partition }), ...(account === undefined ? {} : { account }), ...(region === undefined ? {} : { region }), kinds, ...(types === undefined ? {} : { types }), names: [...names], tags: identity.tags ?? {}, idOnly };
}

/** Spellings of one name: SSM parameters with/without the leading `/`, KMS aliases with/without `alias/`. */
function variants(kind: ResourceKind, name: string): string[] {
  if (kind.id === "ssm-parameter") return name.startsWith("/") ? [name.slice(1)] : [`/${name}`];
  if (kind.id === "kms-alias") return name.startsWith("alias/") ? [name.slice(6)] : [`alias/${name}`];
  return [];
}

/**
 * The region(s) a resource is created in, when the code says so: its `provider = aws.alias`, or
 * the root module's default AWS provider. Resources in modules with a `providers` map are not judged.
 */
function regionOf(index: RepositoryIndex, resource: IndexedResource): string[] | undefined {
  const providers = index.providerRegions.get(resource.rootDir);
  const alias = providerAliasOf(index, resource);
  if (providers === undefined || alias === undefined) return undefined;
  return providers.get(alias);
}

function fillOf(query: Query): { account?: string; region?: string; partition?: string } {
  return { ...(query.account === undefined ? {} : { account: query.account }), ...(query.region === undefined ? {} : { region: query.region }), ...(query.partition === undefined ? {} : { partition: query.partition }) };
}

/** The first MAX_CANDIDATES resources that pass, looking no further. */
function sameKind(resources: readonly IndexedResource[], keep: (r: IndexedResource) => boolean): IndexedResource[] {
  const out: IndexedResource[] = [];
  for (const r of resources) {
    if (out.length >= MAX_CANDIDATES) break;
    if (keep(r)) out.push(r);
  }
  return out;
}

/** The attributes resourceVerdict reads a name from, for blocks of `type` (for the lookup). */
function nameAttributesOf(query: Query, type: string): NameAttributes {
  if (query.idOnly) return { name: "name" };
  const kind = kindOf(query, type);
  return { name: kind?.nameAttribute ?? "name", prefix: kind?.prefixAttribute };
}

function kindOf(query: Query, type: string): ResourceKind | undefined {
  return query.kinds.find((k) => k.terraformTypes.includes(type)) ?? RESOURCE_KINDS.find((k) => k.terraformTypes.includes(type));
}

export function resourceVerdict(index: RepositoryIndex, resource: IndexedResource, query: Query): Evidence[] | "conflict" {
  const kind = kindOf(query, resource.type);
  const evidence: Evidence[] = [];
  const body = resource.block.body;
  const fill = fillOf(query);
  const regions = query.region === undefined ? undefined : regionOf(index, resource);
  if (regions !== undefined && query.region !== undefined && !regions.includes(query.region)) return "conflict";
  if (!query.idOnly) {
    const byName = nameEvidence(body, resource.scopes, { name: kind?.nameAttribute ?? "name", prefix: kind?.prefixAttribute }, query.names, { fill });
    if (byName === "conflict") return "conflict";
    if (byName !== "absent") evidence.push(byName);
  }
  if (query.idOnly && body?.name !== undefined) {
    // Security groups and the like have a `name` that is not in the ARN but is what consoles show.
    const byName = nameEvidence(body, resource.scopes, { name: "name", prefix: "name_prefix" }, query.names, { exact: 0.85, fill });
    if (byName !== "absent" && byName !== "conflict") evidence.push(byName);
  }
  const tags = tagEvidence(resourceTags(index, resource), query.tags, query.names[0], query.idOnly ? 0.85 : 0.6, fill);
  if (tags.conflict !== undefined) return "conflict";
  if (evidence.length === 0 && !tags.evidence.some((e) => e.confidence >= 0.3)) return [];
  return [...evidence, ...tags.evidence];
}

/** Applies MATCH_UNIQUE: specific patterns become matches only when they are the only producer. */
function judgeUniqueness(byAddress: Map<string, MatchCandidate>, standing: Map<string, Standing>): void {
  const producers = [...standing.entries()].filter(([, s]) => s.producer).map(([k]) => k);
  for (const [key, candidate] of byAddress) {
    const stand = standing.get(key);
    if (stand?.specific !== true) continue;
    const others = producers.filter((k) => k !== key).map((k) => byAddress.get(k)?.address ?? k);
    if (others.length === 0) {
      candidate.confidence = Math.max(candidate.confidence, MATCH_UNIQUE);
      candidate.reasons.push("no other block in the repository (any root module or module) can produce this name");
    } else {
      candidate.confidence = Math.min(candidate.confidence, SPECIFIC_CONFIDENCE);
      candidate.reasons.push(`other blocks can also produce this name: ${others.slice(0, 3).join(", ")}${others.length > 3 ? ", ..." : ""}`);
    }
  }
}

function moduleCallVerdict(call: IndexedModuleCall, query: Query): Evidence[] {
  if (call.local) return [];
  const spec = registryModuleOf(call.source);
  if (spec === undefined || (query.kinds.length > 0 && !query.kinds.some((k) => spec.kinds.includes(k.id)))) return [];
  const label = `module ${call.source} input `;
  const evidence: Evidence[] = [];
  for (const input of spec.nameInputs) {
    const found = nameEvidence(call.block.body, call.scopes, { name: input, prefix: spec.prefixInputs[0] }, query.names, { label, exact: 0.93, fill: fillOf(query) });
    if (found === "conflict") return [];
    if (found !== "absent") evidence.push(found);
  }
  const tags = tagEvidence(resolveBlockAttribute(call.block.body, call.scopes, "tags"), query.tags, undefined, 0.6);
  if (tags.conflict !== undefined) return [];
  if (evidence.length === 0 && !tags.evidence.some((e) => e.confidence >= 0.3)) return [];
  return [...evidence, ...tags.evidence];
}

function stateEvidence(index: RepositoryIndex, state: TerraformState, identity: ResourceIdentity, query: Query, add: (c: Omit<MatchCandidate, "confidence" | "reasons">, e: Evidence[]) => void): void {
  const ids = [query.arn?.resourceId ?? "", query.arn?.name ?? "", identity.name ?? ""].filter((s, i, a) => s !== "" && a.indexOf(s) === i);
  for (const inst of findInState(state, query.arn === undefined ? undefined : identity.arn?.trim(), ids)) {
    if (query.types !== undefined && !query.types.has(inst.type)) continue;
    const how = query.arn !== undefined && inst.attributes.arn === identity.arn?.trim() ? "arn" : "id";
    const reason = `state: ${inst.fullAddress} has this ${how}`;
    const resources = index.resourcesByAddress(inst.address).filter((r) => !index.invalidFiles.has(r.file));
    for (const r of resources) add(resourceCandidate(r), [{ confidence: 0.99, reason }]);
    if (resources.length > 0) continue;
    // Inside a registry module: the fix goes into the call's inputs.
    const call = index.moduleCalls
      .filter((c) => inst.address.startsWith(`${c.address}.`))
      .sort((a, b) => b.address.length - a.address.length)[0];
    if (call !== undefined) add({ ...spanOf(call.block, call.address, call.file), moduleCall: call }, [{ confidence: 0.97, reason: `${reason} (inside module ${call.source})` }]);
  }
}

function matchAccountLevel(index: RepositoryIndex, query: Query): MatchResult {
  const types = new Set(query.kinds.flatMap((k) => k.terraformTypes));
  const lookup = matchLookupOf(index);
  const found: MatchCandidate[] = lookup
    .inIndexOrder([...types].flatMap((t) => lookup.ofType(t)))
    .filter((r) => !index.invalidFiles.has(r.file))
    .map((r) => ({ ...resourceCandidate(r), confidence: 0.9, reasons: [`account-level ${r.type} (one per account)`] }));
  for (const call of lookup.registryCalls) {
    const spec = call.local ? undefined : registryModuleOf(call.source);
    if (spec !== undefined && query.kinds.some((k) => spec.kinds.includes(k.id)))
      found.push({ ...spanOf(call.block, call.address, call.file), moduleCall: call, confidence: 0.85, reasons: [`module ${call.source} manages the account password policy`] });
  }
  if (found.length === 0)
    return { status: "missing", candidates: [], missing: [...types], reason: `no account-level resource (${[...types].join(", ")}) is defined in this repository: it must be added` };
  if (found.length === 1) return { status: "matched", candidates: found, reason: found[0]?.reasons[0] ?? "account-level" };
  return { status: "ambiguous", candidates: found, reason: `${found.length} account-level blocks: the account cannot be told from the code` };
}

export function resourceCandidate(r: IndexedResource): Omit<MatchCandidate, "confidence" | "reasons"> {
  return { ...spanOf(r.block, r.address, r.file), root: r.rootDir, resource: r };
}

function spanOf(block: { span: { startLine: number; endLine: number } }, address: string, file: string): Pick<MatchCandidate, "address" | "file" | "startLine" | "endLine"> {
  return { address, file, startLine: block.span.startLine, endLine: block.span.endLine };
}

export { combineRepositoryMatches, matchAcrossRepositories, type CrossRepositoryResult, type RepositoryCandidate } from "./match-repositories.js";
