import { describe, expect, it } from "vitest";
import { applyEdits } from "../../src/domain/change.js";
import {
  addNestedBlock,
  hclString,
  indentUnit,
  insertBlockAfter,
  removeAttribute,
  removeAttributes,
  removeBlock,
  renderBlock,
  replaceNestedBlock,
  setAttribute,
  setAttributes,
} from "../../src/terraform/edit.js";
import { parseHclFile, type HclBlock } from "../../src/terraform/parse.js";

async function first(text: string): Promise<HclBlock> {
  const file = await parseHclFile("t.tf", text);
  const block = file.blocks[0];
  if (block === undefined) throw new Error("no block");
  return block;
}

describe("edit helpers", () => {
  it.each([
    ["appends to an aligned run, padded", 'resource "a" "b" {\n  name   = "x"\n  engine = "y"\n}\n', "size", "1", 'resource "a" "b" {\n  name   = "x"\n  engine = "y"\n  size   = 1\n}\n'],
    ["starts its own run when the name is wider", 'resource "a" "b" {\n  name = "x"\n}\n', "encrypted", "true", 'resource "a" "b" {\n  name = "x"\n\n  encrypted = true\n}\n'],
    ["replaces an existing value only", 'resource "a" "b" {\n  enabled = false # why\n}\n', "enabled", "true", 'resource "a" "b" {\n  enabled = true # why\n}\n'],
    ["keeps a trailing comment on the last line", 'resource "a" "b" {\n  name = "x" # c\n}\n', "id", "1", 'resource "a" "b" {\n  name = "x" # c\n  id   = 1\n}\n'],
    ["fills an empty body", 'resource "a" "b" {}\n', "enabled", "true", 'resource "a" "b" {\n  enabled = true\n}\n'],
    ["follows a nested block", 'resource "a" "b" {\n  x {\n    y = 1\n  }\n}\n', "z", "2", 'resource "a" "b" {\n  x {\n    y = 1\n  }\n  z = 2\n}\n'],
    ["uses the file's indentation", 'resource "a" "b" {\n    name = "x"\n}\n', "id", "1", 'resource "a" "b" {\n    name = "x"\n    id   = 1\n}\n'],
  ])("setAttribute %s", async (_name, text, attr, value, expected) => {
    const block = await first(text);
    expect(applyEdits(text, [setAttribute(text, block, attr, value)])).toBe(expected);
  });

  it("sets several attributes as one aligned run", async () => {
    const text = 'resource "a" "b" {\n  name = "x"\n  min  = 1\n}\n';
    const block = await first(text);
    expect(applyEdits(text, setAttributes(text, block, [["min", "14"], ["require_numbers", "true"], ["max_age", "90"]]))).toBe(
      'resource "a" "b" {\n  name = "x"\n  min  = 14\n\n  require_numbers = true\n  max_age         = 90\n}\n',
    );
    expect(applyEdits(text, setAttributes(text, block, [["a", "1"], ["bc", "2"]]))).toBe('resource "a" "b" {\n  name = "x"\n  min  = 1\n  a    = 1\n  bc   = 2\n}\n');
    const empty = 'module "m" {}\n';
    const m = await first(empty);
    expect(applyEdits(empty, setAttributes(empty, m, [["x", "{\n  a = 1\n}"], ["y", "2"]]))).toBe('module "m" {\n  x = {\n    a = 1\n  }\n  y = 2\n}\n');
  });

  it("adds, replaces and removes nested blocks", async () => {
    const text = 'resource "a" "b" {\n  name = "x"\n\n  old {\n    k = 1\n  }\n}\n';
    const block = await first(text);
    const nested = block.blocks[0] as HclBlock;
    expect(applyEdits(text, [addNestedBlock(text, block, { type: "p", attributes: [["enabled", "true"]] })])).toBe(
      'resource "a" "b" {\n  name = "x"\n\n  old {\n    k = 1\n  }\n\n  p {\n    enabled = true\n  }\n}\n',
    );
    expect(applyEdits(text, [replaceNestedBlock(text, nested, { type: "new", attributes: [["k", "2"]] })])).toBe('resource "a" "b" {\n  name = "x"\n\n  new {\n    k = 2\n  }\n}\n');
    expect(applyEdits(text, [removeBlock(text, nested)])).toBe('resource "a" "b" {\n  name = "x"\n}\n');
    const empty = 'resource "a" "b" {\n}\n';
    expect(applyEdits(empty, [addNestedBlock(empty, await first(empty), { type: "p" })])).toBe('resource "a" "b" {\n  p {\n  }\n}\n');
  });

  it("inserts a top-level block right after the target, keeping a trailing comment", async () => {
    const text = 'resource "a" "b" {\n  name = "x"\n} # end\n\nresource "c" "d" {}\n';
    const block = await first(text);
    const edit = insertBlockAfter(text, block, { type: "resource", labels: ["e", "f"], attributes: [["bucket", "a.b.id"]] });
    expect(applyEdits(text, [edit])).toBe('resource "a" "b" {\n  name = "x"\n} # end\n\nresource "e" "f" {\n  bucket = a.b.id\n}\n\nresource "c" "d" {}\n');
  });

  it("removes attributes and re-pads the run they left", async () => {
    const text = 'resource "a" "b" {\n  from_port        = 1\n  ipv6_cidr_blocks = ["::/0"]\n  protocol         = "tcp" # c\n\n  other = 1\n}\n';
    const block = await first(text);
    expect(applyEdits(text, removeAttributes(text, block, new Set(["ipv6_cidr_blocks"])))).toBe(
      'resource "a" "b" {\n  from_port = 1\n  protocol  = "tcp" # c\n\n  other = 1\n}\n',
    );
    const attr = block.attributes.find((a) => a.name === "other");
    expect(applyEdits(text, [removeAttribute(text, attr!)])).toBe('resource "a" "b" {\n  from_port        = 1\n  ipv6_cidr_blocks = ["::/0"]\n  protocol         = "tcp" # c\n}\n');
  });

  it("removes only the expression when something else shares its line", async () => {
    const text = 'resource "a" "b" { name = "x" }\n';
    const block = await first(text);
    const attr = block.attributes[0]!;
    expect(removeAttribute(text, attr)).toEqual({ start: attr.span.start, end: attr.span.end, text: "" });
  });

  it("removes a block between blank lines without leaving two", async () => {
    const text = 'resource "a" "b" {\n  x = 1\n\n  y {\n  }\n\n  z = 2\n}\n';
    const block = await first(text);
    expect(applyEdits(text, [removeBlock(text, block.blocks[0]!)])).toBe('resource "a" "b" {\n  x = 1\n\n  z = 2\n}\n');
    const leading = 'resource "a" "b" {\n  y {\n  }\n\n  z = 2\n}\n';
    expect(applyEdits(leading, [removeBlock(leading, (await first(leading)).blocks[0]!)])).toBe('resource "a" "b" {\n  z = 2\n}\n');
  });

  it("removes the comment lines that describe a removed block", async () => {
    const text = 'resource "a" "b" {\n  x = 1\n\n  # SSH from anywhere\n  // (temporary)\n  y {\n  }\n}\n\n# keep\n\nresource "c" "d" {}\n';
    const file = await parseHclFile("t.tf", text);
    expect(applyEdits(text, [removeBlock(text, file.blocks[0]!.blocks[0]!)])).toBe('resource "a" "b" {\n  x = 1\n}\n\n# keep\n\nresource "c" "d" {}\n');
    expect(applyEdits(text, [removeBlock(text, file.blocks[1]!)])).toBe('resource "a" "b" {\n  x = 1\n\n  # SSH from anywhere\n  // (temporary)\n  y {\n  }\n}\n\n# keep\n');
  });

  it("renders blocks with aligned attributes and multi-line values", () => {
    expect(renderBlock({ type: "resource", labels: ["t", "n"], attributes: [["a", "1"], ["long_name", "2"], ["m", "{\n  k = 1\n}"]], blocks: [{ type: "x" }] }, "", "  ")).toBe(
      'resource "t" "n" {\n  a         = 1\n  long_name = 2\n  m = {\n    k = 1\n  }\n  x {\n  }\n}',
    );
  });

  it("escapes template sequences in strings", () => {
    expect(hclString('a${b}%{c}"')).toBe('"a$${b}%%{c}\\""');
  });

  it("guesses two spaces when a block has no body", async () => {
    const text = 'resource "a" "b" {}\n';
    expect(indentUnit(text, await first(text))).toBe("  ");
    const tabbed = 'resource "a" "b" {\n\tx = 1\n}\n';
    expect(indentUnit(tabbed, await first(tabbed))).toBe("\t");
  });
});
