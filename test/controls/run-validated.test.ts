import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCatalogue } from "../../src/controls/run-catalogue.js";
import { runCatalogueValidated } from "../../src/controls/run-validated.js";
import { ParseCache, indexRepository } from "../../src/terraform/index.js";
import { copyFixture } from "../terraform/helpers.js";

describe("check with lazy validation: hcl2json only where a finding is", () => {
  it("gives the eager catalogue's findings, validating only the files with findings", async () => {
    const repo = await copyFixture("idioms");
    // Valid for tree-sitter and hcl2json, and compliant: no finding, so never validated.
    await writeFile(join(repo.dir, "quiet.tf"), 'resource "aws_sns_topic" "quiet" {\n  name = "quiet"\n}\n');
    const eager = runCatalogue(await indexRepository(repo.dir, { cache: new ParseCache() }));
    const lazy = await indexRepository(repo.dir, { cache: new ParseCache(), validation: "lazy" });
    const result = await runCatalogueValidated(lazy);
    expect(result).toEqual(eager);
    const withFindings = new Set(result.findings.map((f) => f.file));
    expect(withFindings.size).toBeGreaterThan(0);
    expect(lazy.files.get("quiet.tf")?.validated).toBe(false);
    await repo.cleanup();
  });

  it("drops a file hcl2json rejects, as an eager index would, and reports it", async () => {
    const repo = await copyFixture("idioms");
    // tree-sitter accepts two attributes on one line; HCL does not (services.md §3.2). Unversioned: a finding.
    await writeFile(join(repo.dir, "lenient.tf"), 'resource "aws_s3_bucket" "lenient" { bucket = "lenient-bucket" acl = "private" }\n');
    const eagerIndex = await indexRepository(repo.dir, { cache: new ParseCache() });
    const lazy = await indexRepository(repo.dir, { cache: new ParseCache(), validation: "lazy" });
    const before = runCatalogue(lazy);
    expect(before.findings.some((f) => f.file === "lenient.tf")).toBe(true);
    const result = await runCatalogueValidated(lazy);
    expect(result).toEqual(runCatalogue(eagerIndex));
    expect(result.findings.some((f) => f.file === "lenient.tf")).toBe(false);
    expect(lazy.errors.map((e) => e.file)).toEqual(["lenient.tf"]);
    await repo.cleanup();
  });
});
