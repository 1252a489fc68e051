import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { indexRepository } from "../../src/terraform/index.js";
import { locateBlocks } from "../../src/terraform/parse.js";
import { createTerraformParser, RecoveringParser } from "../../src/terraform/parser-instance.js";
import { runTerrafix } from "../support/cli.js";

/** Issue 16, attack 4: one huge file aborted the tree-sitter WASM module for the rest of the process. */
const BUCKET = 'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n}\n';

/** An instance that aborts on the poison text and, like an aborted Emscripten module, on every call after. */
function fakeParser(log: string[], id: number): { parse(text: string): string } {
  let aborted = false;
  return {
    parse(text: string): string {
      if (aborted || text === "poison") {
        aborted = true;
        // What an aborted Emscripten module throws (a WebAssembly.RuntimeError).
        throw Object.assign(new Error("Aborted(OOM). Build with -sASSERTIONS for more info."), { name: "RuntimeError" });
      }
      log.push(`${id}:${text}`);
      return `tree of ${text}`;
    },
  };
}

describe("RecoveringParser: a failure never outlives the file that caused it", () => {
  it("drops an instance that threw, and the next file parses on a new one", async () => {
    const log: string[] = [];
    const created: number[] = [];
    const parsers = new RecoveringParser((generation) => {
      created.push(generation);
      return Promise.resolve(fakeParser(log, generation));
    });
    expect(await parsers.use((p) => p.parse("a.tf"))).toBe("tree of a.tf");
    await expect(parsers.use((p) => p.parse("poison"))).rejects.toThrow("Aborted(OOM)");
    expect(await parsers.use((p) => p.parse("b.tf"))).toBe("tree of b.tf");
    expect(await parsers.use((p) => p.parse("c.tf"))).toBe("tree of c.tf");
    expect(log).toEqual(["0:a.tf", "1:b.tf", "1:c.tf"]);
    expect(created).toEqual([0, 1]);
    expect(parsers.replaced).toBe(1);
  });

  it("retries creation after a failed load instead of keeping the rejected promise", async () => {
    let calls = 0;
    const parsers = new RecoveringParser(() => (++calls === 1 ? Promise.reject(new Error("wasm load failed")) : Promise.resolve(fakeParser([], calls))));
    await expect(parsers.use((p) => p.parse("a.tf"))).rejects.toThrow("wasm load failed");
    expect(await parsers.use((p) => p.parse("a.tf"))).toBe("tree of a.tf");
  });

  it("a replacement is a separate tree-sitter module instance that parses for real", async () => {
    const first = await createTerraformParser(0);
    const fresh = await createTerraformParser(1);
    // Another module evaluation: its classes are not the first one's (its own WASM memory).
    expect(fresh.constructor).not.toBe(first.constructor);
    const tree = fresh.parse(BUCKET);
    expect(tree?.rootNode.hasError).toBe(false);
    expect(tree?.rootNode.text).toBe(BUCKET);
    tree?.delete();
    expect((await locateBlocks("main.tf", BUCKET)).blocks.map((b) => b.labels)).toEqual([["aws_s3_bucket", "logs"]]);
  });
});

describe("the per-file size cap (TERRAFIX_MAX_FILE_BYTES)", () => {
  function repoWithHugeFile(bytes: number): string {
    const repo = join(mkdtempSync(join(tmpdir(), "tf-huge-")), "repo");
    mkdirSync(repo);
    // Sorted first: the huge file comes before the normal one in the same process.
    const one = 'resource "aws_s3_bucket" "b" {\n  bucket = "generated"\n}\n';
    writeFileSync(join(repo, "a-generated.tf"), one.repeat(Math.ceil(bytes / one.length)).replace(/"b"/g, () => `"b${Math.random().toString(36).slice(2)}"`));
    writeFileSync(join(repo, "main.tf"), BUCKET);
    return repo;
  }

  it("skips a file over the default cap before any parser sees it, and indexes the next file", async () => {
    const repo = repoWithHugeFile(5 * 1024 * 1024);
    const index = await indexRepository(repo);
    expect(index.skipped).toEqual([expect.objectContaining({ file: "a-generated.tf", reason: "too-large" })]);
    expect(index.skipped?.[0]?.message).toMatch(/^\d+ bytes, over the 4194304-byte limit \(TERRAFIX_MAX_FILE_BYTES\); not parsed$/);
    expect(index.resources.map((r) => r.address)).toEqual(["aws_s3_bucket.logs"]);
    expect(index.errors).toEqual([]);
  });

  it("check and match report the skipped file, with the cap from the configuration", async () => {
    const repo = repoWithHugeFile(8 * 1024);
    const env = { PATH: process.env["PATH"], TERRAFIX_MAX_FILE_BYTES: "4096", TERRAFIX_PARSE_CACHE_MAX_MB: "0" };
    const check = await runTerrafix(["check", "--repo", repo, "--json"], env);
    const checked = JSON.parse(check.out) as { findings: { file: string }[]; skipped: { file: string; reason: string }[] };
    expect(checked.skipped).toEqual([expect.objectContaining({ file: "a-generated.tf", reason: "too-large" })]);
    expect(checked.findings.every((f) => f.file === "main.tf")).toBe(true);
    expect(checked.findings.length).toBeGreaterThan(0);
    const human = await runTerrafix(["check", "--repo", repo], env);
    expect(human.err).toMatch(/warning: skipped a-generated\.tf: \d+ bytes, over the 4096-byte limit/);
    const match = await runTerrafix(["match", "--repo", repo, "--name", "acme-logs", "--type", "aws_s3_bucket", "--json"], env);
    const matched = JSON.parse(match.out) as { status: string; skipped: { file: string }[] };
    expect(matched.status).toBe("matched");
    expect(matched.skipped.map((s) => s.file)).toEqual(["a-generated.tf"]);
  });
});
