import { albHttpsRedirect } from "./alb-https-redirect.js";
import { cloudtrailLogValidation } from "./cloudtrail-log-validation.js";
import { cloudtrailMultiRegion } from "./cloudtrail-multi-region.js";
import { dynamodbEncryption } from "./dynamodb-encryption.js";
import { dynamodbPitr } from "./dynamodb-pitr.js";
import { ebsEncryption } from "./ebs-encryption.js";
import { ec2Imdsv2 } from "./ec2-imdsv2.js";
import { iamPasswordPolicy } from "./iam-password-policy.js";
import { kmsRotation } from "./kms-rotation.js";
import { logGroupRetention } from "./log-group-retention.js";
import { rdsBackupRetention } from "./rds-backup-retention.js";
import { rdsDeletionProtection } from "./rds-deletion-protection.js";
import { rdsMultiAz } from "./rds-multi-az.js";
import { rdsNotPublic } from "./rds-not-public.js";
import { rdsStorageEncrypted } from "./rds-storage-encrypted.js";
import { s3AccessLogging } from "./s3-access-logging.js";
import { s3Encryption } from "./s3-encryption.js";
import { s3EncryptionKms } from "./s3-encryption-kms.js";
import { s3PublicAccessBlock } from "./s3-public-access-block.js";
import { s3Versioning } from "./s3-versioning.js";
import { sgPortsOpen } from "./sg-ports-open.js";
import { sgRdpOpen } from "./sg-rdp-open.js";
import { sgSshOpen } from "./sg-ssh-open.js";
import type { Control } from "./types.js";

const CONTROLS: readonly Control[] = [
  s3Versioning,
  s3Encryption,
  s3EncryptionKms,
  s3PublicAccessBlock,
  s3AccessLogging,
  rdsStorageEncrypted,
  rdsNotPublic,
  rdsBackupRetention,
  rdsDeletionProtection,
  rdsMultiAz,
  sgSshOpen,
  sgRdpOpen,
  sgPortsOpen,
  ebsEncryption,
  ec2Imdsv2,
  kmsRotation,
  cloudtrailLogValidation,
  cloudtrailMultiRegion,
  dynamodbPitr,
  dynamodbEncryption,
  logGroupRetention,
  albHttpsRedirect,
  iamPasswordPolicy,
];

export function allControls(): readonly Control[] {
  return CONTROLS;
}

export function controlById(id: string): Control | undefined {
  return CONTROLS.find((c) => c.id === id);
}

/**
 * Controls covering a Vanta test id or named by a control id. `extraMappings` (testId -> control
 * id, from TERRAFIX_TEST_MAPPINGS) adds tests the built-in table does not know.
 */
export function controlsForTest(testIdOrControlId: string, extraMappings: Readonly<Record<string, string>> = {}): Control[] {
  const mapped = extraMappings[testIdOrControlId];
  return CONTROLS.filter((c) => c.id === testIdOrControlId || c.vantaTestIds.includes(testIdOrControlId) || c.id === mapped);
}

export function controlsForResourceType(type: string): Control[] {
  return CONTROLS.filter((c) => c.resourceTypes.includes(type));
}

/** Parses `testId=controlId` entries (the TERRAFIX_TEST_MAPPINGS option) into a map. */
export function parseTestMappings(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf("=");
    if (at > 0) out[entry.slice(0, at).trim()] = entry.slice(at + 1).trim();
  }
  return out;
}
