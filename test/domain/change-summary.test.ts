import { describe, expect, it } from "vitest";
import {
  BODY_BUDGET,
  BODY_TRUNCATED_MARKER,
  DIFF_TRUNCATED_MARKER,
  PR_BODY_LIMIT,
  changeTable,
  fitChangeBody,
  splitChangeBody,
} from "../../src/domain/change-summary.js";
import { renderPullRequestBody } from "../../src/domain/pull-request.js";
import { SecretRegistry } from "../../src/observability/secrets.js";

const INTRO = "<!-- marker -->\n## TerraFix: a test\n\n";
const OUTRO = "### Why\n\nbecause\n\nFixes: test-a\n";
const small = [
  { path: "a.tf", before: "one\ntwo\n", after: "one\n2\nthree\n" },
  { path: "b|c.tf", before: "", after: "x\n" },
];
const lines = (n: number, tag: string): string => Array.from({ length: n }, (_, i) => `${tag} ${i} ${"z".repeat(30)}`).join("\n").concat("\n");

describe("changeTable", () => {
  it("lists every file with its added and removed line counts, the path as code with pipes escaped", () => {
    expect(changeTable(small)).toBe(["### What changes", "", "| file | added | removed |", "|---|---|---|", "| `a.tf` | +2 | −1 |", "| `b\\|c.tf` | +1 | −0 |", "", ""].join("\n"));
  });
});

describe("fitChangeBody", () => {
  it("puts intro, table, diff and outro together when they fit", () => {
    const body = fitChangeBody({ intro: INTRO, files: small, outro: OUTRO });

    expect(body.startsWith(`${INTRO}### What changes\n`)).toBe(true);
    expect(body.endsWith(`</details>\n\n${OUTRO}`)).toBe(true);
    expect(body).toContain("<details><summary>Diff</summary>\n\n```diff\n--- a/a.tf\n+++ b/a.tf\n");
    expect(body).toContain("+three\n");
    expect(body).not.toContain(DIFF_TRUNCATED_MARKER);
  });

  it("cuts the diff first, at a line, keeping the table, the prose and the trailer whole", () => {
    const files = [{ path: "big.tf", before: "", after: lines(4000, "line") }, { path: "other.tf", before: "", after: "tail\n" }];

    const body = fitChangeBody({ intro: INTRO, files, outro: OUTRO }, { limit: 20_000 });

    expect(body.length).toBeLessThanOrEqual(20_000);
    expect(body.length).toBeGreaterThan(19_000);
    expect(body).toContain("| `big.tf` | +4000 | −0 |");
    expect(body).toContain("| `other.tf` | +1 | −0 |");
    expect(body).toMatch(new RegExp(`\\+line \\d+ z{30}\\n${DIFF_TRUNCATED_MARKER}\\n\`\`\`\\n</details>\\n\\n`));
    expect(body.endsWith(OUTRO)).toBe(true);
    expect(body.startsWith(INTRO)).toBe(true);
  });

  it("never goes above the budget, whatever limit is asked for", () => {
    const files = [{ path: "big.tf", before: "", after: lines(5000, "line") }];

    const body = fitChangeBody({ intro: INTRO, files, outro: OUTRO }, { limit: 10 * PR_BODY_LIMIT });

    expect(body.length).toBeLessThanOrEqual(BODY_BUDGET);
    expect(body).toContain(DIFF_TRUNCATED_MARKER);
  });

  it("cuts the body at its end when the prose alone is too long, keeping the start and the diff's marker", () => {
    const body = fitChangeBody({ intro: INTRO, files: small, outro: `${"r".repeat(30_000)}\nFixes: test-a\n` }, { limit: 20_000 });

    expect(body.length).toBeLessThanOrEqual(20_000);
    expect(body.startsWith(INTRO)).toBe(true);
    expect(body).toContain(`\`\`\`diff\n${DIFF_TRUNCATED_MARKER}\n`);
    expect(body.endsWith(`\n\n${BODY_TRUNCATED_MARKER}\n`)).toBe(true);
  });

  it("scrubs secrets from the intro, the table, the diff and the outro", () => {
    const registry = new SecretRegistry();
    registry.add("ghp_supersecret");
    const files = [{ path: "ghp_supersecret.tf", before: "", after: "token = ghp_supersecret\n" }];

    const body = fitChangeBody({ intro: `${INTRO}ghp_supersecret\n`, files, outro: `ghp_supersecret\n${OUTRO}` }, { scrub: (t) => registry.scrub(t) });

    expect(body).not.toContain("ghp_supersecret");
    expect(body.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(5);
  });

  it("fences a diff holding backticks with tildes", () => {
    expect(fitChangeBody({ intro: INTRO, files: [{ path: "a.md", before: "", after: "```\n" }], outro: OUTRO })).toContain("~~~~diff\n");
  });
});

describe("splitChangeBody", () => {
  const content = {
    key: "a".repeat(64),
    failure: { testId: "t", testName: "### What changes", entityId: "e", displayName: "d", responseType: "S3 bucket", failureDescription: "</details>" },
    target: { address: "aws_s3_bucket.d", file: "s3.tf", startLine: 1, endLine: 2 },
    change: { generator: "rules" as const, rationale: "### What changes\n</details>", confidence: 1, files: [{ path: "s3.tf", before: "a\n", after: "a\nb\n" }] },
    verification: { passed: true, checks: [] },
  };

  it("splits a rendered body around its table and diff, so fitting it again with the same files gives the same body", () => {
    const body = renderPullRequestBody(content, { vantaAppUrl: "https://v" });

    const parts = splitChangeBody(body);

    expect(parts).toBeDefined();
    expect(parts!.intro).toContain("## TerraFix: \\### What changes");
    expect(parts!.outro.startsWith("### Why\n")).toBe(true);
    expect(fitChangeBody({ ...parts!, files: content.change.files })).toBe(body);
  });

  it("finds nothing in a body without a change section", () => {
    expect(splitChangeBody("## hand-written\n\n### What changes\n\nnothing here\n")).toBeUndefined();
  });
});
