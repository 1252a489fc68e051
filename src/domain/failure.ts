import { createHash } from "node:crypto";

/** One failing (test, resource) pair, as read from Vanta or a JSON export. */
export interface Failure {
  testId: string;
  testName: string;
  testCategory?: string;
  testDescription?: string;
  failureDescription?: string;
  /** Vanta's remediation Markdown, often with a "Remediation for Terraform" section. Untrusted text. */
  remediationText?: string;
  /** Vanta's entity id (24 hex). */
  entityId: string;
  /** The resource's name as Vanta shows it, e.g. a bucket name or `account-123456789012`. */
  displayName: string;
  /** Free text describing the kind, e.g. "S3 bucket", "AWS account". */
  responseType: string;
  /** Present only where enrichment or a JSON source provides it. */
  arn?: string;
  account?: string;
  region?: string;
  tags?: Record<string, string>;
  /** When Vanta last ran the test (ISO 8601). */
  lastTestRunDate?: string;
  /**
   * Fields that best-effort enrichment added (VANTA_ENRICH). They are evidence for the matcher
   * and the PR body, never identity: an enrichment outage must not change the failure key.
   */
  enriched?: EnrichedField[];
}

export type EnrichedField = "arn" | "account" | "region" | "tags";

/** The identity the matcher works from: any subset of these. */
export interface ResourceIdentity {
  arn?: string;
  /** CloudFormation type, Terraform type or Vanta responseType text. */
  kind?: string;
  name?: string;
  account?: string;
  region?: string;
  tags?: Record<string, string>;
}

export function identityOf(failure: Failure): ResourceIdentity {
  return {
    ...(failure.arn === undefined ? {} : { arn: failure.arn }),
    kind: failure.responseType,
    name: failure.displayName,
    ...(failure.account === undefined ? {} : { account: failure.account }),
    ...(failure.region === undefined ? {} : { region: failure.region }),
    ...(failure.tags === undefined ? {} : { tags: failure.tags }),
  };
}

/**
 * The resource part of the failure key: the ARN when the source itself always carries it (a JSON
 * export), else `responseType/displayName` as Vanta always returns it. Never a timestamp, an
 * entity id alone, or an ARN that only enrichment found: when enrichment fails once, the key
 * (and so the pull request) must stay the same.
 */
export function resourceIdentityString(failure: Pick<Failure, "arn" | "responseType" | "displayName" | "enriched">): string {
  const arnIsIdentity = failure.arn !== undefined && failure.arn.trim() !== "" && failure.enriched?.includes("arn") !== true;
  if (arnIsIdentity) return (failure.arn ?? "").trim();
  return `${failure.responseType.trim()}/${failure.displayName.trim()}`;
}

/**
 * Failure key = hex SHA-256 of `testId + "\n" + resource identity`. The newline separates the
 * parts so that ("a", "b/c") and ("a\nb", "c") cannot collide by concatenation. Stable across
 * runs, processes and machines: one key, one pull request.
 */
export function failureKey(failure: Pick<Failure, "testId" | "arn" | "responseType" | "displayName" | "enriched">): string {
  return createHash("sha256").update(`${failure.testId.trim()}\n${resourceIdentityString(failure)}`, "utf8").digest("hex");
}

/** Longest test-id component we put in a branch; far under the 255-byte file-name limit of the filesystems refs live on. */
const BRANCH_TEST_MAX = 100;

/**
 * The branch of a failure's pull request: `terrafix/<testId>/<first 10 hex of key>`. The test id
 * comes from Vanta (untrusted), so it is reduced to a component that passes `git check-ref-format`
 * (https://git-scm.com/docs/git-check-ref-format): no `..`, no leading `.`, no trailing `.` or
 * `.lock`, no `@{`, no control or special characters, and at most BRANCH_TEST_MAX bytes. Ids that
 * were already valid keep the branch they always had.
 */
export function branchName(testId: string, key: string): string {
  let safe = testId.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/\.{2,}/g, ".");
  safe = safe.slice(0, BRANCH_TEST_MAX);
  // Strip what may not end or start a component until the value is stable (`a.lock.` -> `a`).
  for (let previous = ""; previous !== safe; ) {
    previous = safe;
    safe = safe.replace(/^[-.]+|[-.]+$/g, "").replace(/\.lock$/i, "");
  }
  return `terrafix/${safe || "test"}/${key.slice(0, 10)}`;
}
