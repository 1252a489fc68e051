import { LexError, scanInterpolation, tokenize, type Token } from "./expr-lexer.js";
import { callFunction } from "./functions.js";
import { applyBinary, getAttr, getIndex, unescape } from "./expr-ops.js";
import { UNKNOWN, concatValues, type Value } from "./values.js";

/**
 * A small evaluator for the part of HCL expressions that decides resource names: references,
 * templates, function calls, collections, conditionals and arithmetic. Anything else evaluates
 * to UNKNOWN; evaluation never throws.
 */
export interface EvalContext {
  /** Value of `root.first` (`var.env`, `local.tags`, `each.key`, `aws_s3_bucket.logs`); undefined when unknown. */
  ref(root: string, first: string): Value | undefined;
}

const MAX_DEPTH = 40;

/** Evaluates a hcl2json value: strings are templates, collections are evaluated member by member. */
export function evaluateJson(raw: unknown, ctx: EvalContext, depth = 0): Value {
  if (typeof raw === "string") return evaluateTemplate(raw, ctx, depth);
  if (raw === null || typeof raw === "number" || typeof raw === "boolean") return raw;
  if (Array.isArray(raw)) return raw.map((v) => evaluateJson(v, ctx, depth));
  if (typeof raw === "object") {
    const out: { [key: string]: Value } = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) out[k] = evaluateJson(v, ctx, depth);
    return out;
  }
  return UNKNOWN;
}

/** Evaluates template text (`logs-${var.env}`); a lone `${expr}` keeps the expression's type. */
export function evaluateTemplate(text: string, ctx: EvalContext, depth = 0): Value {
  if (depth > MAX_DEPTH) return UNKNOWN;
  if (!text.includes("${") && !text.includes("%{")) return text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
  const parts: Value[] = [];
  let literal = "";
  let i = 0;
  try {
    while (i < text.length) {
      const c = text[i];
      if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{") {
        literal += `${c}{`;
        i += 3;
        continue;
      }
      if ((c === "$" || c === "%") && text[i + 1] === "{") {
        const end = scanInterpolation(text, i + 2);
        if (literal !== "") parts.push(literal);
        literal = "";
        // Directives (%{ if }, %{ for }) are not evaluated: the whole template becomes a hole.
        if (c === "%") return UNKNOWN;
        const inner = text.slice(i + 2, end - 1).replace(/^~|~$/g, "");
        parts.push(evaluateExpression(inner, ctx, depth + 1));
        i = end;
        continue;
      }
      literal += c;
      i++;
    }
  } catch {
    return UNKNOWN;
  }
  if (literal !== "") parts.push(literal);
  if (parts.length === 1 && !(typeof parts[0] === "string")) return parts[0] ?? UNKNOWN;
  return concatValues(parts);
}

export function evaluateExpression(src: string, ctx: EvalContext, depth = 0): Value {
  let tokens: Token[];
  try {
    tokens = tokenize(src);
  } catch (error) {
    if (error instanceof LexError) return UNKNOWN;
    throw error;
  }
  const parser = new ExprParser(tokens, ctx, depth);
  try {
    const value = parser.expression();
    return parser.done() ? value : UNKNOWN;
  } catch (error) {
    if (error instanceof ParseFailure) return UNKNOWN;
    throw error;
  }
}

class ParseFailure extends Error {}

/** Terraform converts the strings "true" and "false" to bool where one is expected (a tfvars `x = "false"`). */
function asBool(value: Value): boolean | undefined {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  return undefined;
}

const BINARY: readonly (readonly string[])[] = [["||"], ["&&"], ["==", "!="], ["<", ">", "<=", ">="], ["+", "-"], ["*", "/", "%"]];

class ExprParser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly ctx: EvalContext,
    private readonly depth: number,
  ) {}

  done(): boolean {
    return this.pos >= this.tokens.length;
  }
  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  private isOp(v: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.t === "op" && t.v === v;
  }
  private expect(v: string): void {
    if (!this.isOp(v)) throw new ParseFailure(`expected ${v}`);
    this.pos++;
  }

  expression(): Value {
    const cond = this.binary(0);
    if (!this.isOp("?")) return cond;
    this.pos++;
    const yes = this.expression();
    this.expect(":");
    const no = this.expression();
    const test = asBool(cond);
    if (test === true) return yes;
    if (test === false) return no;
    return JSON.stringify(yes) === JSON.stringify(no) && typeof yes !== "symbol" ? yes : UNKNOWN;
  }

  private binary(level: number): Value {
    const ops = BINARY[level];
    if (ops === undefined) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t?.t !== "op" || !ops.includes(t.v)) return left;
      this.pos++;
      const right = this.binary(level + 1);
      left = applyBinary(t.v, left, right);
    }
  }

  private unary(): Value {
    if (this.isOp("!")) {
      this.pos++;
      const v = asBool(this.unary());
      return v === undefined ? UNKNOWN : !v;
    }
    if (this.isOp("-")) {
      this.pos++;
      const v = this.unary();
      return typeof v === "number" ? -v : UNKNOWN;
    }
    return this.postfix(this.primary());
  }

  private postfix(base: Value): Value {
    let value = base;
    for (;;) {
      if (this.isOp(".")) {
        this.pos++;
        const t = this.peek();
        this.pos++;
        if (t?.t === "id") value = getAttr(value, t.v);
        else if (t?.t === "num") value = getIndex(value, t.v);
        else if (t?.t === "op" && t.v === "*") value = UNKNOWN;
        else throw new ParseFailure("bad attribute");
      } else if (this.isOp("[")) {
        this.pos++;
        if (this.isOp("*")) {
          this.pos++;
          this.expect("]");
          value = UNKNOWN;
          continue;
        }
        const key = this.expression();
        this.expect("]");
        value = getIndex(value, key);
      } else return value;
    }
  }

  private primary(): Value {
    const t = this.peek();
    if (t === undefined) throw new ParseFailure("unexpected end");
    this.pos++;
    switch (t.t) {
      case "num":
        return t.v;
      case "str":
        return evaluateTemplate(unescape(t.v), this.ctx, this.depth + 1);
      case "heredoc":
        return evaluateTemplate(t.v, this.ctx, this.depth + 1);
      case "id":
        return this.identifier(t.v);
      case "op":
        if (t.v === "(") {
          const v = this.expression();
          this.expect(")");
          return v;
        }
        if (t.v === "[") return this.tuple();
        if (t.v === "{") return this.object();
        throw new ParseFailure(`unexpected ${t.v}`);
    }
  }

  private identifier(name: string): Value {
    if (name === "true") return true;
    if (name === "false") return false;
    if (name === "null") return null;
    if (this.isOp("(")) {
      this.pos++;
      const args: Value[] = [];
      let expand = false;
      while (!this.isOp(")")) {
        args.push(this.expression());
        if (this.isOp("...")) {
          this.pos++;
          expand = true;
        }
        if (this.isOp(",")) this.pos++;
        else if (!this.isOp(")")) throw new ParseFailure("bad call");
      }
      this.pos++;
      const last = args[args.length - 1];
      if (expand) {
        if (!Array.isArray(last)) return UNKNOWN;
        args.splice(args.length - 1, 1, ...last);
      }
      return callFunction(name.replace(/^provider::[^:]+::/, ""), args);
    }
    if (!this.isOp(".")) return UNKNOWN;
    this.pos++;
    const first = this.peek();
    if (first?.t !== "id") throw new ParseFailure("bad reference");
    this.pos++;
    return this.ctx.ref(name, first.v) ?? UNKNOWN;
  }

  private tuple(): Value[] | typeof UNKNOWN {
    if (this.isOp("]")) {
      this.pos++;
      return [];
    }
    if (this.peek()?.t === "id" && (this.peek() as { v: string }).v === "for") return this.skipTo("]");
    const items: Value[] = [];
    while (!this.isOp("]")) {
      items.push(this.expression());
      if (this.isOp(",")) this.pos++;
    }
    this.pos++;
    return items;
  }

  private object(): Value {
    if (this.peek()?.t === "id" && (this.peek() as { v: string }).v === "for") return this.skipTo("}");
    const out: { [key: string]: Value } = {};
    while (!this.isOp("}")) {
      const t = this.peek();
      let key: Value;
      if (t?.t === "id" && (this.isOp("=", 1) || this.isOp(":", 1))) {
        key = t.v;
        this.pos++;
      } else key = this.expression();
      if (this.isOp("=") || this.isOp(":")) this.pos++;
      else throw new ParseFailure("bad object");
      const value = this.expression();
      // A key only a plan knows (`"kubernetes.io/cluster/${local.name}"`) is left out: the
      // object keeps the keys the code fixes, which is what names and tag conflicts use.
      if (typeof key === "string") out[key] = value;
      if (this.isOp(",")) this.pos++;
    }
    this.pos++;
    return out;
  }

  /** Skips a `for` expression up to its matching closer; its result is not evaluated. */
  private skipTo(closer: "]" | "}"): typeof UNKNOWN {
    let depth = 1;
    while (this.pos < this.tokens.length) {
      const t = this.tokens[this.pos++];
      if (t?.t !== "op") continue;
      if (t.v === "[" || t.v === "{" || t.v === "(") depth++;
      if (t.v === "]" || t.v === "}" || t.v === ")") depth--;
      if (depth === 0) {
        if (t.v !== closer) throw new ParseFailure("unbalanced");
        return UNKNOWN;
      }
    }
    throw new ParseFailure("unterminated for");
  }
}

