import { describe, expect, it } from "vitest";
import { allControls, controlById } from "../../src/controls/catalogue.js";
import type { Control } from "../../src/controls/types.js";
import { renderPullRequestBody, type PullRequestContent } from "../../src/domain/pull-request.js";
import { generateRuleFix } from "../../src/remediation/rules.js";
import { contextOf, resource } from "./helpers.js";

function control(id: string): Control {
  const found = controlById(id);
  if (found === undefined) throw new Error(`no control ${id}`);
  return found;
}

describe("review notes on each control (apply impact, rollback, what is not covered)", () => {
  it("every control has its own apply impact and rollback note", () => {
    const rollbacks = new Set<string>();
    for (const c of allControls()) {
      expect(c.review.impact.length, c.id).toBeGreaterThan(0);
      expect(c.review.applyNote.length, c.id).toBeGreaterThan(40);
      expect(c.review.rollback, c.id).toMatch(/[Rr]everting /);
      rollbacks.add(c.review.rollback);
    }
    // Written for each control, not one generic sentence.
    expect(rollbacks.size).toBeGreaterThanOrEqual(allControls().length - 2);
  });

  it("says what a reviewer must know where it matters", () => {
    expect(control("s3-versioning").review.rollback).toMatch(/only suspended/);
    expect(control("rds-storage-encrypted").review.impact[0]).toBe("replacement");
    expect(control("ebs-encryption").review.impact[0]).toBe("replacement");
    expect(control("rds-multi-az").review.impact).toContain("cost-change");
    expect(control("kms-rotation").review.impact).toContain("cost-change");
    expect(control("rds-backup-retention").review.impact[0]).toBe("brief-outage");
    expect(control("iam-password-policy").review.applyNote).toMatch(/every IAM user/);
    expect(control("log-group-retention").review.applyNote).toMatch(/none are deleted/);
    expect(control("rds-not-public").review.notCovered).toMatch(/security group/);
    expect(control("s3-versioning").review.notCovered).toBeUndefined();
  });

  it("travels with a rule's change into the pull request body, per control", async () => {
    const ctx = await contextOf({
      "main.tf": 'resource "aws_db_instance" "main" {\n  identifier          = "main"\n  engine              = "postgres"\n  publicly_accessible = true\n}\n',
    });
    const result = generateRuleFix({ controlIds: ["rds-not-public", "rds-multi-az"], target: resource(ctx, "aws_db_instance.main"), ctx });
    if (result.type !== "change") throw new Error(`expected a change, got ${result.type}`);
    expect(result.change.reviews?.map((r) => r.controlId)).toEqual(["rds-not-public", "rds-multi-az"]);
    const content: PullRequestContent = {
      key: "c".repeat(64),
      failure: { testId: "mysql-database-ports-restricted", testName: "Databases are not reachable from the internet", entityId: "e1", displayName: "main", responseType: "RDS instance" },
      target: { address: "aws_db_instance.main", file: "main.tf", startLine: 1, endLine: 5 },
      change: result.change,
      verification: { passed: true, checks: [] },
    };
    const body = renderPullRequestBody(content, { vantaAppUrl: "https://app.vanta.com" });
    expect(body).toContain("### Apply impact");
    // The notes go through the Markdown escaping (apply_immediately -> apply\_immediately).
    expect(body).toContain("- **rds-multi-az** (in place, cost change): Converted in place without downtime: RDS snapshots the instance");
    expect(body).toContain("- **Not covered by this PR** (rds-not-public): Vanta also asks to restrict the database's security group ingress");
    expect(body).toContain(`- **rds-multi-az**: ${control("rds-multi-az").review.rollback}`);
    const rollback = body.slice(body.indexOf("### Rollback"));
    expect(rollback).toContain(control("rds-not-public").review.rollback);
  });

  it("leaves the section out when the change carries no control (a model's fix for an uncovered test)", () => {
    const body = renderPullRequestBody(
      {
        key: "d".repeat(64),
        failure: { testId: "custom", testName: "Custom", entityId: "e1", displayName: "x", responseType: "S3 bucket" },
        target: { address: "aws_s3_bucket.x", file: "main.tf", startLine: 1, endLine: 2 },
        change: { generator: "llm", rationale: "r", confidence: 0.5, files: [{ path: "main.tf", before: "a\n", after: "b\n" }] },
        verification: { passed: true, checks: [] },
      },
      { vantaAppUrl: "https://app.vanta.com" },
    );
    expect(body).not.toContain("### Apply impact");
    expect(body).not.toContain("Not covered by this PR");
    expect(body).toContain("### Rollback");
  });
});
