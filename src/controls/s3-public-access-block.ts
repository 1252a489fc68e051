import { setAttributes } from "../terraform/edit.js";
import { textOf } from "./context.js";
import { asBool, best, expectTrue, read, worst } from "./read.js";
import { addCompanion, s3Companions } from "./s3-shared.js";
import { unknownReason } from "./simple.js";
import type { CheckResult, Control, ControlContext, FixPlan, ResourceRef } from "./types.js";

const SPLIT = "aws_s3_bucket_public_access_block";
const SETTINGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] as const;

/** CKV2_AWS_6: a connected public access block with block_public_acls and block_public_policy true. */
function check(bucket: ResourceRef, ctx: ControlContext): CheckResult {
  const blocks = s3Companions(ctx, bucket, SPLIT);
  if (blocks.length === 0) return bucket.block.body === null ? "unknown" : "fail";
  return best(blocks.map((b) => worst([expectTrue(read(b.block.body, "block_public_acls")), expectTrue(read(b.block.body, "block_public_policy"))])));
}

/** Turns on all four settings (CKV_AWS_53..56), on the existing block when there is one. */
function fix(bucket: ResourceRef, ctx: ControlContext): FixPlan {
  const result = check(bucket, ctx);
  if (result === "pass") return { kind: "compliant", reason: `${bucket.address} already blocks public access` };
  if (result === "unknown") return unknownReason("s3-public-access-block", bucket, "its public access block");
  const summary = `Block public access to ${bucket.address}`;
  const existing = s3Companions(ctx, bucket, SPLIT)[0];
  if (existing === undefined)
    return addCompanion(ctx, bucket, SPLIT, { type: "", attributes: SETTINGS.map((s) => [s, "true"] as const) }, summary);
  const text = textOf(ctx, existing.file);
  const wanted = SETTINGS.filter((s) => {
    const r = read(existing.block.body, s);
    return !(r.state === "known" && asBool(r.value) === true);
  });
  const edits = setAttributes(text, existing.block, wanted.map((s) => [s, "true"] as const));
  return { kind: "edits", files: [{ path: existing.file, edits }], summary: `${summary} (existing ${existing.address})` };
}

export const s3PublicAccessBlock: Control = {
  id: "s3-public-access-block",
  title: "S3 buckets block public access",
  vantaTestIds: ["aws-s3-public-access-blocked"],
  checkovIds: ["CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
  resourceTypes: ["aws_s3_bucket"],
  review: {
    impact: ["in-place"],
    applyNote:
      "Applied in place and effective at once: public ACLs and public bucket policies stop granting access, so a public static website, public-read objects or anonymous downloads from this bucket stop working.",
    rollback:
      "Reverting removes the block: any public ACL or bucket policy still on the bucket grants public access again at once.",
  },
  check,
  fix,
  };
