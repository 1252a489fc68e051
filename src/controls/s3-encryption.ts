import { checkEncryption, fixEncryption } from "./s3-encryption-shared.js";
import type { Control } from "./types.js";

const ACCEPTED = ["AES256", "aws:kms", "aws:kms:dsse"];

/** CKV_AWS_19: default encryption with SSE-S3 or SSE-KMS; the fix writes SSE-S3 (AES256). */
export const s3Encryption: Control = {
  id: "s3-encryption",
  title: "S3 buckets have default encryption",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_19"],
  resourceTypes: ["aws_s3_bucket"],
  review: {
    impact: ["in-place"],
    applyNote:
      "The bucket's default encryption is set in place; only objects written afterwards use it. Existing objects are not re-encrypted.",
    rollback:
      "Reverting removes the setting; S3 then encrypts new objects with its own default (SSE-S3, applied to every new object since January 2023). Objects written meanwhile keep their encryption.",
  },
  check: (bucket, ctx) => checkEncryption(bucket, ctx, ACCEPTED),
  fix: (bucket, ctx) => fixEncryption(bucket, ctx, "s3-encryption", ACCEPTED, "AES256"),
};
