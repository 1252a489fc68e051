import type { TextEdit } from "../domain/change.js";
import { unwrapInterpolation } from "./canonical.js";
import type { HclAttribute, HclBlock } from "./parse.js";

/**
 * Surgical edits of HCL source, modelled on hclwrite (shared/reference/services.md §3.3): every
 * helper returns TextEdits on exact ranges and never rewrites a byte it does not have to. New code
 * is indented like its surroundings and laid out the way `terraform fmt` would leave it, so the
 * fmt gate passes: an attribute appended to an aligned group is padded to the group's `=` column,
 * and one that would widen the group starts its own group after a blank line (hclwrite aligns
 * only runs of consecutive single-line attributes). Values are written as fmt writes them
 * (canonical.ts: an interpolation-only string copied from the repository is unwrapped). The text
 * of every edit uses `\n`; rules.ts converts it to the file's line ending, and offsets here stop
 * before a `\r\n` so CRLF files stay CRLF.
 */

/** A new block or attribute to render: attributes first (aligned), then nested blocks. */
export interface NewBlock {
  type: string;
  labels?: readonly string[];
  attributes?: readonly (readonly [name: string, valueText: string])[];
  blocks?: readonly NewBlock[];
}

/** The file's indentation unit, guessed from a nested line; two spaces by default (terraform fmt). */
export function indentUnit(text: string, block: HclBlock): string {
  const first = block.attributes[0]?.span ?? block.blocks[0]?.span;
  if (first === undefined) return "  ";
  const lineStart = text.lastIndexOf("\n", first.start - 1) + 1;
  const lead = text.slice(lineStart, first.start);
  if (/^[ \t]+$/.test(lead) && lead.length > block.indent.length && lead.startsWith(block.indent)) return lead.slice(block.indent.length);
  return "  ";
}

/** Renders a block at `indent`, with `unit` per nesting level and aligned `=` signs. */
export function renderBlock(block: NewBlock, indent: string, unit: string): string {
  const header = [block.type, ...(block.labels ?? []).map((l) => JSON.stringify(l))].join(" ");
  const lines: string[] = [`${indent}${header} {`];
  const attrs = block.attributes ?? [];
  const width = Math.max(0, ...attrs.filter(([, v]) => !v.includes("\n")).map(([n]) => n.length));
  for (const [name, value] of attrs) {
    const pad = value.includes("\n") ? "" : " ".repeat(width - name.length);
    lines.push(`${indent}${unit}${name}${pad} = ${reindent(unwrapInterpolation(value), indent + unit)}`);
  }
  for (const nested of block.blocks ?? []) lines.push(renderBlock(nested, indent + unit, unit));
  lines.push(`${indent}}`);
  return lines.join("\n");
}

/** Indents the continuation lines of a multi-line value (a rendered map or list). */
function reindent(value: string, indent: string): string {
  return value.replace(/\n/g, `\n${indent}`);
}

/** Offset of the end of the line holding `offset` (before its `\n` or `\r\n`), so trailing comments stay put. */
function endOfLine(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  if (nl === -1) return text.length;
  return nl > offset && text[nl - 1] === "\r" ? nl - 1 : nl;
}

/** Offset of the start of the line after the one holding `offset` (the text's end on the last line). */
function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl === -1 ? text.length : nl + 1;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

interface BodyItem {
  start: number;
  end: number;
  startLine: number;
  endLine: number;
  attribute?: HclAttribute;
}

function bodyItems(block: HclBlock): BodyItem[] {
  const items: BodyItem[] = [
    ...block.attributes.map((a) => ({ ...a.span, attribute: a })),
    ...block.blocks.map((b) => ({ ...b.span })),
  ];
  return items.sort((a, b) => a.start - b.start);
}

/** Replaces an attribute's value expression. */
export function replaceAttributeValue(attribute: HclAttribute, valueText: string): TextEdit {
  return { start: attribute.valueSpan.start, end: attribute.valueSpan.end, text: unwrapInterpolation(valueText) };
}

/** Sets an attribute: replaces its value when present, else appends it at the end of the body. */
export function setAttribute(text: string, block: HclBlock, name: string, value: string): TextEdit {
  const valueText = unwrapInterpolation(value);
  const existing = block.attributes.find((a) => a.name === name);
  if (existing !== undefined) return replaceAttributeValue(existing, valueText);
  const unit = indentUnit(text, block);
  const childIndent = block.indent + unit;
  const items = bodyItems(block);
  const last = items[items.length - 1];
  if (last === undefined) return fillEmptyBody(text, block, `${childIndent}${name} = ${reindent(valueText, childIndent)}`);
  const at = endOfLine(text, last.end);
  const width = alignedGroupWidth(items);
  if (last.attribute !== undefined && width !== undefined && name.length <= width && !valueText.includes("\n")) {
    return { start: at, end: at, text: `\n${childIndent}${name.padEnd(width)} = ${reindent(valueText, childIndent)}` };
  }
  const separator = last.attribute !== undefined && last.startLine === last.endLine ? "\n" : "";
  return { start: at, end: at, text: `${separator}\n${childIndent}${name} = ${reindent(valueText, childIndent)}` };
}

/**
 * Sets several attributes at once: present ones get their value replaced; missing ones are
 * appended as one run, aligned with the body's last run when they fit its `=` column, else as a
 * run of their own after a blank line.
 */
export function setAttributes(text: string, block: HclBlock, values: readonly (readonly [string, string])[]): TextEdit[] {
  const edits: TextEdit[] = [];
  const missing: (readonly [string, string])[] = [];
  for (const [name, raw] of values) {
    const value = unwrapInterpolation(raw);
    const existing = block.attributes.find((a) => a.name === name);
    if (existing !== undefined) edits.push(replaceAttributeValue(existing, value));
    else missing.push([name, value]);
  }
  if (missing.length === 0) return edits;
  if (missing.length === 1 || missing.some(([, v]) => v.includes("\n"))) {
    // Multi-line values start their own run each; the first decides the separator, the rest follow it.
    const [first, ...rest] = missing;
    if (first === undefined) return edits;
    const head = setAttribute(text, block, first[0], first[1]);
    const childIndent = block.indent + indentUnit(text, block);
    const tail = rest.map(([n, v]) => `\n${childIndent}${n} = ${reindent(v, childIndent)}`).join("");
    return [...edits, { ...head, text: head.start === block.bodySpan.start && head.end === block.bodySpan.end ? head.text.replace(/\n[ \t]*$/, `${tail}$&`) : head.text + tail }];
  }
  const unit = indentUnit(text, block);
  const childIndent = block.indent + unit;
  const items = bodyItems(block);
  const last = items[items.length - 1];
  const ownWidth = Math.max(...missing.map(([n]) => n.length));
  const render = (width: number): string => missing.map(([n, v]) => `${childIndent}${n.padEnd(width)} = ${v}`).join("\n");
  if (last === undefined) return [...edits, fillEmptyBody(text, block, render(ownWidth))];
  const at = endOfLine(text, last.end);
  const width = alignedGroupWidth(items);
  if (last.attribute !== undefined && width !== undefined && ownWidth <= width) return [...edits, { start: at, end: at, text: `\n${render(width)}` }];
  const separator = last.attribute !== undefined && last.startLine === last.endLine ? "\n" : "";
  return [...edits, { start: at, end: at, text: `${separator}\n${render(ownWidth)}` }];
}

/**
 * The `=` column width of the run of single-line attributes that ends the body, as terraform fmt
 * aligns it; undefined when the body does not end with such a run.
 */
function alignedGroupWidth(items: readonly BodyItem[]): number | undefined {
  let width: number | undefined;
  let nextLine: number | undefined;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item?.attribute === undefined || item.startLine !== item.endLine) break;
    if (nextLine !== undefined && item.endLine !== nextLine - 1) break;
    width = Math.max(width ?? 0, item.attribute.name.length);
    nextLine = item.startLine;
  }
  return width;
}

/** Puts content into a block whose body is empty (`{}` or `{\n}`). */
function fillEmptyBody(_text: string, block: HclBlock, content: string): TextEdit {
  return { start: block.bodySpan.start, end: block.bodySpan.end, text: `\n${content}\n${block.indent}` };
}

/** Removes an attribute with its whole line (and trailing comment) when it sits on its own line. */
export function removeAttribute(text: string, attribute: HclAttribute): TextEdit {
  return removeLines(text, attribute.span.start, attribute.span.end);
}

/**
 * Removes attributes and re-pads the `=` of the run they were part of, as terraform fmt would
 * (removing the widest name of an aligned run narrows its column).
 */
export function removeAttributes(text: string, block: HclBlock, names: ReadonlySet<string>): TextEdit[] {
  const edits: TextEdit[] = [];
  const items = bodyItems(block);
  // Runs of consecutive single-line attributes, counting removed lines as still joining their neighbours.
  const runs: BodyItem[][] = [];
  let run: BodyItem[] = [];
  let lastLine = -2;
  for (const item of items) {
    const single = item.attribute !== undefined && item.startLine === item.endLine;
    if (!single || item.startLine !== lastLine + 1) {
      if (run.length > 0) runs.push(run);
      run = [];
    }
    if (single) run.push(item);
    lastLine = single ? item.endLine : -2;
  }
  if (run.length > 0) runs.push(run);
  for (const attr of block.attributes) if (names.has(attr.name)) edits.push(removeAttribute(text, attr));
  for (const r of runs) {
    if (!r.some((i) => names.has(i.attribute?.name ?? ""))) continue;
    const kept = r.filter((i) => !names.has(i.attribute?.name ?? ""));
    const width = Math.max(0, ...kept.map((i) => i.attribute?.name.length ?? 0));
    for (const item of kept) {
      const attr = item.attribute;
      if (attr === undefined) continue;
      const nameEnd = attr.span.start + attr.name.length;
      const eq = text.indexOf("=", nameEnd);
      const pad = " ".repeat(width - attr.name.length + 1);
      if (eq > 0 && text.slice(nameEnd, eq) !== pad) edits.push({ start: nameEnd, end: eq, text: pad });
    }
  }
  return edits;
}

/** Appends a nested block at the end of a block's body, after a blank line when the body has content. */
export function addNestedBlock(text: string, block: HclBlock, nested: NewBlock): TextEdit {
  const unit = indentUnit(text, block);
  const rendered = renderBlock(nested, block.indent + unit, unit);
  const items = bodyItems(block);
  const last = items[items.length - 1];
  if (last === undefined) return fillEmptyBody(text, block, rendered);
  const at = endOfLine(text, last.end);
  return { start: at, end: at, text: `\n\n${rendered}` };
}

/** Replaces a nested block with a new one at the same place and indentation. */
export function replaceNestedBlock(text: string, block: HclBlock, nested: NewBlock): TextEdit {
  const unit = indentUnit(text, block);
  return { start: block.span.start, end: block.span.end, text: renderBlock(nested, block.indent, unit).slice(block.indent.length) };
}

/** Inserts a new top-level block right after `target`, separated by one blank line. */
export function insertBlockAfter(text: string, target: HclBlock, block: NewBlock): TextEdit {
  const unit = indentUnit(text, target);
  const at = endOfLine(text, target.span.end);
  return { start: at, end: at, text: `\n\n${renderBlock(block, target.indent, unit)}` };
}

/**
 * Removes a (nested or top-level) block with its lines and the comment lines directly above it
 * (they describe the block), leaving no doubled blank line behind.
 */
export function removeBlock(text: string, block: HclBlock): TextEdit {
  let start = block.span.start;
  const blockLine = lineStartOf(text, start);
  if (/^[ \t]*$/.test(text.slice(blockLine, start))) {
    let line = blockLine;
    while (line > 0) {
      const prev = lineStartOf(text, line - 1);
      if (!/^[ \t]*(#|\/\/)/.test(text.slice(prev, line - 1))) break;
      line = prev;
    }
    if (line < blockLine) start = line + (/^[ \t]*/.exec(text.slice(line))?.[0].length ?? 0);
  }
  return removeLines(text, start, block.span.end);
}

/**
 * Removes [start, end) with the rest of its lines when nothing else shares them, plus one
 * neighbouring blank line when the removal would leave two blank lines or a blank line before `}`.
 */
function removeLines(text: string, start: number, end: number): TextEdit {
  const lineStart = lineStartOf(text, start);
  const lineEnd = endOfLine(text, end);
  const before = text.slice(lineStart, start);
  const after = text.slice(end, lineEnd);
  if (!/^[ \t]*$/.test(before) || !/^[ \t]*(#.*|\/\/.*)?$/.test(after)) return { start, end, text: "" };
  let from = lineStart;
  let to = nextLineStart(text, end);
  const prevBlank = from >= 2 && /\n[ \t]*\r?\n$/.test(text.slice(0, from));
  const rest = text.slice(to);
  const nextBlank = /^[ \t]*\r?\n/.test(rest);
  const nextClose = /^[ \t]*\}/.test(rest);
  if (prevBlank && (nextBlank || nextClose || rest === "")) from = text.lastIndexOf("\n", from - 2) + 1;
  else if (nextBlank && /\{[ \t]*\r?\n$/.test(text.slice(0, from))) to = nextLineStart(text, to);
  return { start: from, end: to, text: "" };
}

/** Renders an HCL string literal. */
export function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, () => "$${").replace(/%\{/g, "%%{");
}
