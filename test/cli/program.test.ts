import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { notImplementedHandlers, type CommandHandlers } from "../../src/cli/context.js";
import { parseDuration } from "../../src/cli/parse-options.js";
import { runCli, VERSION } from "../../src/cli/program.js";

function io(): { io: { stdout: PassThrough; stderr: PassThrough; env: NodeJS.ProcessEnv }; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: string[] = [];
  const e: string[] = [];
  stdout.on("data", (c: Buffer) => o.push(c.toString()));
  stderr.on("data", (c: Buffer) => e.push(c.toString()));
  return { io: { stdout, stderr, env: {} }, out: () => o.join(""), err: () => e.join("") };
}

describe("terrafix CLI", () => {
  it("lists every command of the CLI contract in --help", async () => {
    const t = io();
    expect(await runCli(["--help"], notImplementedHandlers(), t.io)).toBe(0);
    for (const command of ["run", "process-once", "stats", "cleanup", "retry", "match", "fix", "check"]) expect(t.out()).toContain(command);
  });

  it("prints the version", async () => {
    const t = io();
    expect(await runCli(["--version"], notImplementedHandlers(), t.io)).toBe(0);
    expect(t.out().trim()).toBe(VERSION);
  });

  it("exits 2 with one line for a command that is not implemented", async () => {
    const t = io();
    const handlers: CommandHandlers = { ...notImplementedHandlers() };
    expect(await runCli(["stats"], handlers, t.io)).toBe(2);
    expect(t.err()).toBe("terrafix stats: not implemented yet\n");
  });

  it("exits 2 on bad usage", async () => {
    expect(await runCli(["match"], notImplementedHandlers(), io().io)).toBe(2);
    expect(await runCli(["cleanup", "--older-than", "soon"], notImplementedHandlers(), io().io)).toBe(2);
    expect(await runCli(["process-once", "--limit", "0"], notImplementedHandlers(), io().io)).toBe(2);
    expect(await runCli(["fix", "--repo", ".", "--test", "t", "--arn", "a", "--generator", "magic"], notImplementedHandlers(), io().io)).toBe(2);
    const t = io();
    expect(await runCli(["match", "--repo", "."], notImplementedHandlers(), t.io)).toBe(2);
    expect(t.err()).toContain("give --arn, or --name with --type");
    expect(await runCli(["bogus"], notImplementedHandlers(), io().io)).toBe(2);
    expect(await runCli(["retry"], notImplementedHandlers(), io().io)).toBe(2);
    expect(await runCli(["retry", "--failed", "--key", "abc"], notImplementedHandlers(), io().io)).toBe(2);
  });

  it("passes parsed options to the handler and returns its exit code", async () => {
    const seen: unknown[] = [];
    const handlers: CommandHandlers = {
      ...notImplementedHandlers(),
      match: (options) => {
        seen.push(options);
        return Promise.resolve(1);
      },
      cleanup: (options) => {
        seen.push(options);
        return Promise.resolve(0);
      },
      processOnce: (options) => {
        seen.push(options);
        return Promise.resolve(0);
      },
    };
    const t = io();
    expect(await runCli(["--config", "x.yml", "match", "--repo", "r", "--name", "b", "--type", "S3 bucket", "--tag", "env=prod", "--tag", "team=a=b", "--json"], handlers, t.io)).toBe(1);
    expect(await runCli(["cleanup", "--older-than", "30d", "--dry-run"], handlers, t.io)).toBe(0);
    expect(await runCli(["process-once", "--dry-run", "--limit", "3"], handlers, t.io)).toBe(0);
    expect(seen).toEqual([
      { config: "x.yml", repo: "r", name: "b", type: "S3 bucket", tags: { env: "prod", team: "a=b" }, json: true },
      { olderThan: "30d", olderThanMs: 30 * 86_400_000, dryRun: true },
      { dryRun: true, limit: 3 },
    ]);
  });

  it("exits 1 when a handler throws an unexpected error", async () => {
    const t = io();
    const handlers: CommandHandlers = { ...notImplementedHandlers(), check: () => Promise.reject(new Error("disk on fire")) };
    expect(await runCli(["check", "--repo", "."], handlers, t.io)).toBe(1);
    expect(t.err()).toBe("terrafix: disk on fire\n");
  });
});

describe("parseDuration", () => {
  it.each([
    ["30d", 30 * 86_400_000],
    ["12h", 12 * 3_600_000],
    ["90m", 90 * 60_000],
    ["45s", 45_000],
    ["2w", 2 * 604_800_000],
    ["250ms", 250],
  ])("%s", (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(["", "30", "d", "-1d", "1y"])("rejects %j", (text) => expect(() => parseDuration(text)).toThrow("is not a duration"));
});
