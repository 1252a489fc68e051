import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { allControls } from "../../src/controls/catalogue.js";
import { runCatalogue } from "../../src/controls/run-catalogue.js";
import type { FileChange } from "../../src/domain/change.js";
import { generateRuleFix, generateRuleFixWithSources } from "../../src/remediation/rules.js";
import { layoutProblems, unwrapInterpolation, withoutBom } from "../../src/terraform/canonical.js";
import { parseHclFile } from "../../src/terraform/parse.js";
import { contextOf } from "../controls/helpers.js";
import { goatRepoAs, LEGACY_FILES } from "../support/goat-repo.js";

const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).error === undefined;
const SKIP = terraform ? "" : " (skipped: terraform binary not on PATH)";
const scratch = mkdtempSync(join(tmpdir(), "terrafix-canonical-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let seq = 0;
/** `terraform fmt -check -diff` on a file: "" when fmt leaves it unchanged, else fmt's diff. */
function fmtCheck(text: string): string {
  const file = join(scratch, `f${seq++}.tf`);
  writeFileSync(file, text);
  const r = spawnSync("terraform", ["fmt", "-check", "-diff", "-no-color", file], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  return r.status === 0 ? "" : r.stdout || `exit ${String(r.status)}`;
}

/** What terraform fmt writes for a text, from stdin. */
function fmt(text: string): string {
  return spawnSync("terraform", ["fmt", "-no-color", "-"], { input: text, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } }).stdout;
}

describe("unwrapInterpolation (terraform fmt's formatValueExpr)", () => {
  const CASES: [string, string][] = [
    ['"${aws_s3_bucket.logs.id}"', "aws_s3_bucket.logs.id"],
    ['"${var.ami}"', "var.ami"],
    ['"${ var.ami }"', "var.ami"],
    ['"${lookup(var.tags, "Name")}"', 'lookup(var.tags, "Name")'],
    ['"${format("%s-%s", var.a, "${var.b}")}"', 'format("%s-%s", var.a, "${var.b}")'],
    ['"${var.a}-logs"', '"${var.a}-logs"'],
    ['"logs-${var.a}"', '"logs-${var.a}"'],
    ['"${var.a}${var.b}"', '"${var.a}${var.b}"'],
    ['"$${not.a.reference}"', '"$${not.a.reference}"'],
    ['"plain"', '"plain"'],
    ["aws_s3_bucket.logs.id", "aws_s3_bucket.logs.id"],
    ['["${var.a}"]', '["${var.a}"]'],
  ];
  it.each(CASES)("%s -> %s", (input, expected) => {
    expect(unwrapInterpolation(input)).toBe(expected);
  });
  it.skipIf(!terraform).each(CASES)(`terraform fmt agrees on %s${SKIP}`, (input, expected) => {
    expect(fmt(`x = ${input}\n`)).toBe(`x = ${expected}\n`);
  });
});

describe("layoutProblems (the pure-TS alignment check)", () => {
  const SAMPLES: [name: string, text: string, clean: boolean][] = [
    ["aligned run", 'resource "a" "b" {\n  name = "x"\n  size = 1\n  long_name = 2\n}\n'.replace('  name = "x"\n  size = 1\n  long_name = 2', '  name      = "x"\n  size      = 1\n  long_name = 2'), true],
    ["run not aligned", 'resource "a" "b" {\n  name = "x"\n  long_name = 2\n}\n', false],
    ["over-padded", 'resource "a" "b" {\n  name   = "x"\n  size   = 1\n}\n', false],
    ["runs split by a blank line", 'resource "a" "b" {\n  name = "x"\n\n  long_name = 2\n}\n', true],
    ["runs split by a comment", 'resource "a" "b" {\n  name = "x"\n  # why\n  long_name = 2\n}\n', true],
    ["multi-line value ends a run", 'resource "a" "b" {\n  a = 1\n  tags = {\n    Name = "x"\n  }\n  cc = 2\n}\n', true],
    ["interpolation-only value", 'resource "a" "b" {\n  ami = "${var.ami}"\n}\n', false],
    ["nested block indented by four", 'resource "a" "b" {\n    x {\n      y = 1\n    }\n}\n', false],
    ["two spaces after =", 'resource "a" "b" {\n  x =  1\n}\n', false],
    ["CRLF aligned", 'resource "a" "b" {\r\n  name      = "x"\r\n  long_name = 2\r\n}\r\n', true],
  ];
  it.each(SAMPLES)("%s", async (_name, text, clean) => {
    const problems = layoutProblems(await parseHclFile("x.tf", text));
    expect(problems.length === 0).toBe(clean);
  });
  it.skipIf(!terraform).each(SAMPLES)(`terraform fmt agrees on %s${SKIP}`, (_name, text, clean) => {
    expect(fmtCheck(text) === "").toBe(clean);
  });
});

interface Fixed {
  pair: string;
  files: FileChange[];
}

/** Every rule fix of the catalogue on the TerraGoat-like repository (and the account-level one it lacks). */
async function fixAll(repo: Record<string, string>): Promise<Fixed[]> {
  const ctx = await contextOf(repo);
  const out: Fixed[] = [];
  // An `unknown` finding may be a value from a variable: its fix is made at the source.
  for (const f of runCatalogue(ctx).findings) {
    const target = ctx.resources.find((r) => r.address === f.address);
    const result = await generateRuleFixWithSources({ controlIds: [f.control], ...(target === undefined ? {} : { target }), ctx });
    if (result.type === "change") out.push({ pair: `${f.control} ${f.address}`, files: result.change.files });
  }
  for (const control of allControls().filter((c) => c.accountLevel === true)) {
    const result = generateRuleFix({ controlIds: [control.id], ctx });
    if (result.type === "change") out.push({ pair: `${control.id} (missing)`, files: result.change.files });
  }
  return out;
}

/** Lines of `after` that `before` does not have (as a multiset): what the fix wrote. */
function addedLines(before: string, after: string): string[] {
  const left = new Map<string, number>();
  for (const l of before.split("\n")) left.set(l, (left.get(l) ?? 0) + 1);
  return after.split("\n").filter((l) => {
    const n = left.get(l) ?? 0;
    if (n > 0) left.set(l, n - 1);
    return n === 0;
  });
}

const VARIANTS = [
  { name: "LF", crlf: false, bom: false },
  { name: "CRLF", crlf: true, bom: false },
  { name: "BOM", crlf: false, bom: true },
  { name: "CRLF+BOM", crlf: true, bom: true },
] as const;

describe.each(VARIANTS)("every rule fix on the TerraGoat-like repository, $name", (variant) => {
  const fixes = fixAll(goatRepoAs(variant));

  it("covers every control of the catalogue", async () => {
    const fixed = new Set((await fixes).map((f) => f.pair.split(" ")[0]));
    expect([...fixed].sort()).toEqual(allControls().map((c) => c.id).sort());
  });

  it("keeps the file's line endings and BOM", async () => {
    for (const { pair, files } of await fixes) {
      for (const file of files) {
        expect(file.after.startsWith("\uFEFF"), `${pair} ${file.path}`).toBe(variant.bom && file.before !== "");
        if (variant.crlf && file.before !== "") expect(/(?<!\r)\n/.test(file.after), `${pair} ${file.path} has a bare LF`).toBe(false);
        else expect(file.after.includes("\r"), `${pair} ${file.path}`).toBe(false);
      }
    }
  });

  it("writes what the pure-TS layout check accepts: aligned, unwrapped, indented", async () => {
    for (const { pair, files } of await fixes) {
      for (const file of files) {
        const after = await parseHclFile(file.path, withoutBom(file.after).body);
        const before = await parseHclFile(file.path, withoutBom(file.before).body);
        // A legacy file keeps its own problems; the fix may add none.
        const old = new Set(layoutProblems(before).map((p) => p.replace(/^line \d+: /, "")));
        const added = layoutProblems(after).filter((p) => !old.has(p.replace(/^line \d+: /, "")));
        expect(added, `${pair} ${file.path}`).toEqual([]);
        if (!LEGACY_FILES.has(file.path)) expect(layoutProblems(after), `${pair} ${file.path}`).toEqual([]);
      }
    }
  });

  it.skipIf(!terraform)(`passes terraform fmt -check on every fmt-clean file it changes, and adds no line fmt rewrites to legacy ones${SKIP}`, async () => {
    let clean = 0;
    for (const { pair, files } of await fixes) {
      for (const file of files) {
        // fmt strips a BOM (and keeps CRLF): the BOM is the repository's, so it is set aside here.
        const after = withoutBom(file.after).body;
        if (LEGACY_FILES.has(file.path)) {
          expect(fmtCheck(withoutBom(file.before).body), `${file.path} is a legacy fixture`).not.toBe("");
          const formatted = new Set(fmt(after).split("\n"));
          expect(addedLines(withoutBom(file.before).body, after).filter((l) => !formatted.has(l)), `${pair} ${file.path}`).toEqual([]);
        } else {
          if (file.before !== "") expect(fmtCheck(withoutBom(file.before).body), `fixture ${file.path} is fmt-clean`).toBe("");
          expect(fmtCheck(after), `${pair} ${file.path}`).toBe("");
          clean++;
        }
      }
    }
    expect(clean).toBeGreaterThan(20);
  });
});
