import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * Scenario data of the fake Vanta server. A scenario test is a Vanta Test object (any field
 * may be left out and gets a realistic default) plus fake-only keys that are never served:
 * `frameworks` (for frameworkFilter) and `entities` (its TestEntity objects, same rule).
 * An item with `"$raw": true` is served exactly as written (minus `$raw`), to inject malformed
 * data. The same file is a valid input of the JSON file source (docs/file-source.md).
 */
export type ScenarioItem = Record<string, unknown>;

export interface ScenarioTest extends ScenarioItem {
  id: string;
  frameworks?: string[];
  entities?: ScenarioItem[];
}

export interface ScenarioResource extends ScenarioItem {
  /** Default "aws". */
  integrationId?: string;
  resourceKind: string;
  resourceId: string;
}

export interface VantaScenario {
  /** When absent the fake accepts any non-empty client id and secret. */
  credentials?: { clientId: string; clientSecret: string };
  tests: ScenarioTest[];
  resources?: ScenarioResource[];
}

export function loadScenario(source: VantaScenario | string | undefined): VantaScenario {
  if (source === undefined) return { tests: [] };
  if (typeof source !== "string") return structuredClone(source);
  const parsed = JSON.parse(readFileSync(source, "utf8")) as VantaScenario;
  if (!Array.isArray(parsed.tests)) throw new Error(`scenario ${source} has no "tests" array`);
  return parsed;
}

/** The Test fields in the order of Vanta's closed schema. */
const TEST_KEYS = [
  "id",
  "name",
  "description",
  "failureDescription",
  "remediationDescription",
  "lastTestRunDate",
  "latestFlipDate",
  "version",
  "category",
  "integrations",
  "status",
  "deactivatedStatusInfo",
  "remediationStatusInfo",
  "owner",
] as const;

const ENTITY_KEYS = ["id", "entityStatus", "displayName", "responseType", "deactivatedReason", "lastUpdatedDate", "createdDate"] as const;

const DEFAULT_DATE = "2026-11-25T06:00:00.000Z";

/** The wire form of a test: every field of the closed schema, nothing else. */
export function wireTest(test: ScenarioTest): ScenarioItem {
  if (test.$raw === true) return withoutKeys(test, ["$raw", "frameworks", "entities"]);
  const failing = (test.entities ?? []).filter((e) => (e.entityStatus ?? "FAILING") === "FAILING").length;
  const defaults: ScenarioItem = {
    id: test.id,
    name: test.id,
    description: "",
    failureDescription: "",
    remediationDescription: "",
    lastTestRunDate: DEFAULT_DATE,
    latestFlipDate: null,
    version: { major: 1, minor: 0 },
    category: "Infrastructure",
    integrations: ["aws"],
    status: "NEEDS_ATTENTION",
    deactivatedStatusInfo: { isDeactivated: false, deactivatedReason: null, lastUpdatedDate: null },
    remediationStatusInfo: { status: "NEEDS_WORK", soonestRemediateByDate: null, itemCount: failing },
    owner: null,
  };
  return pick({ ...defaults, ...test }, TEST_KEYS);
}

export function wireEntity(testId: string, entity: ScenarioItem): ScenarioItem {
  if (entity.$raw === true) return withoutKeys(entity, ["$raw"]);
  const displayName = typeof entity.displayName === "string" ? entity.displayName : "unnamed";
  const defaults: ScenarioItem = {
    id: createHash("sha256").update(`${testId}\n${displayName}`).digest("hex").slice(0, 24),
    entityStatus: "FAILING",
    displayName,
    responseType: "S3 bucket",
    deactivatedReason: null,
    lastUpdatedDate: DEFAULT_DATE,
    createdDate: "2026-01-05T10:00:00.000Z",
  };
  return pick({ ...defaults, ...entity }, ENTITY_KEYS);
}

/**
 * Inventory resources. The join rules are UNCONFIRMED (shared/reference/vanta-api.md); this fake
 * picks one answer: `resourceId` is the ARN and does NOT equal the entity id, so a client must
 * join on `displayName`.
 */
export function wireResource(resource: ScenarioResource): ScenarioItem {
  if (resource.$raw === true) return withoutKeys(resource, ["$raw", "integrationId"]);
  return withoutKeys({ connectionId: "conn-aws-1", owner: null, inScope: true, displayName: resource.resourceId, ...resource }, ["integrationId"]);
}

function pick(item: ScenarioItem, keys: readonly string[]): ScenarioItem {
  return Object.fromEntries(keys.map((k) => [k, item[k] ?? null]));
}

function withoutKeys(item: ScenarioItem, keys: readonly string[]): ScenarioItem {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !keys.includes(k)));
}

export function encodeCursor(index: number): string {
  return Buffer.from(`arrayconnection:${index}`).toString("base64");
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^arrayconnection:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  return match === null ? undefined : Number(match[1]);
}

/**
 * One Relay page (shared/reference/vanta-api.md "Pagination"): the next page starts after the
 * cursor; `maxItemsPerPage` serves shorter pages than asked while `hasNextPage` stays true.
 */
export function relayPage(items: ScenarioItem[], query: Record<string, string>, maxItemsPerPage?: number): { status: number; body: unknown } {
  const pageSize = query.pageSize === undefined ? 10 : Number(query.pageSize);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) return { status: 400, body: { error: "pageSize must be 1-100" } };
  let start = 0;
  if (query.pageCursor !== undefined) {
    const index = decodeCursor(query.pageCursor);
    if (index === undefined) return { status: 400, body: { error: "invalid pageCursor" } };
    start = index + 1;
  }
  const data = items.slice(start, start + Math.min(pageSize, maxItemsPerPage ?? pageSize));
  const end = start + data.length - 1;
  const pageInfo = {
    startCursor: data.length > 0 ? encodeCursor(start) : null,
    endCursor: data.length > 0 ? encodeCursor(end) : null,
    hasNextPage: end + 1 < items.length,
    hasPreviousPage: start > 0,
  };
  return { status: 200, body: { results: { data, pageInfo } } };
}
