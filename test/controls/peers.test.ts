import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { generateTerraformRepo } from "../../bench/generators/terraform-repo.js";
import { runCatalogue } from "../../src/controls/run-catalogue.js";
import { allControls } from "../../src/controls/catalogue.js";
import type * as contextModule from "../../src/controls/context.js";
import { connectedResources, freeName, moduleDir } from "../../src/controls/context.js";
import { checkModuleCall } from "../../src/controls/modules.js";
import type { CheckResult, ControlContext, ResourceRef } from "../../src/controls/types.js";
import { indexRepository } from "../../src/terraform/index.js";
import { contextOf, resource } from "./helpers.js";

type ContextModule = typeof contextModule;

/**
 * The peer index must answer exactly what the scans it replaced answered. The scans are kept
 * here, verbatim, as the oracle.
 */
function scanConnected(ctx: ControlContext, target: ResourceRef, type: string, attribute: string, nameAttribute?: string): ResourceRef[] {
  const dir = moduleDir(target.file);
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const ref = new RegExp(`^${escape(target.type)}\\.${escape(target.name)}(\\[[^\\]]*\\])?\\.(id|arn|bucket|name)$`);
  const literal = nameAttribute === undefined ? undefined : target.block.body?.[nameAttribute];
  return ctx.resources.filter((r) => {
    if (r.type !== type || moduleDir(r.file) !== dir || r.modulePath.join(".") !== target.modulePath.join(".")) return false;
    const value = r.block.attributes.find((a) => a.name === attribute)?.valueText.trim() ?? "";
    if (ref.test(value)) return true;
    const forEach = r.block.attributes.find((a) => a.name === "for_each")?.valueText.trim();
    if (/^each\.value\.(id|arn|bucket|name)$/.test(value) && forEach === `${target.type}.${target.name}`) return true;
    return typeof literal === "string" && !literal.includes("${") && r.block.body?.[attribute] === literal;
  });
}

function scanFreeName(ctx: ControlContext, dir: string, type: string, wanted: string): string {
  const taken = new Set(ctx.resources.filter((r) => r.type === type && moduleDir(r.file) === dir).map((r) => r.name));
  if (!taken.has(wanted)) return wanted;
  for (let i = 2; ; i++) if (!taken.has(`${wanted}_${i}`)) return `${wanted}_${i}`;
}

/** The catalogue loop before the index: every control over every resource, in repository order. */
function scanCatalogue(ctx: ControlContext): string[] {
  const seen = new Map<string, CheckResult>();
  for (const control of allControls()) {
    for (const r of ctx.resources) {
      const key = `${control.id} ${r.address}`;
      if (r.mode !== "managed" || !control.resourceTypes.includes(r.type) || seen.has(key)) continue;
      seen.set(key, control.check(r, ctx));
    }
    for (const call of ctx.moduleCalls ?? []) {
      const result = checkModuleCall(control.id, call);
      const key = `${control.id} ${call.address}`;
      if (result !== undefined && !seen.has(key)) seen.set(key, result);
    }
  }
  return [...seen].filter(([, r]) => r !== "pass").map(([key, r]) => `${r} ${key}`).sort();
}

/** Every lookup the controls make: split S3 resources of buckets, rule resources of groups. */
const LOOKUPS: { targets: string; type: string; attribute: string; name?: string }[] = [
  ...["aws_s3_bucket_versioning", "aws_s3_bucket_logging", "aws_s3_bucket_public_access_block", "aws_s3_bucket_server_side_encryption_configuration"].map((type) => ({
    targets: "aws_s3_bucket",
    type,
    attribute: "bucket",
    name: "bucket",
  })),
  ...["aws_security_group_rule", "aws_vpc_security_group_ingress_rule"].map((type) => ({ targets: "aws_security_group", type, attribute: "security_group_id" })),
];

function compareLookups(ctx: ControlContext): number {
  let connected = 0;
  for (const lookup of LOOKUPS) {
    for (const target of ctx.resources.filter((r) => r.type === lookup.targets)) {
      const expected = scanConnected(ctx, target, lookup.type, lookup.attribute, lookup.name);
      expect(connectedResources(ctx, target, lookup.type, lookup.attribute, lookup.name).map((r) => r.address), `${lookup.type} of ${target.address}`).toEqual(
        expected.map((r) => r.address),
      );
      connected += expected.length;
    }
  }
  return connected;
}

describe("peer index", () => {
  it("connects by reference, index, for_each and literal name exactly as the scan did, per folder and module", async () => {
    const ctx = await contextOf({
      "main.tf": `
resource "aws_s3_bucket" "a" {
  bucket = "acme-a"
}
resource "aws_s3_bucket" "b" {
  count  = 2
  bucket = "acme-b-\${count.index}"
}
resource "aws_s3_bucket" "c" {
  for_each = toset(["x", "y"])
  bucket   = "acme-c-\${each.key}"
}
resource "aws_s3_bucket_versioning" "a_literal" {
  bucket = "acme-a"
  versioning_configuration {
    status = "Enabled"
  }
}
resource "aws_s3_bucket_versioning" "a_ref" {
  bucket = aws_s3_bucket.a.bucket
  versioning_configuration {
    status = "Enabled"
  }
}
resource "aws_s3_bucket_versioning" "b" {
  count  = 2
  bucket = aws_s3_bucket.b[count.index].id
  versioning_configuration {
    status = "Enabled"
  }
}
resource "aws_s3_bucket_versioning" "c" {
  for_each = aws_s3_bucket.c
  bucket   = each.value.id
  versioning_configuration {
    status = "Suspended"
  }
}
resource "aws_s3_bucket_versioning" "not_a_ref" {
  bucket = aws_s3_bucket.a.tags
}
resource "aws_security_group" "web" {
  name = "web"
}
resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
`,
      "other/main.tf": `
resource "aws_s3_bucket_versioning" "elsewhere" {
  bucket = aws_s3_bucket.a.id
}
resource "aws_s3_bucket" "a" {
  bucket = "acme-a"
}
`,
    });
    expect(connectedResources(ctx, resource(ctx, "aws_s3_bucket.a"), "aws_s3_bucket_versioning", "bucket", "bucket").map((r) => r.address)).toEqual([
      "aws_s3_bucket_versioning.a_literal",
      "aws_s3_bucket_versioning.a_ref",
    ]);
    expect(connectedResources(ctx, resource(ctx, "aws_s3_bucket.b"), "aws_s3_bucket_versioning", "bucket", "bucket").map((r) => r.address)).toEqual(["aws_s3_bucket_versioning.b"]);
    expect(connectedResources(ctx, resource(ctx, "aws_s3_bucket.c"), "aws_s3_bucket_versioning", "bucket", "bucket").map((r) => r.address)).toEqual(["aws_s3_bucket_versioning.c"]);
    expect(compareLookups(ctx)).toBeGreaterThanOrEqual(6);
    expect(freeName(ctx, ".", "aws_s3_bucket_versioning", "b")).toBe(scanFreeName(ctx, ".", "aws_s3_bucket_versioning", "b"));
    expect(freeName(ctx, ".", "aws_s3_bucket_versioning", "b")).toBe("b_2");
    expect(freeName(ctx, "other", "aws_s3_bucket_versioning", "a_ref")).toBe("a_ref");
    expect(runCatalogue(ctx).findings.map((f) => `${f.result} ${f.control} ${f.address}`).sort()).toEqual(scanCatalogue(ctx));
  });

  describe("on a generated repository with companions", () => {
    let dir = "";
    let ctx: ControlContext;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "terrafix-peers-"));
      await generateTerraformRepo(dir, { resources: 1500, files: 30, moduleDepth: 2, seed: 3, chains: 3, companions: true });
      ctx = await indexRepository(dir, { validation: "lazy" });
    }, 120_000);
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("answers every peer lookup as the scan did", () => {
      // A local module used by several folders puts one block under several addresses: covered too.
      expect(ctx.resources.length).toBe(1500);
      expect(compareLookups(ctx)).toBeGreaterThan(100);
    });

    it("gives the same check findings as the scanning catalogue", async () => {
      const findings = runCatalogue(ctx);
      expect(findings.findings.length).toBeGreaterThan(100);
      expect(findings.findings.map((f) => `${f.result} ${f.control} ${f.address}`).sort()).toEqual(scanCatalogue(ctx));
      // Before/after: the same catalogue with the controls' peer lookups answered by the old scans.
      vi.resetModules();
      vi.doMock("../../src/controls/context.js", async (original) => ({ ...(await original<ContextModule>()), connectedResources: scanConnected, freeName: scanFreeName }));
      try {
        const before = await import("../../src/controls/run-catalogue.js");
        expect(before.runCatalogue).not.toBe(runCatalogue);
        expect(before.runCatalogue(ctx)).toEqual(findings);
      } finally {
        vi.doUnmock("../../src/controls/context.js");
        vi.resetModules();
      }
    });
  });
});
