import { addNestedBlock, hclString } from "../terraform/edit.js";
import { attributeOf, moduleDir, textOf } from "./context.js";
import { addCompanion, prefersSplit, s3Companions } from "./s3-shared.js";
import type { CheckResult, Control, ControlContext, FixPlan, ResourceRef } from "./types.js";

const SPLIT = "aws_s3_bucket_logging";

/** CKV_AWS_18: an inline `logging` block or a connected `aws_s3_bucket_logging`. */
function check(bucket: ResourceRef, ctx: ControlContext): CheckResult {
  if (bucket.block.blocks.some((b) => b.type === "logging")) return "pass";
  if (s3Companions(ctx, bucket, SPLIT).length > 0) return "pass";
  return bucket.block.body === null ? "unknown" : "fail";
}

/**
 * Where access logs go: the destination other buckets of the module already use, else a bucket
 * whose name says it holds logs. Without either, a person must choose (never log to itself).
 */
function logTarget(bucket: ResourceRef, ctx: ControlContext): string | undefined {
  const dir = moduleDir(bucket.file);
  const self = new RegExp(`\\b${bucket.type}\\.${bucket.name}\\b`);
  const peers = ctx.resources.filter((r) => moduleDir(r.file) === dir && r.address !== bucket.address);
  for (const r of peers) {
    const target =
      r.type === SPLIT ? attributeOf(r.block, "target_bucket") : r.type === "aws_s3_bucket" ? r.block.blocks.find((b) => b.type === "logging")?.attributes.find((a) => a.name === "target_bucket")?.valueText : undefined;
    if (target !== undefined && !self.test(target)) return target;
  }
  const logBucket = peers.find((r) => r.type === "aws_s3_bucket" && /log/i.test(`${r.name} ${typeof r.block.body?.bucket === "string" ? r.block.body.bucket : ""}`));
  return logBucket === undefined ? undefined : `${logBucket.type}.${logBucket.name}.id`;
}

function fix(bucket: ResourceRef, ctx: ControlContext): FixPlan {
  const result = check(bucket, ctx);
  if (result === "pass") return { kind: "compliant", reason: `${bucket.address} already has access logging` };
  if (result === "unknown") return { kind: "unsupported", reason: `s3-access-logging: ${bucket.address} could not be read (the file does not parse)` };
  const target = logTarget(bucket, ctx);
  if (target === undefined)
    return { kind: "unsupported", reason: `s3-access-logging: no log destination bucket found near ${bucket.address}; choose one (a bucket must not log to itself)` };
  const prefix = hclString(`${bucket.name}/`);
  const summary = `Send server access logs of ${bucket.address} to ${target}`;
  if (!prefersSplit(ctx, bucket)) {
    const edit = addNestedBlock(textOf(ctx, bucket.file), bucket.block, { type: "logging", attributes: [["target_bucket", target], ["target_prefix", prefix]] });
    return { kind: "edits", files: [{ path: bucket.file, edits: [edit] }], summary };
  }
  return addCompanion(ctx, bucket, SPLIT, { type: "", attributes: [["target_bucket", target], ["target_prefix", prefix]] }, summary);
}

export const s3AccessLogging: Control = {
  id: "s3-access-logging",
  title: "S3 server access logging is enabled",
  vantaTestIds: ["logs-centrally-stored-config"],
  checkovIds: ["CKV_AWS_18"],
  resourceTypes: ["aws_s3_bucket"],
  review: {
    impact: ["in-place", "cost-change"],
    applyNote:
      "Server access logging starts in place; delivery is best effort and can lag by hours. The log objects are stored and billed in the target bucket, whose policy must let the S3 logging service (logging.s3.amazonaws.com) write to it.",
    rollback:
      "Reverting stops log delivery; logs already delivered stay in the target bucket.",
  },
  check,
  fix,
};
