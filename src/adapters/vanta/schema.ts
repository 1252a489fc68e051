import { z } from "zod";

/**
 * Schemas for the Vanta REST API answers TerraFix reads (shared/reference/vanta-api.md,
 * https://developer.vanta.com/reference/manage-vanta.json). Vanta closes its objects, but the
 * client is deliberately tolerant: only the fields TerraFix needs are required, unknown fields
 * are ignored and enum-like fields accept any string, so a new Vanta status never crashes a
 * poll. Items are parsed one by one so that one broken item never costs the rest of the page.
 */

/** Values Vanta documents today; kept as documentation, the schema accepts any string. */
export const TEST_STATUSES = ["OK", "DEACTIVATED", "NEEDS_ATTENTION", "IN_PROGRESS", "INVALID", "NOT_APPLICABLE"] as const;
export const ENTITY_STATUSES = ["FAILING", "DEACTIVATED"] as const;

/**
 * We ask for NEEDS_ATTENTION; a test answered with another *known* status is dropped, but an
 * unknown new status is kept, because dropping it would make its failures look resolved.
 */
export function isKnownNotFailing(status: string | undefined): boolean {
  return status !== undefined && status !== "NEEDS_ATTENTION" && (TEST_STATUSES as readonly string[]).includes(status);
}

const nullableString = z.string().nullable();

export const VantaTestSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().optional(),
  failureDescription: z.string().nullable().optional(),
  remediationDescription: z.string().nullable().optional(),
  lastTestRunDate: z.string().min(1),
  latestFlipDate: nullableString.optional(),
  version: z.object({ major: z.number(), minor: z.number() }).nullable().optional(),
  category: z.string().nullable().optional(),
  integrations: z.array(z.string()).optional(),
  /** One of TEST_STATUSES today; any string is accepted so a new status never crashes a poll. */
  status: z.string().optional(),
  deactivatedStatusInfo: z
    .object({ isDeactivated: z.boolean(), deactivatedReason: nullableString.optional(), lastUpdatedDate: nullableString.optional() })
    .nullable()
    .optional(),
  remediationStatusInfo: z
    .object({ status: z.string(), soonestRemediateByDate: nullableString.optional(), itemCount: z.number().optional() })
    .nullable()
    .optional(),
  owner: z.object({ id: z.string(), displayName: z.string().optional(), emailAddress: z.string().optional() }).nullable().optional(),
});
export type VantaTestSchema = z.infer<typeof VantaTestSchema>;

export const VantaTestEntitySchema = z.object({
  id: z.string().min(1),
  /** One of ENTITY_STATUSES today; any string accepted. */
  entityStatus: z.string().optional(),
  displayName: z.string().min(1),
  responseType: z.string(),
  deactivatedReason: nullableString.optional(),
  lastUpdatedDate: nullableString.optional(),
  createdDate: nullableString.optional(),
});
export type VantaTestEntitySchema = z.infer<typeof VantaTestEntitySchema>;

/**
 * An inventory resource from `/v1/integrations/{id}/resource-kinds/{kind}/resources`. Kind-specific
 * fields (account, region, tags, ...) vary, so everything beyond the id is optional and loose.
 */
export const VantaResourceSchema = z.looseObject({
  resourceId: z.string().min(1),
  resourceKind: z.string().optional(),
  displayName: z.string().optional(),
  connectionId: z.string().nullable().optional(),
  account: z.string().nullable().optional(),
  region: z.string().nullable().optional(),
  tags: z.unknown().optional(),
});
export type VantaResourceSchema = z.infer<typeof VantaResourceSchema>;

export const PageInfoSchema = z.object({
  startCursor: z.string().nullable().optional(),
  endCursor: z.string().nullable().optional(),
  hasNextPage: z.boolean(),
  hasPreviousPage: z.boolean().optional(),
});
export type PageInfoSchema = z.infer<typeof PageInfoSchema>;

/** The Relay envelope; items stay `unknown` here and are parsed one by one by the caller. */
export const PageSchema = z.object({
  results: z.object({ data: z.array(z.unknown()), pageInfo: PageInfoSchema }),
});
export type PageSchema = z.infer<typeof PageSchema>;

export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().optional(),
});
export type TokenResponseSchema = z.infer<typeof TokenResponseSchema>;

/** Extra fields a JSON file source may add to an entity (Vanta itself has none of them). */
export const FileEntitySchema = VantaTestEntitySchema.extend({
  arn: z.string().min(1).optional(),
  account: z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id").optional(),
  region: z.string().min(1).optional(),
  tags: z.record(z.string(), z.string()).optional(),
});
export type FileEntitySchema = z.infer<typeof FileEntitySchema>;

/** One issue of a zod error as `path: message`, short enough for a log line or error message. */
export function describeIssues(error: z.ZodError, prefix = ""): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))].join("");
    return `${path.replace(/^\./, "") || "(root)"}: ${issue.message}`;
  });
}

/** The id of an item that failed its schema, when it has a usable one, for the skip log. */
export function itemId(item: unknown): string | undefined {
  if (typeof item === "object" && item !== null && "id" in item) {
    const id = item.id;
    if (typeof id === "string" || typeof id === "number") return String(id);
  }
  return undefined;
}
