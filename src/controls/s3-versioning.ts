import { addNestedBlock, setAttribute } from "../terraform/edit.js";
import { textOf } from "./context.js";
import { asBool, best, blocksOf, expectValue, read } from "./read.js";
import { addCompanion, nestedPath, prefersSplit, s3Companions } from "./s3-shared.js";
import { unknownReason } from "./simple.js";
import type { CheckResult, Control, ControlContext, FixPlan, ResourceRef } from "./types.js";

const SPLIT = "aws_s3_bucket_versioning";

/** CKV_AWS_21: inline `versioning { enabled = true }` or a connected `aws_s3_bucket_versioning` with status Enabled. */
function check(bucket: ResourceRef, ctx: ControlContext): CheckResult {
  const results: CheckResult[] = [];
  if (blocksOf(bucket.block.body, "versioning").length > 0 || bucket.block.body === null)
    results.push(expectValue(read(bucket.block.body, "versioning", "enabled"), (v) => asBool(v) === true));
  for (const c of s3Companions(ctx, bucket, SPLIT))
    results.push(expectValue(read(c.block.body, "versioning_configuration", "status"), (v) => v === "Enabled"));
  return results.length === 0 ? "fail" : best(results);
}

function fix(bucket: ResourceRef, ctx: ControlContext): FixPlan {
  const result = check(bucket, ctx);
  if (result === "pass") return { kind: "compliant", reason: `${bucket.address} already has versioning enabled` };
  if (result === "unknown") return unknownReason("s3-versioning", bucket, "versioning");
  const summary = `Enable versioning on ${bucket.address}`;
  const inline = bucket.block.blocks.find((b) => b.type === "versioning");
  if (inline !== undefined) {
    const edit = setAttribute(textOf(ctx, bucket.file), inline, "enabled", "true");
    return { kind: "edits", files: [{ path: bucket.file, edits: [edit] }], summary };
  }
  const companion = s3Companions(ctx, bucket, SPLIT)[0];
  if (companion !== undefined) {
    const text = textOf(ctx, companion.file);
    const config = nestedPath(companion.block, ["versioning_configuration"]);
    const edit =
      config === undefined
        ? addNestedBlock(text, companion.block, { type: "versioning_configuration", attributes: [["status", '"Enabled"']] })
        : setAttribute(text, config, "status", '"Enabled"');
    return { kind: "edits", files: [{ path: companion.file, edits: [edit] }], summary: `${summary} (existing ${companion.address})` };
  }
  if (!prefersSplit(ctx, bucket)) {
    const edit = addNestedBlock(textOf(ctx, bucket.file), bucket.block, { type: "versioning", attributes: [["enabled", "true"]] });
    return { kind: "edits", files: [{ path: bucket.file, edits: [edit] }], summary };
  }
  return addCompanion(ctx, bucket, SPLIT, { type: "", blocks: [{ type: "versioning_configuration", attributes: [["status", '"Enabled"']] }] }, summary);
}

export const s3Versioning: Control = {
  id: "s3-versioning",
  title: "S3 bucket versioning is enabled",
  vantaTestIds: [],
  checkovIds: ["CKV_AWS_21"],
  resourceTypes: ["aws_s3_bucket"],
  review: {
    impact: ["in-place", "cost-change"],
    applyNote:
      "Versioning is turned on in place, with no outage. From then on every overwrite or delete keeps the previous version, which S3 stores and bills until a lifecycle rule expires noncurrent versions.",
    rollback:
      "Versioning can never be turned off again, only suspended: reverting this change suspends it (removing an aws_s3_bucket_versioning resource suspends versioning on a versioned bucket). The versions already kept stay, and are billed, until they are deleted or expire.",
  },
  check,
  fix,
};
