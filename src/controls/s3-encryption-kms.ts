import { checkEncryption, fixEncryption } from "./s3-encryption-shared.js";
import type { Control } from "./types.js";

const ACCEPTED = ["aws:kms", "aws:kms:dsse"];

/** CKV_AWS_145: default encryption with SSE-KMS; the fix writes aws:kms (the AWS-managed key unless one is set). */
export const s3EncryptionKms: Control = {
  id: "s3-encryption-kms",
  title: "S3 buckets are encrypted with KMS by default",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_145"],
  resourceTypes: ["aws_s3_bucket"],
  check: (bucket, ctx) => checkEncryption(bucket, ctx, ACCEPTED),
  fix: (bucket, ctx) => fixEncryption(bucket, ctx, "s3-encryption-kms", ACCEPTED, "aws:kms"),
};
