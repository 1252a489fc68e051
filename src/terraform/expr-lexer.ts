/**
 * Tokens of an HCL expression (the text inside `${...}` as hcl2json renders it).
 * Grammar: https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md
 */
export type Token =
  | { t: "num"; v: number }
  | { t: "str"; v: string } // raw template content between quotes (escapes still in place)
  | { t: "heredoc"; v: string }
  | { t: "id"; v: string }
  | { t: "op"; v: string };

const OPS = ["==", "!=", "<=", ">=", "&&", "||", "=>", "...", "(", ")", "[", "]", "{", "}", ",", ".", "=", ":", "?", "!", "+", "-", "*", "/", "%", "<", ">"];

export class LexError extends Error {}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? "";
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "#" || (c === "/" && src[i + 1] === "/")) {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? src.length : end + 2;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(src.slice(i));
      const text = m?.[0] ?? c;
      out.push({ t: "num", v: Number(text) });
      i += text.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
      const text = m?.[0] ?? c;
      out.push({ t: "id", v: text });
      i += text.length;
      continue;
    }
    if (c === '"') {
      const end = scanQuoted(src, i + 1);
      out.push({ t: "str", v: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    if (c === "<" && src[i + 1] === "<") {
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)\r?\n/.exec(src.slice(i));
      if (m) {
        const marker = m[1] ?? "";
        const bodyStart = i + m[0].length;
        const endRe = new RegExp(`^[ \\t]*${marker}[ \\t]*$`, "m");
        const rest = src.slice(bodyStart);
        const em = endRe.exec(rest);
        if (!em) throw new LexError("unterminated heredoc");
        out.push({ t: "heredoc", v: rest.slice(0, em.index).replace(/\r?\n$/, "") });
        i = bodyStart + em.index + em[0].length;
        continue;
      }
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new LexError(`unexpected character ${JSON.stringify(c)}`);
    out.push({ t: "op", v: op });
    i += op.length;
  }
  return out;
}

/** Index of the closing quote of a quoted template starting at `start` (after the opening quote). */
export function scanQuoted(src: string, start: number): number {
  let i = start;
  while (i < src.length) {
    const c = src[i];
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (c === '"') return i;
    if ((c === "$" || c === "%") && src[i + 1] === "{" && src[i - 1] !== c) {
      i = scanInterpolation(src, i + 2);
      continue;
    }
    i++;
  }
  throw new LexError("unterminated string");
}

/** Index just after the `}` closing an interpolation whose content starts at `start`. */
export function scanInterpolation(src: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') {
      i = scanQuoted(src, i + 1) + 1;
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  throw new LexError("unterminated interpolation");
}
