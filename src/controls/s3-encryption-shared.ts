import { addNestedBlock, setAttribute, type NewBlock } from "../terraform/edit.js";
import { textOf } from "./context.js";
import { best, blocksOf, expectValue, read } from "./read.js";
import { addCompanion, nestedPath, prefersSplit, s3Companions } from "./s3-shared.js";
import { unknownReason } from "./simple.js";
import type { CheckResult, ControlContext, FixPlan, ResourceRef } from "./types.js";

const SPLIT = "aws_s3_bucket_server_side_encryption_configuration";
const BY_DEFAULT = ["rule", "apply_server_side_encryption_by_default"] as const;

/**
 * Default encryption (CKV_AWS_19 / CKV_AWS_145): the inline configuration or a connected split
 * resource names an accepted `sse_algorithm`. Unlike CKV_AWS_19, a bucket with no configuration
 * at all fails: AWS applies SSE-S3 anyway, but a failing Vanta test is fixed by making it explicit.
 */
export function checkEncryption(bucket: ResourceRef, ctx: ControlContext, accepted: readonly string[]): CheckResult {
  const accept = (v: unknown): boolean => typeof v === "string" && accepted.includes(v);
  const results: CheckResult[] = [];
  if (blocksOf(bucket.block.body, "server_side_encryption_configuration").length > 0 || bucket.block.body === null)
    results.push(expectValue(read(bucket.block.body, "server_side_encryption_configuration", ...BY_DEFAULT, "sse_algorithm"), accept));
  for (const c of s3Companions(ctx, bucket, SPLIT)) results.push(expectValue(read(c.block.body, ...BY_DEFAULT, "sse_algorithm"), accept));
  return results.length === 0 ? "fail" : best(results);
}

export function fixEncryption(bucket: ResourceRef, ctx: ControlContext, controlId: string, accepted: readonly string[], algorithm: string): FixPlan {
  const result = checkEncryption(bucket, ctx, accepted);
  if (result === "pass") return { kind: "compliant", reason: `${bucket.address} already has default encryption ${accepted.join(" or ")}` };
  if (result === "unknown") return unknownReason(controlId, bucket, "server-side encryption");
  const summary = `Set default encryption ${algorithm} on ${bucket.address}`;
  const byDefault: NewBlock = {
    type: "apply_server_side_encryption_by_default",
    attributes: [["sse_algorithm", JSON.stringify(algorithm)]],
  };
  // S3 Bucket Keys cut KMS request costs: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
  const rule: NewBlock = { type: "rule", ...(algorithm === "aws:kms" ? { attributes: [["bucket_key_enabled", "true"]] } : {}), blocks: [byDefault] };
  const inline = bucket.block.blocks.find((b) => b.type === "server_side_encryption_configuration");
  if (inline !== undefined) return editExisting(ctx, bucket.file, inline, rule, summary, controlId);
  const companion = s3Companions(ctx, bucket, SPLIT)[0];
  if (companion !== undefined) return editExisting(ctx, companion.file, companion.block, rule, `${summary} (existing ${companion.address})`, controlId);
  if (!prefersSplit(ctx, bucket)) {
    const edit = addNestedBlock(textOf(ctx, bucket.file), bucket.block, { type: "server_side_encryption_configuration", blocks: [rule] });
    return { kind: "edits", files: [{ path: bucket.file, edits: [edit] }], summary };
  }
  return addCompanion(ctx, bucket, SPLIT, { type: "", blocks: [rule] }, summary);
}

function editExisting(
  ctx: ControlContext,
  file: string,
  container: Parameters<typeof nestedPath>[0],
  rule: NewBlock,
  summary: string,
  controlId: string,
): FixPlan {
  const text = textOf(ctx, file);
  const byDefault = nestedPath(container, BY_DEFAULT);
  const algorithm = rule.blocks?.[0]?.attributes?.[0]?.[1] ?? '"AES256"';
  if (byDefault !== undefined) {
    const edits = [setAttribute(text, byDefault, "sse_algorithm", algorithm)];
    return { kind: "edits", files: [{ path: file, edits }], summary };
  }
  if (nestedPath(container, ["rule"]) === undefined) return { kind: "edits", files: [{ path: file, edits: [addNestedBlock(text, container, rule)] }], summary };
  return { kind: "unsupported", reason: `${controlId}: the existing encryption rule has no apply_server_side_encryption_by_default block to edit` };
}
