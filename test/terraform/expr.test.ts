import { describe, expect, it } from "vitest";
import { evaluateExpression, evaluateTemplate, type EvalContext } from "../../src/terraform/expr.js";
import { PartialString, UNKNOWN, namePattern, prefixPattern, type Value } from "../../src/terraform/values.js";

const refs: Record<string, Record<string, Value>> = {
  var: { env: "prod", list: ["a", "b"], n: 3, flag: true },
  local: { prefix: { value: "acme" }, tags: { team: "platform", Name: "base" } },
  each: { key: "k1", value: "v1" },
  count: { index: 2 },
};
const ctx: EvalContext = { ref: (root, first) => refs[root]?.[first] };

function show(v: Value): unknown {
  if (v === UNKNOWN) return "<unknown>";
  if (v instanceof PartialString) return v.parts.map((p) => (p === UNKNOWN ? "*" : typeof p === "string" ? p : p.label)).join("");
  return v;
}

describe("evaluateTemplate", () => {
  it.each([
    ["plain", "plain"],
    ["logs-${var.env}", "logs-prod"],
    ["${local.prefix.value}-${var.env}", "acme-prod"],
    ["${var.n}", 3],
    ["n-${var.n + 1}", "n-4"],
    ["${each.key}/${each.value}/${count.index}", "k1/v1/2"],
    ['${format("%s-%03d-%%", var.env, 7)}', "prod-7-%"],
    ['${join("-", var.list)}', "a-b"],
    ['${lower("ABC")}-${upper(var.env)}', "abc-PROD"],
    ['${replace("a_b_c", "_", "-")}', "a-b-c"],
    ['${replace("v1.2", "/[.]/", "-")}', "v1-2"],
    ["${data.aws_caller_identity.current.account_id}", "<unknown>"],
    ["audit-${data.x.y.account_id}-logs", "audit-*-logs"],
    ['${upper("x-${data.a.b.c}")}', "X-*"],
    ["$${literal}", "${literal}"],
    ['${var.flag ? "on" : "off"}', "on"],
    ['${var.missing == null ? "a" : "b"}', "<unknown>"],
    ["%{ if var.flag }x%{ endif }", "<unknown>"],
    ['${merge(local.tags, { Name = "logs" }).Name}', "logs"],
    ['${lookup(local.tags, "team", "none")}', "platform"],
    ['${element(var.list, 3)}', "b"],
    ['${length(var.list)}', 2],
    ['${coalesce("", "x")}', "x"],
    ['${try(data.a.b.c, "fallback")}', "fallback"],
    ['${trimprefix("prod-app", "prod-")}', "app"],
    ['${substr("abcdef", 1, 3)}', "bcd"],
    ['${concat(["a"], ["b"])[1]}', "b"],
    ['${[for s in var.list : upper(s)]}', "<unknown>"],
    ["${unknownfn(1)}", "<unknown>"],
    ["${var.env", "<unknown>"],
    ['${"quoted ${var.env} inner"}', "quoted prod inner"],
    ["${-var.n * 2}", -6],
    ['${keys({ b = 1, a = 2 })}', ["a", "b"]],
    ['${range(3)}', [0, 1, 2]],
  ])("%s", (text, expected) => {
    expect(show(evaluateTemplate(text, ctx))).toEqual(expected);
  });

  it("keeps the type of a lone interpolation", () => {
    expect(evaluateExpression("local.tags", ctx)).toEqual({ team: "platform", Name: "base" });
    expect(evaluateExpression('merge(local.tags, data.x.y.tags, { a = "b" })', ctx)).toEqual({ team: UNKNOWN, Name: UNKNOWN, a: "b" });
  });
});

describe("name patterns", () => {
  it.each([
    ["exact", "logs", "logs", true],
    ["exact mismatch", "logs", "logs2", false],
    ["hole", new PartialString(["audit-", UNKNOWN]), "audit-123456789012", true],
    ["hole needs a character", new PartialString(["audit-", UNKNOWN]), "audit-", false],
    ["regex characters are literal", "a.b", "axb", false],
  ])("%s", (_label, value, name, matches) => {
    expect(namePattern(value)?.regex.test(name)).toBe(matches);
  });

  it("a prefix matches longer names only", () => {
    const p = prefixPattern("tmp-");
    // Terraform appends 18 timestamp digits and an 8-hex counter (PrefixedUniqueId).
    expect(p?.regex.test("tmp-20261202070501123400000001")).toBe(true);
    expect(p?.regex.test("tmp-abc")).toBe(false);
    expect(p?.regex.test("tmp-")).toBe(false);
    expect(p?.text).toBe("tmp-<generated>");
  });
});

describe("references to sibling resources", () => {
  it("resolves aws_s3_bucket.x.id to the bucket name and leaves the ARN unknown", async () => {
    const { ModuleScope } = await import("../../src/terraform/resolve.js");
    const scope = new ModuleScope(
      { dir: "", variables: new Map([["env", "dev"], ["unset", undefined]]), locals: new Map([["loop", "${local.loop}"]]), resources: new Map([["aws_s3_bucket.logs", { bucket: "logs-${var.env}" }]]) },
      {},
      "root",
    );
    expect(evaluateTemplate("${aws_s3_bucket.logs.id}", scope)).toBe("logs-dev");
    expect(evaluateTemplate("${aws_s3_bucket.logs.arn}", scope)).toBe(UNKNOWN);
    expect(evaluateTemplate("${aws_s3_bucket.other.id}", scope)).toBe(UNKNOWN);
    expect(evaluateTemplate("${var.unset}", scope)).toBe(UNKNOWN);
    expect(evaluateTemplate("${var.nope}", scope)).toBe(UNKNOWN);
    // A local that refers to itself is unknown, not a stack overflow.
    expect(evaluateTemplate("${local.loop}", scope)).toBe(UNKNOWN);
    expect(evaluateTemplate("${path.module}/x", scope)).toBeInstanceOf(PartialString);
  });
});
