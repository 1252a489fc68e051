import { evaluateJson, type EvalContext } from "./expr.js";
import { isRecord } from "./parse.js";
import { ACCOUNT_HOLE, Hole, PARTITION_HOLE, PartialString, REGION_HOLE, UNKNOWN, UUID_HOLE, escapeRegex, holeValue, isObjectValue, type Value } from "./values.js";

/**
 * What the code says about values only a plan knows: data sources that describe the account,
 * region and partition, the `random_*` resources (alphabet and length from their arguments), and
 * unset variables whose `type` or `validation` constrains them. Each becomes a typed Hole, so a
 * name pattern built from them is specific (`<account id>-acme-dev-data` only matches 12 digits
 * there). Sources: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/caller_identity,
 * .../data-sources/region, .../data-sources/partition, https://registry.terraform.io/providers/hashicorp/random/latest/docs
 */
export function dataSourceObject(type: string): Value | undefined {
  const account = holeValue(ACCOUNT_HOLE);
  const region = holeValue(REGION_HOLE);
  const partition = holeValue(PARTITION_HOLE);
  switch (type) {
    case "aws_caller_identity":
      return { account_id: account, id: account, arn: new PartialString(["arn:", PARTITION_HOLE, ":", UNKNOWN]), user_id: UNKNOWN };
    case "aws_region":
      // `name` is deprecated in favour of `region` in provider v6; both mean the same.
      return { name: region, region, id: region, endpoint: UNKNOWN, description: UNKNOWN };
    case "aws_partition":
      return { partition, id: partition, dns_suffix: UNKNOWN, reverse_dns_prefix: UNKNOWN };
    default:
      return undefined;
  }
}

const LOWER = "a-z";
const UPPER = "A-Z";
const DIGITS = "0-9";
/** random_string's default `override_special`. https://registry.terraform.io/providers/hashicorp/random/latest/docs/resources/string */
const SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

function num(v: Value | undefined): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 1024 ? v : undefined;
}
function flag(v: Value | undefined, fallback: boolean): boolean | undefined {
  if (v === undefined) return fallback;
  return typeof v === "boolean" ? v : undefined;
}
function prefixed(prefix: Value | undefined, hole: Hole): Value {
  if (prefix === undefined || prefix === null || prefix === "") return holeValue(hole);
  if (typeof prefix === "string" || prefix instanceof PartialString) return new PartialString([...(typeof prefix === "string" ? [prefix] : prefix.parts), hole]);
  return UNKNOWN;
}

/** Attributes of a `random_*` resource computed at apply time, as typed holes; undefined for other types. */
export function randomAttributes(type: string, body: Value): Record<string, Value> | undefined {
  const b = isObjectValue(body) ? body : {};
  switch (type) {
    case "random_id": {
      const n = num(b.byte_length);
      if (n === undefined) return { id: UNKNOWN, hex: UNKNOWN, b64_url: UNKNOWN, b64_std: UNKNOWN, dec: UNKNOWN };
      const b64 = Math.ceil((4 * n) / 3);
      const hex = new Hole("random", `[0-9a-f]{${2 * n}}`, `<random_id hex ${2 * n}>`);
      const url = new Hole("random", `[A-Za-z0-9_-]{${b64}}`, `<random_id b64 ${b64}>`);
      return {
        id: holeValue(url),
        hex: prefixed(b.prefix, hex),
        b64_url: prefixed(b.prefix, url),
        b64_std: prefixed(b.prefix, new Hole("random", `[A-Za-z0-9+/]{${b64}}={0,2}`, `<random_id b64 ${b64}>`)),
        dec: prefixed(b.prefix, new Hole("random", "\\d+", "<random_id dec>")),
      };
    }
    case "random_string":
    case "random_password": {
      const n = num(b.length);
      const lower = flag(b.lower, true);
      const upper = flag(b.upper, true);
      const digits = flag(b.numeric ?? b.number, true);
      const special = flag(b.special, true);
      if (n === undefined || lower === undefined || upper === undefined || digits === undefined || special === undefined) return { id: UNKNOWN, result: UNKNOWN };
      const specials = typeof b.override_special === "string" ? b.override_special : SPECIAL;
      const alphabet = (lower ? LOWER : "") + (upper ? UPPER : "") + (digits ? DIGITS : "") + (special ? specials.replace(/[\\\]^-]/g, "\\$&") : "");
      if (alphabet === "") return { id: UNKNOWN, result: UNKNOWN };
      const hole = holeValue(new Hole("random", `[${alphabet}]{${n}}`, `<random_string ${n}>`));
      return { id: hole, result: hole };
    }
    case "random_pet": {
      const words = b.length === undefined ? 2 : num(b.length);
      const sep = b.separator === undefined ? "-" : typeof b.separator === "string" ? b.separator : undefined;
      if (words === undefined || words < 1 || sep === undefined) return { id: UNKNOWN };
      const hole = new Hole("random", `[a-z]+(?:${escapeRegex(sep)}[a-z]+){${words - 1}}`, `<random_pet ${words}>`);
      const prefix = b.prefix;
      if (prefix === undefined || prefix === null) return { id: holeValue(hole) };
      if (typeof prefix === "string") return { id: new PartialString([prefix, sep, hole]) };
      return { id: UNKNOWN };
    }
    case "random_uuid":
      return { id: holeValue(UUID_HOLE), result: holeValue(UUID_HOLE) };
    case "random_integer":
      return { id: holeValue(new Hole("random", "-?\\d+", "<random_integer>")), result: holeValue(new Hole("random", "-?\\d+", "<random_integer>")) };
    default:
      return undefined;
  }
}

/** A variable's declaration, as far as typing its value goes. */
export interface VariableSpec {
  /** Raw hcl2json `type` (`${string}`, `${number}`...). */
  type?: unknown;
  /** Raw `validation` blocks. */
  validation?: unknown;
}

const EMPTY: EvalContext = { ref: () => undefined };

/**
 * The typed unknown of a variable nobody sets: from `validation` conditions TerraFix can read
 * (`can(regex("^...$", var.x))`, `contains([...], var.x)`, `length(var.x) == N`) or else from its
 * primitive `type`. Undefined when neither says anything (an untyped wildcard).
 * https://developer.hashicorp.com/terraform/language/values/variables#custom-validation-rules
 */
export function variableHole(name: string, spec: VariableSpec | undefined): Value | undefined {
  if (spec === undefined) return undefined;
  const v = escapeRegex(`var.${name}`);
  for (const rule of Array.isArray(spec.validation) ? spec.validation : []) {
    const condition = isRecord(rule) && typeof rule.condition === "string" ? rule.condition.replace(/^\$\{([\s\S]*)\}$/, "$1").trim() : "";
    const regex = new RegExp(`^(?:can\\()?regex\\(\\s*("(?:[^"\\\\]|\\\\.)*")\\s*,\\s*${v}\\s*\\)\\)?$`).exec(condition);
    if (regex?.[1] !== undefined) {
      const pattern = evaluateJson(JSON.parse(regex[1]) as string, EMPTY);
      if (typeof pattern === "string" && /^\^.*\$$/.test(pattern) && isJsRegex(pattern)) return holeValue(new Hole("variable", pattern.slice(1, -1), `<var.${name}>`));
    }
    const contains = new RegExp(`^contains\\(\\s*(\\[[^\\]]*\\])\\s*,\\s*${v}\\s*\\)$`).exec(condition);
    if (contains?.[1] !== undefined) {
      const list = evaluateJson(`\${${contains[1]}}`, EMPTY);
      if (Array.isArray(list) && list.length > 0 && list.every((x): x is string => typeof x === "string"))
        return holeValue(new Hole("variable", `(?:${list.map(escapeRegex).join("|")})`, `<var.${name}: ${list.join("|")}>`));
    }
    const length = new RegExp(`^length\\(\\s*${v}\\s*\\)\\s*==\\s*(\\d+)$`).exec(condition);
    if (length?.[1] !== undefined) return holeValue(new Hole("variable", `.{${length[1]}}`, `<var.${name}: ${length[1]} chars>`));
  }
  const type = typeof spec.type === "string" ? spec.type.replace(/^\$\{(.*)\}$/, "$1").trim() : undefined;
  if (type === "number") return holeValue(new Hole("variable", "-?\\d+(?:\\.\\d+)?", `<var.${name}: number>`));
  if (type === "bool") return holeValue(new Hole("variable", "true|false", `<var.${name}: bool>`));
  return undefined;
}

function isJsRegex(pattern: string): boolean {
  // RE2 (Terraform) and JavaScript agree on the common subset; anything JS rejects stays untyped.
  try {
    new RegExp(pattern);
    return !/\(\?[a-zA-Z]/.test(pattern);
  } catch {
    return false;
  }
}
