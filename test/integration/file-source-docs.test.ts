import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * docs/file-source.md's quick path, run exactly as written (the shell block under "## Quick
 * path") by bash with the real CLI (bin/terrafix.js as `terrafix` on PATH), real git and the real
 * example file, in a scratch folder that holds `examples/` and `demo/` like a clone does.
 */
const ROOT = process.cwd();
const DOC = readFileSync(join(ROOT, "docs", "file-source.md"), "utf8");
const scratch: string[] = [];

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** The documented block, split into its setup (git) and run (terrafix) paragraphs. */
function documented(): { setup: string; run: string } {
  const section = DOC.slice(DOC.indexOf("## Quick path"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error("docs/file-source.md has no sh block under '## Quick path'");
  const [setup, run] = block.trim().split("\n\n");
  if (setup === undefined || run === undefined) throw new Error("the quick path block should be a setup paragraph and a run paragraph");
  return { setup, run };
}

function clone(): string {
  const dir = mkdtempSync(join(tmpdir(), "terrafix-docs-"));
  scratch.push(dir);
  symlinkSync(join(ROOT, "examples"), join(dir, "examples"));
  symlinkSync(join(ROOT, "demo"), join(dir, "demo"));
  mkdirSync(join(dir, ".bin"));
  const shim = join(dir, ".bin", "terrafix");
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "bin", "terrafix.js")}" "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function bash(dir: string, script: string): Promise<Run> {
  // Nothing of the test run's own configuration leaks into the documented commands.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TERRAFIX_") && !k.startsWith("LOG_")));
  env["PATH"] = `${join(dir, ".bin")}${delimiter}${process.env["PATH"] ?? ""}`;
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-e", "-c", script], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

function lines(out: string, kind: string): string[] {
  return out.split("\n").filter((l) => l.startsWith(`${kind} `));
}

describe("docs/file-source.md quick path", () => {
  it("works as written: one dry-run pull request per failure of examples/failures.json, and a second run does nothing", async () => {
    const dir = clone();
    const { setup, run } = documented();

    const first = await bash(dir, `${setup}\n${run}`);

    expect(first.err).not.toMatch(/"level":(40|50)/);
    expect(first.code).toBe(0);
    expect(first.out).toContain("poll: 7 failing test(s), 7 failure(s), 7 new, 0 resolved");
    expect(lines(first.out, "dry-run")).toHaveLength(7);
    expect(first.out).toContain("7 job(s), 0 errored, 0 configuration problem(s)");
    const written = readdirSync(join(dir, "data", "dry-run"));
    expect(written.filter((f) => f.endsWith(".json"))).toHaveLength(7);
    const kms = JSON.parse(readFileSync(join(dir, "data", "dry-run", written.find((f) => f.startsWith("acme-kms-rotation") && f.endsWith(".json")) ?? "missing"), "utf8")) as { diff: string };
    expect(kms.diff).toContain("enable_key_rotation");

    const second = await bash(dir, run);
    expect(second.code).toBe(0);
    expect(second.out).toContain("7 failure(s), 0 new");
    expect(second.out).toContain("0 job(s), 0 errored");

    // The jobs' verification gates are kept and shown by `stats` (fmt is skipped without terraform).
    const stats = await bash(dir, "terrafix stats --json");
    const gates = (JSON.parse(stats.out) as { gates: { name: string; pass: number; fail: number; skipped: number }[] }).gates;
    expect(gates.map((g) => g.name)).toEqual(["parse", "fmt", "control", "no-new-findings", "scope", "guardrails"]);
    for (const g of gates) expect([g.name, g.pass + g.skipped, g.fail]).toEqual([g.name, 7, 0]);
    expect(gates.find((g) => g.name === "parse")?.pass).toBe(7);
  });

  it("configure later, then rerun: a missing repository or mapping is a configuration problem (exit 2) that the next run picks up without a retry", async () => {
    const dir = clone();
    const { setup, run } = documented();
    await bash(dir, setup);

    // The command as the docs used to give it: no repository to search.
    const bare = await bash(dir, "TERRAFIX_SOURCE=file:examples/failures.json terrafix process-once --dry-run");
    expect(bare.code).toBe(2);
    expect(bare.err).toContain("TERRAFIX_REPOSITORIES");
    expect(existsSync(join(dir, "data", "terrafix.db"))).toBe(false);

    // The documented command without the mapping of the custom test id.
    const unmapped = run.split("\n").filter((l) => !l.startsWith("TERRAFIX_TEST_MAPPINGS=")).join("\n");
    expect(unmapped).not.toBe(run);
    const first = await bash(dir, unmapped);
    expect(first.code).toBe(2);
    expect(lines(first.out, "dry-run")).toHaveLength(6);
    expect(lines(first.out, "config")).toEqual([expect.stringMatching(/^config +acme-kms-rotation acme-prod-app-key: .*TERRAFIX_TEST_MAPPINGS=acme-kms-rotation=/)]);
    expect(first.out).toContain("7 job(s), 0 errored, 1 configuration problem(s)");

    // Configured: the documented command runs the held job, with no `retry`.
    const second = await bash(dir, run);
    expect(second.code).toBe(0);
    expect(second.out).toContain("7 failure(s), 0 new");
    expect(lines(second.out, "dry-run")).toEqual([expect.stringMatching(/^dry-run +acme-kms-rotation acme-prod-app-key -> /)]);
    expect(second.out).toContain("1 job(s), 0 errored, 0 configuration problem(s)");
  });
});
