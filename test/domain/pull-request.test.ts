import { describe, expect, it } from "vitest";
import {
  bodyMarker,
  changeHash,
  commitMessage,
  DIFF_TRUNCATED_MARKER,
  hasKeyTrailer,
  labelSpec,
  parseBodyMarker,
  PR_BODY_LIMIT,
  pullRequestTitle,
  renderPullRequestBody,
  unifiedDiff,
  type PullRequestContent,
} from "../../src/domain/pull-request.js";
import { SecretRegistry } from "../../src/observability/secrets.js";

const KEY = "a".repeat(64);
const HASH = "b".repeat(64);

function content(overrides: Partial<PullRequestContent> = {}): PullRequestContent {
  return {
    key: KEY,
    failure: { testId: "s3-encryption", testName: "S3 buckets are encrypted", entityId: "e1", displayName: "acme-logs", responseType: "S3 bucket", arn: "arn:aws:s3:::acme-logs", region: "us-east-1", account: "123456789012", failureDescription: "Bucket has no\nencryption" },
    target: { address: "aws_s3_bucket.logs", file: "s3.tf", startLine: 3, endLine: 9 },
    change: {
      generator: "rules",
      controlId: "s3-encryption",
      rationale: "Turn on SSE.",
      confidence: 1,
      files: [{ path: "s3.tf", before: 'resource "aws_s3_bucket" "logs" {\n}\n', after: 'resource "aws_s3_bucket" "logs" {\n  # sse\n}\n' }],
    },
    verification: { passed: true, checks: [{ name: "parse", status: "pass", passed: true, detail: "ok" }, { name: "control", status: "fail", passed: false, detail: "still failing\nsecond line" }, { name: "fmt", status: "skipped", passed: false, detail: "no terraform binary to run terraform fmt" }] },
    ...overrides,
  };
}

describe("the review checklist's plan item", () => {
  const review = (impact: ("in-place" | "replacement")[]) => ({ controlId: "rds-storage-encrypted", title: "RDS storage is encrypted", impact, applyNote: "n", rollback: "r" });

  it("expects only in-place updates when no control replaces the resource", () => {
    const body = renderPullRequestBody(content({ change: { ...content().change, reviews: [review(["in-place"])] } }), { vantaAppUrl: "https://app.vanta.com/" });
    expect(body).toContain("shows only the expected in-place updates (no replacement, no destroy)");
  });

  it("names the replacement instead of contradicting the apply-impact section", () => {
    const body = renderPullRequestBody(content({ change: { ...content().change, reviews: [review(["replacement"])] } }), { vantaAppUrl: "https://app.vanta.com/" });
    expect(body).not.toContain("no replacement");
    expect(body).toContain("shows the replacement described under Apply impact (rds-storage-encrypted)");
  });
});

describe("pullRequestTitle", () => {
  it.each([
    ["S3 buckets are encrypted", "fix(aws_s3_bucket.logs): S3 buckets are encrypted"],
    ["  multi\n line  name ", "fix(aws_s3_bucket.logs): multi line name"],
  ])("%j", (testName, expected) => {
    expect(pullRequestTitle({ testName }, { address: "aws_s3_bucket.logs" })).toBe(expected);
  });

  it("stays within GitHub's 256-character title limit", () => {
    const title = pullRequestTitle({ testName: "x".repeat(400) }, { address: "a.b" });
    expect(title).toHaveLength(256);
    expect(title.endsWith("…")).toBe(true);
  });
});

describe("change hash and body marker", () => {
  it("does not depend on file order but on content", () => {
    const a = { path: "a.tf", before: "", after: "1" };
    const b = { path: "b.tf", before: "", after: "2" };
    expect(changeHash({ files: [a, b] })).toBe(changeHash({ files: [b, a] }));
    expect(changeHash({ files: [a, b] })).not.toBe(changeHash({ files: [a, { ...b, after: "3" }] }));
  });

  it("round-trips the marker and trusts it only at the start of the body", () => {
    const marker = bodyMarker(KEY, HASH);
    expect(parseBodyMarker(`${marker}\nbody`)).toEqual({ key: KEY, changeHash: HASH });
    expect(parseBodyMarker(`text\n${marker}`)).toBeUndefined();
    expect(parseBodyMarker(null)).toBeUndefined();
  });
});

describe("commit trailer", () => {
  it("marks the commit with the key", () => {
    const message = commitMessage("fix(x): y", KEY, "why\nthis");
    expect(message).toBe(`fix(x): y\n\nwhy this\n\nTerraFix-Key: ${KEY}\n`);
    expect(hasKeyTrailer(message, KEY)).toBe(true);
    expect(hasKeyTrailer(message, "c".repeat(64))).toBe(false);
    expect(commitMessage("t", KEY, "  ")).toBe(`t\n\nTerraFix-Key: ${KEY}\n`);
  });
});

describe("renderPullRequestBody", () => {
  it("has every section reviewers need", () => {
    const body = renderPullRequestBody(content(), { vantaAppUrl: "https://app.vanta.com/" });
    expect(body.startsWith(bodyMarker(KEY, changeHash(content().change)))).toBe(true);
    expect(body).toContain("[S3 buckets are encrypted](https://app.vanta.com/tests/s3-encryption)");
    expect(body).toContain("ARN `arn:aws:s3:::acme-logs`, account 123456789012, region us-east-1");
    expect(body).toContain("`aws_s3_bucket.logs` in `s3.tf:3-9`");
    expect(body).toContain("| `s3.tf` | +1 | −0 |");
    expect(body).toContain("+  # sse");
    expect(body).toContain("> Bucket has no encryption");
    expect(body).toContain("- ❌ **control**: still failing second line");
    expect(body).toContain("- ⚪ skipped: **fmt**: no terraform binary to run terraform fmt");
    expect(body).toContain("Rule-based fix from control `s3-encryption`");
    expect(body).toMatch(/### Review checklist\n\n- \[ \]/);
    expect(body).toContain("### Rollback");
  });

  it("shows a skipped gate as skipped (⚪), never ✅, and ends with the Fixes trailer", () => {
    const body = renderPullRequestBody(
      content({ verification: { passed: true, checks: [{ name: "control", passed: false, status: "skipped", detail: "no control covers this test" }, { name: "parse", passed: true, status: "pass", detail: "ok" }] } }),
      { vantaAppUrl: "https://app.vanta.com" },
    );
    expect(body).toContain("- ⚪ skipped: **control**: no control covers this test");
    expect(body).not.toContain("✅ **control**");
    expect(body).toContain("- ✅ **parse**: ok");
    expect(body.trimEnd().endsWith("Fixes: test-s3-encryption")).toBe(true);
  });

  it("names the model, confidence and cost for an LLM change", () => {
    const body = renderPullRequestBody(
      content({ change: { ...content().change, generator: "llm", confidence: 0.82, risks: ["may change\nkeys"] }, llm: { modelId: "claude", inputTokens: 1200, outputTokens: 300, costUsd: 0.0123, rounds: 2 } }),
      { vantaAppUrl: "https://app.vanta.com" },
    );
    expect(body).toContain("Model `claude`, confidence 0.82, 2 round(s), 1200 input / 300 output tokens, cost $0.0123.");
    expect(body).toContain("- may change keys");
  });

  it("separates cache reads and writes from the uncached input tokens when the prompt cache was used", () => {
    const body = renderPullRequestBody(
      content({ change: { ...content().change, generator: "llm", confidence: 0.82 }, llm: { modelId: "claude", inputTokens: 3000, cacheReadTokens: 2048, cacheWriteTokens: 512, outputTokens: 300, costUsd: 0.0123, rounds: 2 } }),
      { vantaAppUrl: "https://app.vanta.com" },
    );
    expect(body).toContain("2 round(s), 3000 input (440 uncached, 2048 cache read, 512 cache write) / 300 output tokens, cost $0.0123.");
  });

  it("scrubs secrets", () => {
    const registry = new SecretRegistry();
    registry.add("ghp_supersecret");
    const body = renderPullRequestBody(content({ change: { ...content().change, rationale: "token ghp_supersecret leaked" } }), { vantaAppUrl: "https://v", scrub: (t) => registry.scrub(t) });
    expect(body).not.toContain("ghp_supersecret");
    expect(body).toContain("[REDACTED]");
  });

  it("cuts the diff first to stay under the limit", () => {
    const after = Array.from({ length: 5000 }, (_, i) => `line ${i} ${"z".repeat(20)}`).join("\n");
    const body = renderPullRequestBody(content({ change: { ...content().change, files: [{ path: "s3.tf", before: "", after }] } }), { vantaAppUrl: "https://v" });
    expect(body.length).toBeLessThanOrEqual(PR_BODY_LIMIT);
    expect(body).toContain(DIFF_TRUNCATED_MARKER);
    expect(body).toContain("### Rollback");
    expect(body).toContain("line 10");
  });

  it("cuts the prose when the prose alone is too long, keeping the marker", () => {
    const body = renderPullRequestBody(content({ change: { ...content().change, rationale: "r".repeat(100_000) } }), { vantaAppUrl: "https://v" });
    expect(body.length).toBeLessThanOrEqual(PR_BODY_LIMIT);
    expect(parseBodyMarker(body)?.key).toBe(KEY);
    expect(body).toContain("body truncated");
  });

  it("fences a diff that itself contains backticks", () => {
    const body = renderPullRequestBody(content({ change: { ...content().change, files: [{ path: "a.md", before: "", after: "```\ncode\n```\n" }] } }), { vantaAppUrl: "https://v" });
    expect(body).toContain("~~~~diff");
  });
});

describe("unifiedDiff and labelSpec", () => {
  it("writes a git-style patch per file", () => {
    expect(unifiedDiff({ files: [{ path: "a.tf", before: "x\n", after: "y\n" }] })).toBe("--- a/a.tf\n+++ b/a.tf\n@@ -1,1 +1,1 @@\n-x\n+y\n");
  });

  it.each([
    ["terrafix", "5319e7"],
    ["compliance", "d93f0b"],
  ])("%s has a fixed colour", (name, color) => {
    expect(labelSpec(name).color).toBe(color);
  });

  it("gives other labels a stable six-hex colour", () => {
    expect(labelSpec("security").color).toMatch(/^[0-9a-f]{6}$/);
    expect(labelSpec("security")).toEqual(labelSpec("security"));
  });
});
