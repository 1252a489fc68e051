import { describe, expect, it } from "vitest";
import { applyProposal, localAddress, reindent } from "../../../src/remediation/llm/apply.js";
import type { LlmFixInput } from "../../../src/remediation/llm/input.js";
import type { Proposal } from "../../../src/remediation/llm/schema.js";
import { parseHclFile } from "../../../src/terraform/parse.js";
import { VERSIONING_BLOCK, fixture, inputFor } from "./helpers.js";

const TEXT = fixture("s3-injection.tf");

function proposal(edits: Proposal["edits"]): Proposal {
  return { edits, rationale: "r", confidence: 0.5, risks: [] };
}

async function input(): Promise<LlmFixInput> {
  return inputFor("main.tf", TEXT, "aws_s3_bucket.logs", { referenced: ["data.aws_iam_policy_document.logs"], referencing: ["aws_s3_bucket_policy.logs"] });
}

describe("applyProposal", () => {
  it("inserts a new block after the target, separated by a blank line, keeping every other byte", async () => {
    const i = await input();
    const result = applyProposal(i, proposal([{ action: "insert_after", address: "aws_s3_bucket.logs", file: "main.tf", new_text: VERSIONING_BLOCK }]));

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const after = result.files[0]!.after;
    const insertAt = i.target.end;
    expect(after.slice(0, insertAt)).toBe(TEXT.slice(0, insertAt));
    expect(after.slice(insertAt)).toBe(`\n\n${VERSIONING_BLOCK}${TEXT.slice(insertAt)}`);
    expect((await parseHclFile("main.tf", after)).errors).toEqual([]);
  });

  it("replaces exactly the span of the addressed block and dedents model text", async () => {
    const i = await input();
    const newText = `    resource "aws_s3_bucket" "logs" {\n      bucket = "acme-app-logs"\n      object_lock_enabled = false\n    }\n\n`;
    const result = applyProposal(i, proposal([{ action: "replace_block", address: "aws_s3_bucket.logs", file: "./main.tf", new_text: newText }]));

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const after = result.files[0]!.after;
    expect(after).toBe(`${TEXT.slice(0, i.target.start)}resource "aws_s3_bucket" "logs" {\n  bucket = "acme-app-logs"\n  object_lock_enabled = false\n}${TEXT.slice(i.target.end)}`);
  });

  it("applies a replacement and an insertion on the same block together", async () => {
    const i = await input();
    const result = applyProposal(
      i,
      proposal([
        { action: "insert_after", address: "aws_s3_bucket.logs", file: "main.tf", new_text: VERSIONING_BLOCK },
        { action: "replace_block", address: "aws_s3_bucket.logs", file: "main.tf", new_text: `resource "aws_s3_bucket" "logs" {\n  bucket = "x"\n}` },
      ]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.files[0]!.after).toContain(`resource "aws_s3_bucket" "logs" {\n  bucket = "x"\n}\n\n${VERSIONING_BLOCK}\n\nresource "aws_s3_bucket_policy"`);
  });

  it.each([
    [{ action: "insert_after", address: "aws_s3_bucket.nope", file: "main.tf", new_text: "x" }, "unknown block address aws_s3_bucket.nope; editable blocks are aws_s3_bucket.logs, aws_s3_bucket_policy.logs"],
    [{ action: "replace_block", address: "aws_s3_bucket.other", file: "main.tf", new_text: `resource "aws_s3_bucket" "other" {}` }, "unknown block address aws_s3_bucket.other"],
    [{ action: "replace_block", address: "data.aws_iam_policy_document.logs", file: "main.tf", new_text: `data "aws_iam_policy_document" "logs" {}` }, "is read-only context"],
    [{ action: "insert_after", address: "aws_s3_bucket.logs", file: "s3.tf", new_text: "x" }, "aws_s3_bucket.logs is in main.tf, not s3.tf"],
    [{ action: "replace_block", address: "aws_s3_bucket.logs", file: "main.tf", new_text: `resource "aws_s3_bucket" "renamed" {}` }, "expected aws_s3_bucket.logs, got aws_s3_bucket.renamed"],
    [{ action: "replace_block", address: "aws_s3_bucket.logs", file: "main.tf", new_text: `bucket = "x"` }, "must start with the block header of aws_s3_bucket.logs"],
    [{ action: "replace_block", address: "aws_s3_bucket.logs", file: "main.tf", new_text: "   \n " }, "new_text is empty"],
  ] as const)("rejects %o with a clear message", async (edit, message) => {
    const result = applyProposal(await input(), proposal([edit]));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join("\n")).toContain(message);
  });

  it("reports every problem at once", async () => {
    const result = applyProposal(
      await input(),
      proposal([
        { action: "insert_after", address: "a.b", file: "main.tf", new_text: "x" },
        { action: "insert_after", address: "c.d", file: "main.tf", new_text: "x" },
      ]),
    );
    expect(result.ok ? [] : result.problems).toHaveLength(2);
  });

  it("rejects replacing the same block twice and a change that changes nothing", async () => {
    const i = await input();
    const same = TEXT.slice(i.target.start, i.target.end);
    const twice = applyProposal(i, proposal([
      { action: "replace_block", address: "aws_s3_bucket.logs", file: "main.tf", new_text: same },
      { action: "replace_block", address: "aws_s3_bucket.logs", file: "main.tf", new_text: same },
    ]));
    expect(twice.ok ? "" : twice.problems.join()).toContain("replaced more than once");
    const noop = applyProposal(i, proposal([{ action: "replace_block", address: "aws_s3_bucket.logs", file: "main.tf", new_text: same }]));
    expect(noop.ok ? "" : noop.problems.join()).toContain("change nothing");
  });

  it("drops the block's leading comments when the model echoes them in a replacement (the prompt shows them)", async () => {
    const i = await input();
    const comments = TEXT.slice(TEXT.indexOf("# Application logs."), i.target.start);
    const newText = `${comments}resource "aws_s3_bucket" "logs" {\n  bucket = "changed"\n}`;
    const result = applyProposal(i, proposal([{ action: "replace_block", address: "aws_s3_bucket.logs", file: "main.tf", new_text: newText }]));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const after = result.files[0]!.after;
    expect(after.split("# Application logs.")).toHaveLength(2);
    expect(after).toContain(`${comments}resource "aws_s3_bucket" "logs" {\n  bucket = "changed"\n}`);
  });

  it("keeps CRLF line endings and inserts after a trailing comment on the closing line", async () => {
    const text = `resource "aws_s3_bucket" "logs" {\r\n  bucket = "a"\r\n} # keep me\r\n\r\noutput "x" {\r\n  value = 1\r\n}\r\n`;
    const i = await inputFor("main.tf", text, "aws_s3_bucket.logs");
    const result = applyProposal(i, proposal([{ action: "insert_after", address: "aws_s3_bucket.logs", file: "main.tf", new_text: 'resource "a" "b" {\n  c = 1\n}\n' }]));
    expect(result.ok ? result.files[0]!.after : "").toBe(
      `resource "aws_s3_bucket" "logs" {\r\n  bucket = "a"\r\n} # keep me\r\n\r\nresource "a" "b" {\r\n  c = 1\r\n}\r\n\r\noutput "x" {\r\n  value = 1\r\n}\r\n`,
    );
  });
});

describe("reindent", () => {
  it.each([
    ["  a {\n    b = 1\n  }\n", "", "\n", "a {\n  b = 1\n}"],
    ["a {\n  b = 1\n}", "  ", "\n", "a {\n    b = 1\n  }"],
    ["\n\na {\n\n  b = 1   \n}\n\n", "", "\r\n", "a {\r\n\r\n  b = 1\r\n}"],
  ])("reindent(%j, %j)", (text, indent, eol, expected) => {
    expect(reindent(text, indent, eol)).toBe(expected);
  });
});

describe("localAddress", () => {
  it.each([
    ["aws_s3_bucket.logs", "aws_s3_bucket.logs"],
    ["module.logs.aws_s3_bucket.this", "aws_s3_bucket.this"],
    ["module.a.module.b.data.aws_iam_policy_document.p", "data.aws_iam_policy_document.p"],
    ["module.vpc", "module.vpc"],
  ])("%s -> %s", (address, expected) => {
    expect(localAddress(address)).toBe(expected);
  });
});
