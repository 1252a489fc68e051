import { PartialString, UNKNOWN, isObjectValue, type Value } from "./values.js";

/** Operators and traversals of the expression evaluator, over partially known values. */
export function unescape(raw: string): string {
  return raw.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" } as Record<string, string>)[c] ?? c;
  });
}

export function getAttr(value: Value, name: string): Value {
  if (isObjectValue(value)) return value[name] ?? UNKNOWN;
  return UNKNOWN;
}

export function getIndex(value: Value, key: Value): Value {
  if (Array.isArray(value) && typeof key === "number") return value[key] ?? UNKNOWN;
  if (isObjectValue(value) && (typeof key === "string" || typeof key === "number")) return value[String(key)] ?? UNKNOWN;
  return UNKNOWN;
}

export function applyBinary(op: string, left: Value, right: Value): Value {
  if (op === "==" || op === "!=") {
    if (left === UNKNOWN || right === UNKNOWN || left instanceof PartialString || right instanceof PartialString) return UNKNOWN;
    const eq = JSON.stringify(left) === JSON.stringify(right);
    return op === "==" ? eq : !eq;
  }
  if (op === "&&" || op === "||") {
    if (typeof left !== "boolean" || typeof right !== "boolean") return UNKNOWN;
    return op === "&&" ? left && right : left || right;
  }
  const l = typeof left === "string" && left.trim() !== "" ? Number(left) : left;
  const r = typeof right === "string" && right.trim() !== "" ? Number(right) : right;
  if (typeof l !== "number" || typeof r !== "number" || Number.isNaN(l) || Number.isNaN(r)) return UNKNOWN;
  switch (op) {
    case "+":
      return l + r;
    case "-":
      return l - r;
    case "*":
      return l * r;
    case "/":
      return r === 0 ? UNKNOWN : l / r;
    case "%":
      return r === 0 ? UNKNOWN : l % r;
    case "<":
      return l < r;
    case ">":
      return l > r;
    case "<=":
      return l <= r;
    default:
      return l >= r;
  }
}
