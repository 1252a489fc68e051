import { insertBlockAfter, type NewBlock } from "../terraform/edit.js";
import type { HclBlock } from "../terraform/parse.js";
import { attributeOf, connectedResources, freeName, moduleDir, textOf } from "./context.js";
import type { ControlContext, FixPlan, ResourceRef } from "./types.js";

/** Inline S3 blocks of AWS provider v3 (deprecated in v4, which split them into resources). */
const INLINE_S3_BLOCKS = new Set([
  "versioning",
  "logging",
  "server_side_encryption_configuration",
  "lifecycle_rule",
  "replication_configuration",
  "website",
  "cors_rule",
  "grant",
  "object_lock_configuration",
]);

/**
 * Whether a fix for this bucket should add a separate `aws_s3_bucket_*` resource (v4+ style) or
 * an inline block (v3 style). The provider constraint decides when there is one
 * (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/version-4-upgrade#s3-bucket-refactor);
 * otherwise the repository's own habit does: the bucket's inline blocks, then any split resource,
 * then other buckets' inline blocks. New code defaults to the v4 style.
 */
export function prefersSplit(ctx: ControlContext, bucket: ResourceRef): boolean {
  if (ctx.awsProviderMajor !== undefined) return ctx.awsProviderMajor >= 4;
  if (hasInlineS3(bucket.block)) return false;
  if (ctx.resources.some((r) => r.type.startsWith("aws_s3_bucket_"))) return true;
  if (ctx.resources.some((r) => r.type === "aws_s3_bucket" && hasInlineS3(r.block))) return false;
  return true;
}

function hasInlineS3(block: HclBlock): boolean {
  return block.blocks.some((b) => INLINE_S3_BLOCKS.has(b.type));
}

/** Split companions of a bucket connected by `bucket = aws_s3_bucket.x.id` (or the same literal name). */
export function s3Companions(ctx: ControlContext, bucket: ResourceRef, type: string): ResourceRef[] {
  return connectedResources(ctx, bucket, type, "bucket", "bucket");
}

/**
 * Adds a split resource right after the bucket, referencing it so Checkov's graph connects them,
 * and repeating the bucket's `count`/`for_each` so every instance gets one.
 */
export function addCompanion(ctx: ControlContext, bucket: ResourceRef, type: string, body: NewBlock, summary: string): FixPlan {
  const text = textOf(ctx, bucket.file);
  const name = freeName(ctx, moduleDir(bucket.file), type, bucket.name);
  const count = attributeOf(bucket.block, "count");
  const forEach = attributeOf(bucket.block, "for_each");
  const ref = `${bucket.type}.${bucket.name}`;
  const head: [string, string][] =
    count !== undefined
      ? [["count", count], ["bucket", `${ref}[count.index].id`]]
      : forEach !== undefined
        ? [["for_each", ref], ["bucket", "each.value.id"]]
        : [["bucket", `${ref}.id`]];
  const block: NewBlock = { type: "resource", labels: [type, name], attributes: [...head, ...(body.attributes ?? [])], blocks: body.blocks ?? [] };
  const edit = insertBlockAfter(text, bucket.block, block);
  return { kind: "edits", files: [{ path: bucket.file, edits: [edit] }], summary };
}

/** Follows nested blocks by type (first of each). */
export function nestedPath(block: HclBlock, path: readonly string[]): HclBlock | undefined {
  let node: HclBlock | undefined = block;
  for (const type of path) node = node?.blocks.find((b) => b.type === type);
  return node;
}
