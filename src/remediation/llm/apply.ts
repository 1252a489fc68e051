import { applyEdits, type FileChange, type TextEdit } from "../../domain/change.js";
import type { LlmBlockRef, LlmFixInput } from "./input.js";
import { leadingCommentStart } from "./prompt.js";
import type { Proposal, ProposalEdit } from "./schema.js";

export type ApplyResult = { ok: true; files: FileChange[] } | { ok: false; problems: string[] };

/**
 * Applies a validated proposal to the ORIGINAL files: a replacement covers the exact span of the
 * addressed block, an insertion goes after the end of the block's last line; every other byte is
 * kept. Model text is re-indented to the block's column and gets the file's line endings.
 * Anything that cannot be applied exactly is reported (all problems at once, for the feedback
 * turn) instead of guessed at.
 */
export function applyProposal(input: LlmFixInput, proposal: Proposal): ApplyResult {
  const editable = new Map<string, LlmBlockRef>();
  for (const block of [input.target, ...input.referencing]) editable.set(block.address, block);
  const readOnly = new Set(input.referenced.map((b) => b.address));

  const problems: string[] = [];
  const editsByFile = new Map<string, TextEdit[]>();
  const replaced = new Set<string>();
  proposal.edits.forEach((edit, index) => {
    const where = `edit ${index + 1} (${edit.action} ${edit.address})`;
    const block = editable.get(edit.address);
    if (block === undefined) {
      problems.push(
        readOnly.has(edit.address)
          ? `${where}: ${edit.address} is read-only context; editable blocks are ${[...editable.keys()].join(", ")}`
          : `${where}: unknown block address ${edit.address}; editable blocks are ${[...editable.keys()].join(", ")}`,
      );
      return;
    }
    if (normalisePath(edit.file) !== block.file) {
      problems.push(`${where}: ${edit.address} is in ${block.file}, not ${edit.file}`);
      return;
    }
    const text = input.files[block.file];
    if (text === undefined) {
      problems.push(`${where}: file ${block.file} is not available`);
      return;
    }
    const problem = checkNewText(edit, block);
    if (problem !== undefined) {
      problems.push(`${where}: ${problem}`);
      return;
    }
    if (edit.action === "replace_block") {
      if (replaced.has(edit.address)) {
        problems.push(`${where}: ${edit.address} is replaced more than once; merge the replacements into one edit`);
        return;
      }
      replaced.add(edit.address);
    }
    const eol = text.includes("\r\n") ? "\r\n" : "\n";
    const indent = block.indent ?? "";
    const newText = edit.action === "replace_block" ? withoutRepeatedComments(edit.new_text, text.slice(leadingCommentStart(text, block.start), block.start)) : edit.new_text;
    const body = reindent(newText, indent, eol);
    const fileEdits = editsByFile.get(block.file) ?? [];
    if (edit.action === "replace_block") {
      fileEdits.push({ start: block.start, end: block.end, text: body });
    } else {
      const at = endOfLine(text, block.end);
      fileEdits.push({ start: at, end: at, text: `${eol}${eol}${indent}${body}` });
    }
    editsByFile.set(block.file, fileEdits);
  });
  if (problems.length > 0) return { ok: false, problems };

  const files: FileChange[] = [];
  for (const [path, edits] of editsByFile) {
    const before = input.files[path] ?? "";
    let after: string;
    try {
      after = applyEdits(before, orderForApply(edits));
    } catch (error) {
      return { ok: false, problems: [`${path}: edits overlap or fall outside the file (${error instanceof Error ? error.message : String(error)})`] };
    }
    if (after !== before) files.push({ path, before, after });
  }
  if (files.length === 0) return { ok: false, problems: ["the edits change nothing: the new text is identical to the original"] };
  return { ok: true, files };
}

/** Replacements before insertions at the same offset, then by position; stable otherwise. */
function orderForApply(edits: TextEdit[]): TextEdit[] {
  return edits
    .map((edit, i) => ({ edit, i }))
    .sort((a, b) => a.edit.start - b.edit.start || (b.edit.end - b.edit.start) - (a.edit.end - a.edit.start) || a.i - b.i)
    .map(({ edit }) => edit);
}

const HEADER = /^\s*(resource|data)\s+"([^"]+)"\s+"([^"]+)"|^\s*(module)\s+"([^"]+)"/;

/** A replacement must keep the block's identity (renaming = removing the resource). */
function checkNewText(edit: ProposalEdit, block: LlmBlockRef): string | undefined {
  if (edit.new_text.trim() === "") return "new_text is empty";
  if (edit.action !== "replace_block") return undefined;
  const header = HEADER.exec(stripLeadingComments(edit.new_text));
  const expected = localAddress(block.address);
  if (header === null) return `new_text must start with the block header of ${expected}`;
  const got = header[1] === "resource" ? `${header[2]}.${header[3]}` : header[1] === "data" ? `data.${header[2]}.${header[3]}` : `module.${header[5]}`;
  if (got !== expected) return `replace_block must keep the block's type and name: expected ${expected}, got ${got}`;
  return undefined;
}

/**
 * The prompt shows a block's leading comments with it, and the replacement covers only the block:
 * when the model echoes those comments at the top of new_text, drop them rather than duplicate.
 */
function withoutRepeatedComments(newText: string, originalComments: string): string {
  if (originalComments.trim() === "") return newText;
  const normalise = (s: string) => s.replace(/\s+/g, " ").trim();
  const stripped = stripLeadingComments(newText.replace(/^\s*\n/, ""));
  const echoed = newText.replace(/^\s*\n/, "").slice(0, newText.replace(/^\s*\n/, "").length - stripped.length);
  return normalise(echoed) === normalise(originalComments) ? stripped : newText;
}

function stripLeadingComments(text: string): string {
  return text.replace(/^(\s*(#|\/\/)[^\n]*\n)+/, "");
}

/** `module.a.module.b.aws_s3_bucket.x` -> `aws_s3_bucket.x`; `module.a.data.t.n` -> `data.t.n`. */
export function localAddress(address: string): string {
  const parts = address.split(".");
  while (parts[0] === "module" && parts.length > 2) parts.splice(0, 2);
  return parts.join(".");
}

/** Dedents the model's text, trims it, and indents every line after the first to the block's column. */
export function reindent(text: string, indent: string, eol: string): string {
  const lines = text.replace(/\r\n/g, "\n").replace(/^\s*\n/, "").replace(/\s+$/, "").split("\n");
  const margins = lines.filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const margin = margins.length === 0 ? 0 : Math.min(...margins);
  return lines
    .map((line, i) => {
      const dedented = line.trim() === "" ? "" : line.slice(margin).replace(/[ \t]+$/, "");
      return i === 0 || dedented === "" ? dedented : indent + dedented;
    })
    .join(eol);
}

function endOfLine(text: string, offset: number): number {
  const newline = text.indexOf("\n", offset);
  if (newline === -1) return text.length;
  return newline > 0 && text[newline - 1] === "\r" ? newline - 1 : newline;
}

function normalisePath(path: string): string {
  return path.replace(/\\/g, "/").replace(/^\.\//, "");
}
