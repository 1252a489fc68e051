import type { Failure } from "../../domain/failure.js";
import type { FileEntitySchema, VantaTestEntitySchema, VantaTestSchema } from "./schema.js";

/** Account-level entities are shown as `account-<12 digits>` (shared/reference/vanta-api.md). */
const ACCOUNT_DISPLAY_NAME = /^account-(\d{12})$/;

export function accountFromDisplayName(displayName: string): string | undefined {
  return ACCOUNT_DISPLAY_NAME.exec(displayName.trim())?.[1];
}

/**
 * One failing entity of a test as a domain `Failure`. Optional fields are set only when present
 * (exactOptionalPropertyTypes); extra identity (ARN, region, tags) comes only from a JSON file
 * or from enrichment, never from Vanta's entity itself.
 */
export function toFailure(test: VantaTestSchema, entity: VantaTestEntitySchema | FileEntitySchema): Failure {
  const failure: Failure = {
    testId: test.id,
    testName: test.name,
    entityId: entity.id,
    displayName: entity.displayName,
    responseType: entity.responseType,
    lastTestRunDate: test.lastTestRunDate,
  };
  if (test.category != null) failure.testCategory = test.category;
  if (test.description !== undefined) failure.testDescription = test.description;
  if (test.failureDescription != null) failure.failureDescription = test.failureDescription;
  if (test.remediationDescription != null) failure.remediationText = test.remediationDescription;
  const extra = entity as Partial<FileEntitySchema>;
  if (extra.arn !== undefined) failure.arn = extra.arn;
  const account = extra.account ?? accountFromDisplayName(entity.displayName) ?? accountFromArn(extra.arn);
  if (account !== undefined) failure.account = account;
  const region = extra.region ?? regionFromArn(extra.arn);
  if (region !== undefined) failure.region = region;
  if (extra.tags !== undefined) failure.tags = { ...extra.tags };
  return failure;
}

function arnPart(arn: string | undefined, index: number): string | undefined {
  if (arn === undefined || !arn.startsWith("arn:")) return undefined;
  const part = arn.split(":")[index];
  return part === undefined || part === "" ? undefined : part;
}

function accountFromArn(arn: string | undefined): string | undefined {
  return arnPart(arn, 4);
}

function regionFromArn(arn: string | undefined): string | undefined {
  return arnPart(arn, 3);
}
