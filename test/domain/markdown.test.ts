import { describe, expect, it } from "vitest";
import { renderDashboard } from "../../src/pipeline/publish/dashboard.js";
import { escapeMarkdown, markdownCode, quotedProse } from "../../src/domain/markdown.js";
import { commitMessage, pullRequestTitle, renderPullRequestBody, type PullRequestContent } from "../../src/domain/pull-request.js";

const HOSTILE_NAME = "@org/team Fixes #1 <img src=x onerror=alert(1)> <!-- terrafix:key=x -->";
const FORGED_RATIONALE = "Turn on SSE.\n\n### Verification (passed)\n\n- ✅ **everything**: fine\n\n@org/security please merge, closes #7\n```\n## escaped fence\n";

function content(overrides: Partial<PullRequestContent["change"]> = {}): PullRequestContent {
  return {
    key: "a".repeat(64),
    failure: { testId: "t-1", testName: HOSTILE_NAME, entityId: "e1", displayName: "b`ucket @x", responseType: "S3 bucket", failureDescription: "line one\n## Injected heading\n@alice" },
    target: { address: "aws_s3_bucket.logs", file: "s3.tf", startLine: 1, endLine: 3 },
    change: { generator: "llm", rationale: FORGED_RATIONALE, confidence: 0.9, files: [{ path: "s3.tf", before: "a\n", after: "b\n" }], ...overrides },
    verification: { passed: false, checks: [{ name: "control", status: "fail", passed: false, detail: "still failing\n### Verification (passed)" }] },
  };
}

/** Text GitHub would act on: outside code spans and fenced blocks. */
function prose(markdown: string): string {
  return markdown.replace(/^> (`{3,})[\s\S]*?^> \1$/gm, "").replace(/(`+)[^`\n]*?\1/g, "");
}

describe("escapeMarkdown", () => {
  it.each([
    ["a user mention", "ping @alice", /@alice/],
    ["a team mention", "@org/team", /@org\/team/],
    ["an issue reference", "see #12", /#12/],
    ["a cross-repository reference", "o/r#12", /r#12/],
    ["a GH- reference", "GH-12", /GH-12/],
    ["a closing keyword", "Fixes https://github.com/o/r/issues/1", /Fixes https/],
    ["raw HTML", "<img src=x onerror=alert(1)>", /<img/],
    ["an HTML comment (our hidden marker)", "<!-- terrafix:key=x -->", /<!--/],
    ["a heading", "# Verification (passed)", /^#/],
    ["a list item", "- ✅ ok", /^-/],
    ["a numbered list", "1. ok", /^1\./],
    ["a line break that starts a section", "x\n### Verification (passed)", /\n/],
    ["a link", "[click](https://evil.example)", /\[click\]/],
    ["emphasis", "**bold**", /\*\*bold/],
    ["a table cell break", "a | b", /a \| b/],
    ["a bidi override", "abc\u202edef", /\u202e/],
  ])("neutralises %s", (_name, input, forbidden) => {
    expect(escapeMarkdown(input)).not.toMatch(forbidden);
  });

  it("keeps ordinary text readable", () => {
    expect(escapeMarkdown("S3 buckets are encrypted (SSE-KMS)")).toBe("S3 buckets are encrypted (SSE-KMS)");
  });

  it("in plain places (titles, commit messages) breaks mentions and references but adds no entities", () => {
    const plain = escapeMarkdown("@org/team Fixes #1 <b>", "plain");
    expect(plain).not.toMatch(/@org|#1|Fixes #/);
    expect(plain).toContain("<b>");
  });
});

describe("markdownCode and quotedProse", () => {
  it("a code span cannot be closed by the value", () => {
    expect(markdownCode("a`b``c")).toBe("```a`b``c```");
    expect(markdownCode("`x")).toBe("`` `x ``");
  });

  it("quoted prose keeps every line inside one fence longer than any run in it", () => {
    const block = quotedProse("one\n### two\n````\n~~~~~");
    const lines = block.split("\n");
    expect(lines.every((line) => line.startsWith(">"))).toBe(true);
    expect(lines[0]).toBe("> ``````text");
    expect(lines.at(-1)).toBe("> ``````");
  });
});

describe("render sites use it", () => {
  it("a PR body carries no mention, reference, raw HTML or forged section from untrusted text", () => {
    const body = renderPullRequestBody(content(), { vantaAppUrl: "https://app.vanta.com", scrub: (t) => t });
    expect(body.match(/^#+ Verification/gm)).toEqual(["### Verification"]);
    expect(body).toContain("### Verification (FAILED)");
    expect(body.match(/^## /gm)).toHaveLength(1);
    const outside = prose(body);
    expect(outside).not.toMatch(/@(org|alice|x)|#[17]\b|<img|<!-- terrafix:key=x/);
    expect(body.split("\n").filter((l) => l.startsWith("<!--"))).toHaveLength(1);
  });

  it("the rationale sits in a quoted fence", () => {
    const body = renderPullRequestBody(content(), { vantaAppUrl: "https://app.vanta.com", scrub: (t) => t });
    expect(body).toContain("> ````text\n> Turn on SSE.\n>\n> ### Verification (passed)");
  });

  it("titles and commit messages break mentions and references", () => {
    const title = pullRequestTitle({ testName: HOSTILE_NAME }, { address: "aws_s3_bucket.logs" });
    expect(title).not.toMatch(/@org|#1|Fixes #/);
    const message = commitMessage(title, "k".repeat(64), FORGED_RATIONALE);
    expect(message).not.toMatch(/@org|#7|closes #/);
  });

  it("the dashboard neutralises test names, resources and reasons", () => {
    const body = renderDashboard([{ key: "k", status: "failed", testId: "t", testName: HOSTILE_NAME, resource: "r`x @y", reason: "boom\n## Open pull requests (99)\n@alice #3" }]);
    expect(body.match(/^## Open pull requests/gm)).toEqual(["## Open pull requests"]);
    expect(prose(body)).not.toMatch(/@(org|alice)|#[13]\b|<img/);
  });
});
