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
  review: {
    impact: ["in-place", "cost-change"],
    applyNote:
      "New objects are encrypted with SSE-KMS, under the AWS managed key aws/s3 unless kms_master_key_id names a key, with the S3 Bucket Key on to cut KMS requests. KMS request charges apply, and readers in other AWS accounts cannot decrypt objects under aws/s3. Existing objects are not re-encrypted.",
    rollback:
      "Reverting returns new objects to the previous default encryption. Objects written meanwhile stay encrypted with the KMS key: keep the key and the readers' permissions on it, or those objects can no longer be read.",
  },
  check: (bucket, ctx) => checkEncryption(bucket, ctx, ACCEPTED),
  fix: (bucket, ctx) => fixEncryption(bucket, ctx, "s3-encryption-kms", ACCEPTED, "aws:kms"),
};
