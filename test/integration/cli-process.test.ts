import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The real `terrafix` process (bin/terrafix.js), not the in-process runner: what it loads, how it
 * ends, and how it stops when npm launched it. Timings are measured in bench/, not asserted here.
 */
const ROOT = process.cwd();
const BIN = join(ROOT, "bin", "terrafix.js");
const FIXTURES = join(ROOT, "test", "fixtures", "controls");

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, out, err }));
  });
}

let scratch = "";
let preload = "";

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "terrafix-cli-process-"));
  // A resolve hook that writes the URL of every imported module to TERRAFIX_MODULE_TRACE
  // (https://nodejs.org/api/module.html#customization-hooks).
  writeFileSync(
    join(scratch, "hooks.mjs"),
    'import { appendFileSync } from "node:fs";\nlet file;\nexport function initialize(data) { file = data.file; }\nexport async function resolve(specifier, context, next) {\n  const result = await next(specifier, context);\n  appendFileSync(file, `${result.url}\\n`);\n  return result;\n}\n',
  );
  preload = join(scratch, "register.mjs");
  writeFileSync(preload, 'import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url, { data: { file: process.env.TERRAFIX_MODULE_TRACE } });\n');
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function traced(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run & { modules: string[] }> {
  const trace = join(scratch, `trace-${Math.random().toString(36).slice(2)}.txt`);
  const result = await run(process.execPath, ["--import", preload, BIN, ...args], { TERRAFIX_MODULE_TRACE: trace, ...env });
  return { ...result, modules: existsSync(trace) ? readFileSync(trace, "utf8").split("\n").filter((l) => l !== "") : [] };
}

const PARSERS = ["@cdktf/hcl2json", "web-tree-sitter", "tree-sitter-hcl"];
const HEAVY = [...PARSERS, "better-sqlite3", "/pg/", "@aws-sdk", "@octokit", "simple-git", "/zod/"];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}
const compiled = join(ROOT, "dist", "main.js");
const distFresh = existsSync(compiled) && statSync(compiled).mtimeMs >= newestSource(join(ROOT, "src"));

describe("the terrafix process", () => {
  it.each([["--version"], ["--help"]])("%s prints and loads no parser, SDK or state store", async (flag) => {
    const result = await traced([flag]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(flag === "--version" ? /^\d+\.\d+\.\d+\n$/ : /Usage: terrafix/);
    // The trace works: the CLI parser itself is in it.
    expect(result.modules.some((m) => m.includes("/commander/"))).toBe(true);
    expect(result.modules.filter((m) => HEAVY.some((h) => m.includes(h)))).toEqual([]);
  });

  it("check loads the parsers it needs, and keeps its exit codes: 1 with findings, 0 clean, 2 for a bad --repo", async () => {
    const dirty = await traced(["check", "--repo", join(FIXTURES, "check-repo"), "--json"], { TERRAFIX_WORK_DIR: join(scratch, "cold-work") });
    expect(dirty.code).toBe(1);
    expect((JSON.parse(dirty.out) as { findings: unknown[] }).findings.length).toBeGreaterThan(0);
    expect(dirty.modules.some((m) => m.includes("web-tree-sitter"))).toBe(true);
    const clean = await run(process.execPath, [BIN, "check", "--repo", join(FIXTURES, "clean-repo")]);
    expect(clean.code).toBe(0);
    expect(clean.out).toBe("2 checks on 2 resources: 2 passed, 0 failed, 0 unknown\n");
    const missing = await run(process.execPath, [BIN, "check", "--repo", join(scratch, "nowhere")]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("is not a directory");
    const usage = await run(process.execPath, [BIN, "match", "--repo", scratch]);
    expect(usage.code).toBe(2);
  });

  it("check and match warm from the persistent parse cache load no parser; cold, hcl2json stays off the main thread", async () => {
    const work = { TERRAFIX_WORK_DIR: join(scratch, "warm-work") };
    const repo = join(FIXTURES, "check-repo");
    const cold = await traced(["check", "--repo", repo, "--json"], work);
    expect(cold.code).toBe(1);
    expect(cold.modules.some((m) => m.includes("web-tree-sitter"))).toBe(true);
    // Validated on the worker thread (its CommonJS require is not in this trace of the main thread).
    expect(cold.modules.filter((m) => m.includes("@cdktf/hcl2json"))).toEqual([]);
    const warm = await traced(["check", "--repo", repo, "--json"], work);
    expect(warm.code).toBe(1);
    expect(warm.out).toBe(cold.out);
    expect(warm.modules.some((m) => m.includes("/commander/"))).toBe(true);
    expect(warm.modules.filter((m) => PARSERS.some((p) => m.includes(p)))).toEqual([]);
    const match = await traced(["match", "--repo", repo, "--name", "acme-assets", "--type", "aws_s3_bucket", "--json"], work);
    expect(match.modules.filter((m) => PARSERS.some((p) => m.includes(p)))).toEqual([]);
    expect((JSON.parse(match.out) as { candidates: unknown[] }).candidates.length).toBeGreaterThan(0);
  });

  // Skipped where dist/ is missing or older than src/ (npm run build makes it); `npm ci` builds it.
  it.skipIf(!distFresh)("runs the compiled JavaScript of dist/ when it is newer than src/", async () => {
    const result = await traced(["--version"]);
    expect(result.code).toBe(0);
    expect(result.modules).toContain(`file://${compiled}`);
    expect(result.modules.filter((m) => m.includes("/src/") || m.includes("/tsx/"))).toEqual([]);
  });

  it("ends quietly with exit 0 when the reader of its output goes away (`terrafix controls | head`)", async () => {
    const result = await new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, "controls"], { stdio: ["ignore", "pipe", "pipe"] });
      // The reader is gone before the first line is written: every write meets a closed pipe.
      child.stdout.destroy();
      let err = "";
      child.stderr.on("data", (c: Buffer) => (err += c.toString()));
      child.on("error", reject);
      child.on("close", (code, signal) => resolve({ code, signal, out: "", err }));
    });
    expect(result.err).not.toContain("EPIPE");
    expect(result).toMatchObject({ code: 0, signal: null });
  });

  it("stops gracefully when npm's shell in between is killed, as `npx terrafix run` is by SIGTERM", async () => {
    const dir = join(scratch, "daemon");
    mkdirSync(join(dir, "repo"), { recursive: true });
    writeFileSync(join(dir, "failures.json"), '{"tests":[]}\n');
    const env = {
      npm_command: "exec",
      TERRAFIX_SOURCE: `file:${join(dir, "failures.json")}`,
      TERRAFIX_PUBLISHER: "dry-run",
      TERRAFIX_REPOSITORIES: "acme/repo",
      TERRAFIX_GIT_URL_TEMPLATE: `${dir}/{owner}/../{repo}`,
      TERRAFIX_STATE_URL: join(dir, "state.db"),
      TERRAFIX_WORK_DIR: join(dir, "work"),
      TERRAFIX_DRY_RUN_DIR: join(dir, "dry-run"),
      TERRAFIX_HTTP_PORT: "0",
      TERRAFIX_POLL_INTERVAL: "3600",
      LOG_LEVEL: "info",
    };
    // npm exec runs `sh -c 'terrafix run'` and passes SIGTERM to that shell only, which does not
    // exec node; this shell does not either (it waits for it, and tells its pid for the cleanup).
    const shell = spawn("sh", ["-c", `"${process.execPath}" "${BIN}" run & echo "pid $!"; wait $!`], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    shell.stdout.on("data", (c: Buffer) => (output += c.toString()));
    shell.stderr.on("data", (c: Buffer) => (output += c.toString()));
    // The pipes close when the last process holding them (the daemon) has exited.
    let closed = false;
    shell.stdout.on("close", () => (closed = true));
    const waitFor = async (done: () => boolean): Promise<void> => {
      for (let i = 0; i < 1200 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
    };
    const pid = async (): Promise<number> => {
      await waitFor(() => /pid \d+/.test(output));
      return Number(/pid (\d+)/.exec(output)?.[1]);
    };
    try {
      await waitFor(() => output.includes('"msg":"daemon started"'));
      expect(output).toContain('"msg":"daemon started"');
      shell.kill("SIGTERM");
      await waitFor(() => closed);
      expect(closed).toBe(true);
    } finally {
      // Never leave an orphaned daemon behind when the test fails.
      const daemon = await pid();
      if (closed === false && daemon > 0) process.kill(daemon, "SIGKILL");
    }
    expect(output).toContain("shutting down gracefully");
    expect(output).toContain('"msg":"daemon stopped"');
    expect(output).not.toContain("forced shutdown");
  });
});
