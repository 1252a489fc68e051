import { nameEvidence, type Evidence } from "./evidence.js";
import { matchLookupOf } from "./match-lookup.js";
import type { MatchCandidate, Query } from "./match.js";
import type { IndexedResource, RepositoryIndex } from "./types.js";

export interface RelatedCandidate {
  candidate: Omit<MatchCandidate, "confidence" | "reasons">;
  evidence: Evidence[];
}

/**
 * Candidates found through another block that carries the name: a KMS key through the alias whose
 * `target_key_id` points at it (Vanta and consoles name keys by alias; the key ARN holds a UUID),
 * and a listener through the load balancer its ARN names
 * (`listener/app/LB_NAME/LB_ID/LISTENER_ID`, shared/reference/arn-mapping.md row 23).
 */
export function relatedCandidates(index: RepositoryIndex, query: Query, ruledOut: (r: IndexedResource) => boolean): RelatedCandidate[] {
  const out: RelatedCandidate[] = [];
  const lookup = matchLookupOf(index);
  const usable = (r: IndexedResource): boolean => r.mode === "managed" && !index.invalidFiles.has(r.file) && !ruledOut(r);
  // Only blocks whose name can be the one asked for (match-lookup.ts), in index order.
  const named = (types: readonly string[], names: readonly string[]): IndexedResource[] =>
    lookup.inIndexOrder(types.flatMap((t) => lookup.candidates(t, { name: "name", prefix: "name_prefix" }, names, undefined, {})));
  if (query.kinds.some((k) => k.id === "kms-key") && query.names.length > 0) {
    const names = [...new Set(query.names.flatMap((n) => (n.startsWith("alias/") ? [n] : [n, `alias/${n}`])))];
    for (const alias of named(["aws_kms_alias"], names).filter(usable)) {
      const found = nameEvidence(alias.block.body, alias.scopes, { name: "name", prefix: "name_prefix" }, names);
      if (found === "absent" || found === "conflict") continue;
      for (const key of referenced(index, alias, ["aws_kms_key"]).filter(usable))
        out.push({ candidate: candidateOf(key), evidence: [{ ...found, reason: `aliased by ${alias.address}: ${found.reason}` }] });
    }
  }
  const lbName = query.arn?.resourceType === "listener" ? query.arn.name : undefined;
  if (lbName !== undefined && lbName !== "" && query.kinds.some((k) => k.id === "lb-listener")) {
    for (const lb of named(["aws_lb", "aws_alb"], [lbName]).filter(usable)) {
      const found = nameEvidence(lb.block.body, lb.scopes, { name: "name", prefix: "name_prefix" }, [lbName]);
      if (found === "absent" || found === "conflict") continue;
      for (const listener of lb.referencedBy.flatMap((a) => index.resourcesByAddress(a)).filter((r) => r.rootDir === lb.rootDir && (r.type === "aws_lb_listener" || r.type === "aws_alb_listener") && usable(r)))
        out.push({ candidate: candidateOf(listener), evidence: [{ ...found, reason: `listener of ${lb.address}, the load balancer the ARN names: ${found.reason}` }] });
    }
  }
  return out;
}

function referenced(index: RepositoryIndex, from: IndexedResource, types: readonly string[]): IndexedResource[] {
  return from.references.flatMap((a) => index.resourcesByAddress(a)).filter((r) => r.rootDir === from.rootDir && types.includes(r.type));
}

function candidateOf(r: IndexedResource): Omit<MatchCandidate, "confidence" | "reasons"> {
  return { address: r.address, root: r.rootDir, file: r.file, startLine: r.block.span.startLine, endLine: r.block.span.endLine, resource: r };
}
