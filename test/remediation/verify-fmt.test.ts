import { describe, expect, it } from "vitest";
import type { ProposedChange } from "../../src/domain/change.js";
import { verifyChange } from "../../src/remediation/verify.js";
import { contextOf, formatter } from "../controls/helpers.js";

/** A legacy (0.11-style) file terraform fmt would already rewrite before any change. */
const LEGACY = `resource "aws_db_instance" "main" {
  identifier = "main"
  engine     = "\${var.engine}"
}
`;

async function fmtGate(before: string, after: string) {
  const ctx = await contextOf({ "main.tf": before });
  const change: ProposedChange = { files: [{ path: "main.tf", before, after }], generator: "rules", rationale: "t", confidence: 1 };
  const report = await verifyChange({ change, controlIds: ["rds-multi-az"], targetAddress: "aws_db_instance.main", files: ctx.files, resources: ctx.resources }, formatter === undefined ? {} : { formatter });
  return report.checks.find((c) => c.name === "fmt");
}

const SKIP = formatter === undefined ? " (skipped: terraform binary not on PATH)" : "";

describe("the fmt gate", () => {
  it.skipIf(formatter === undefined)(`holds a legacy file's own drift against no change, only what the change adds${SKIP}`, async () => {
    const clean = await fmtGate(LEGACY, LEGACY.replace('"\n}', '"\n  multi_az   = true\n}'));
    expect(clean?.status).toBe("pass");
    // The same legacy idiom written by the change is new drift, even though the file had one already.
    const copied = await fmtGate(LEGACY, LEGACY.replace('"\n}', '"\n  multi_az   = "${var.multi}"\n}'));
    expect(copied?.status).toBe("fail");
    expect(copied?.detail).toContain('terraform fmt writes "  multi_az   = var.multi"');
    const misaligned = await fmtGate(LEGACY, LEGACY.replace('"\n}', '"\n  multi_az = true\n}'));
    expect(misaligned?.status).toBe("fail");
  });

  it.skipIf(formatter === undefined)(`judges a BOM and CRLF file by its content: fmt strips the BOM, keeps CRLF${SKIP}`, async () => {
    const before = `\uFEFFresource "aws_db_instance" "main" {\r\n  identifier = "main"\r\n}\r\n`;
    const good = await fmtGate(before, before.replace('"main"\r\n}', '"main"\r\n  multi_az   = true\r\n}'));
    expect(good?.status).toBe("pass");
    const bad = await fmtGate(before, before.replace('"main"\r\n}', '"main"\r\n  multi_az = true\r\n}'));
    expect(bad?.status).toBe("fail");
  });
});
