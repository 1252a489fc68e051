import type { TextEdit } from "../domain/change.js";
import type { HclBlock, ParsedFile } from "./parse.js";

/**
 * What `terraform fmt` would leave unchanged, for the code TerraFix writes. Two rewrites matter
 * for copied code: fmt unwraps an attribute value that is one interpolation and nothing else
 * (`"${aws_s3_bucket.logs.id}"` -> `aws_s3_bucket.logs.id`, terraform's `formatValueExpr` in
 * internal/command/fmt.go; only top-level attribute values, not list items or map values), and it
 * aligns the `=` of runs of consecutive single-line attributes (hclwrite format.go, `formatCells`:
 * a comment-only line, a blank line or a multi-line value ends a run). fmt keeps CRLF line
 * endings but strips a UTF-8 BOM, so a BOM is the repository's own and compared without.
 */

const BOM = "\uFEFF";

/** The value as fmt writes it: an interpolation-only string unwrapped, anything else as is. */
export function unwrapInterpolation(value: string): string {
  const text = value.trim();
  if (!text.startsWith('"${') || !text.endsWith('}"')) return value;
  const close = skipInterpolation(text, 3);
  // The interpolation must end exactly before the closing quote: no literal text on either side.
  if (close !== text.length - 1) return value;
  const inner = text.slice(3, close - 1).trim();
  if (inner === "") return value;
  // fmt parenthesises an unwrapped multi-line expression so that it still parses.
  if (inner.includes("\n") && !(inner.startsWith("(") && inner.endsWith(")"))) return `(${inner})`;
  return inner;
}

/** Index just after the `}` that closes an interpolation whose body starts at `from`; -1 if none. */
function skipInterpolation(text: string, from: number): number {
  let depth = 1;
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = skipString(text, i);
      if (i < 0) return -1;
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i + 1;
    i++;
  }
  return -1;
}

/** Index just after the closing quote of the string opening at `from`; -1 if unterminated. */
function skipString(text: string, from: number): number {
  let i = from + 1;
  while (i < text.length) {
    if (text[i] === "\\") i += 2;
    else if (text[i] === '"') return i + 1;
    else if (text.startsWith("$${", i) || text.startsWith("%%{", i)) i += 3;
    else if (text.startsWith("${", i) || text.startsWith("%{", i)) {
      i = skipInterpolation(text, i + 2);
      if (i < 0) return -1;
    } else i++;
  }
  return -1;
}

/** The file's line ending: CRLF when its first line ends with one. */
export function eolOf(text: string): "\n" | "\r\n" {
  const nl = text.indexOf("\n");
  return nl > 0 && text[nl - 1] === "\r" ? "\r\n" : "\n";
}

/** Edits whose new text uses the file's line ending (the helpers write `\n`). */
export function withFileEol(text: string, edits: readonly TextEdit[]): TextEdit[] {
  if (eolOf(text) === "\n") return [...edits];
  return edits.map((e) => ({ ...e, text: e.text.replace(/\r?\n/g, "\r\n") }));
}

/** The text fmt judges: without the BOM it strips anyway. */
export function withoutBom(text: string): { bom: string; body: string } {
  return text.startsWith(BOM) ? { bom: BOM, body: text.slice(1) } : { bom: "", body: text };
}

/**
 * Layout problems fmt would rewrite, found without the terraform binary: `=` alignment of every
 * run of single-line attributes, one space after `=`, interpolation-only values, indentation of
 * nested lines by two spaces, trailing whitespace and mixed line endings. Not all of fmt (it does
 * not re-space expressions); enough to judge the code TerraFix writes.
 */
export function layoutProblems(file: ParsedFile): string[] {
  const problems: string[] = [];
  const { text } = file;
  const lines = text.split("\n");
  const crlf = eolOf(text) === "\r\n";
  lines.forEach((raw, i) => {
    if (i < lines.length - 1 && raw.endsWith("\r") !== crlf) problems.push(`line ${i + 1}: line ending differs from the file's`);
    if (/[ \t]+\r?$/.test(raw)) problems.push(`line ${i + 1}: trailing whitespace`);
  });
  const visit = (block: HclBlock, depth: number): void => {
    const indent = "  ".repeat(depth + 1);
    const items = [...block.attributes.map((a) => ({ span: a.span, attr: a })), ...block.blocks.map((b) => ({ span: b.span, attr: undefined }))].sort((a, b) => a.span.start - b.span.start);
    let run: { name: string; start: number; eq: number; line: number }[] = [];
    const closeRun = (): void => {
      const width = Math.max(0, ...run.map((r) => r.name.length));
      for (const r of run) if (r.eq - r.start !== width + 1) problems.push(`line ${r.line}: "=" of ${r.name} not at the column fmt aligns its run to`);
      run = [];
    };
    let lastLine = -2;
    for (const item of items) {
      const lineStart = text.lastIndexOf("\n", item.span.start - 1) + 1;
      if (text.slice(lineStart, item.span.start) !== indent) problems.push(`line ${item.span.startLine}: indented ${JSON.stringify(text.slice(lineStart, item.span.start))}, fmt indents ${JSON.stringify(indent)}`);
      const attr = item.attr;
      const single = attr !== undefined && item.span.startLine === item.span.endLine;
      if (!single || item.span.startLine !== lastLine + 1) closeRun();
      if (attr !== undefined) {
        const eq = text.indexOf("=", attr.span.start + attr.name.length);
        if (text.slice(eq + 1, attr.valueSpan.start) !== " ") problems.push(`line ${attr.span.startLine}: fmt writes one space after "=" of ${attr.name}`);
        if (unwrapInterpolation(attr.valueText) !== attr.valueText) problems.push(`line ${attr.span.startLine}: ${attr.name} is an interpolation-only string fmt unwraps`);
        if (single) run.push({ name: attr.name, start: attr.span.start, eq, line: attr.span.startLine });
      }
      lastLine = single ? item.span.endLine : -2;
    }
    closeRun();
    for (const nested of block.blocks) visit(nested, depth + 1);
  };
  for (const block of file.blocks) visit(block, 0);
  return problems;
}
