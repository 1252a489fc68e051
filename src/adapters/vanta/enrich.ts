import type { EnrichedField, Failure } from "../../domain/failure.js";
import { lookupKind } from "../../domain/resource-kinds.js";
import type { Logger } from "../../observability/logger.js";
import type { SkippedItem } from "../../ports/failure-source.js";
import type { ListResult, VantaClient } from "./client.js";
import type { VantaResourceSchema } from "./schema.js";

/**
 * Best-effort enrichment from Vanta's inventory
 * (`/v1/integrations/{integrationId}/resource-kinds/{resourceKind}/resources`). The join rules
 * are UNCONFIRMED (shared/reference/vanta-api.md): an entity `id` may or may not equal a
 * `resourceId`, and a `resourceId` may or may not be an ARN. So: join on `resourceId === entity
 * id` first, else on a unique `displayName`; take `resourceId` as the ARN only when it looks like
 * one. Any failure here is logged and ignored: enrichment never fails a poll.
 */
export interface EnrichResult {
  enriched: number;
  skipped: SkippedItem[];
}

/** An inventory kind name such as `S3Bucket` (two capitals at least, so "Server" is not one). */
const PASCAL = /^[A-Z][a-z0-9]*[A-Z][A-Za-z0-9]*$/;

/** The inventory `resourceKind` (e.g. `S3Bucket`) for an entity's `responseType`, when known. */
export function resourceKindFor(responseType: string): string | undefined {
  if (PASCAL.test(responseType.trim())) return responseType.trim();
  const kind = lookupKind(responseType);
  if (kind === undefined || kind.accountLevel === true) return undefined;
  const candidates = kind.vantaResponseTypes.filter((t) => PASCAL.test(t));
  return candidates.find((t) => !t.startsWith("Aws")) ?? candidates[0];
}

export async function enrichFailures(
  failures: Failure[],
  integrationOf: (testId: string) => string,
  client: VantaClient,
  logger: Logger,
  signal?: AbortSignal,
): Promise<EnrichResult> {
  const result: EnrichResult = { enriched: 0, skipped: [] };
  const cache = new Map<string, Promise<ListResult<VantaResourceSchema> | undefined>>();
  for (const failure of failures) {
    if (failure.arn !== undefined) continue;
    const resourceKind = resourceKindFor(failure.responseType);
    if (resourceKind === undefined) continue;
    const integrationId = integrationOf(failure.testId);
    const key = `${integrationId}/${resourceKind}`;
    let listing = cache.get(key);
    if (listing === undefined) {
      listing = client.listResources(integrationId, resourceKind, signal).then(
        (list) => {
          result.skipped.push(...list.skipped);
          return list;
        },
        (error: unknown) => {
          logger.warn({ integrationId, resourceKind, err: error }, "Vanta enrichment skipped: resources not listed");
          return undefined;
        },
      );
      cache.set(key, listing);
    }
    const resources = await listing;
    if (resources === undefined) continue;
    const resource = joinResource(failure, resources.items);
    if (resource !== undefined && applyResource(failure, resource)) result.enriched += 1;
  }
  return result;
}

function joinResource(failure: Failure, resources: readonly VantaResourceSchema[]): VantaResourceSchema | undefined {
  const byId = resources.find((r) => r.resourceId === failure.entityId);
  if (byId !== undefined) return byId;
  const byName = resources.filter((r) => r.displayName === failure.displayName);
  return byName.length === 1 ? byName[0] : undefined;
}

/**
 * Copies what the resource adds and records which fields came from enrichment (evidence only:
 * `failureKey` ignores them); returns whether anything was added.
 */
function applyResource(failure: Failure, resource: VantaResourceSchema): boolean {
  const added = new Set<EnrichedField>();
  if (resource.resourceId.startsWith("arn:")) {
    failure.arn = resource.resourceId;
    added.add("arn");
    const parts = resource.resourceId.split(":");
    if (failure.region === undefined && parts[3] !== undefined && parts[3] !== "") {
      failure.region = parts[3];
      added.add("region");
    }
    if (failure.account === undefined && parts[4] !== undefined && /^\d{12}$/.test(parts[4])) {
      failure.account = parts[4];
      added.add("account");
    }
  }
  if (failure.account === undefined && typeof resource.account === "string" && /^\d{12}$/.test(resource.account)) {
    failure.account = resource.account;
    added.add("account");
  }
  if (failure.region === undefined && typeof resource.region === "string" && resource.region !== "") {
    failure.region = resource.region;
    added.add("region");
  }
  const tags = tagsOf(resource.tags);
  if (failure.tags === undefined && tags !== undefined) {
    failure.tags = tags;
    added.add("tags");
  }
  if (added.size === 0) return false;
  failure.enriched = [...new Set([...(failure.enriched ?? []), ...added])];
  return true;
}

/** Tags as `{k: v}` or AWS-style `[{key|Key, value|Value}]`; anything else is ignored. */
export function tagsOf(value: unknown): Record<string, string> | undefined {
  if (Array.isArray(value)) {
    const out: Record<string, string> = {};
    for (const entry of value as unknown[]) {
      if (typeof entry !== "object" || entry === null) continue;
      const e = entry as Record<string, unknown>;
      const k = e.key ?? e.Key;
      const v = e.value ?? e.Value;
      if (typeof k === "string" && typeof v === "string") out[k] = v;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter((pair): pair is [string, string] => typeof pair[1] === "string");
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return undefined;
}
