import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { CommandHandlers } from "../../src/cli/context.js";
import { runCli } from "../../src/cli/program.js";
import { createHandlers } from "../../src/composition/handlers.js";

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

let workDir: string | undefined;
/** One work dir per test process (the persistent parse cache lives there), never ./data of the checkout. */
function testWorkDir(): string {
  if (workDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "terrafix-cli-work-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    workDir = dir;
  }
  return workDir;
}

/** Drives the real CLI parser in-process with captured stdout and stderr. */
export async function runTerrafix(argv: string[], givenEnv: NodeJS.ProcessEnv = {}, handlers: CommandHandlers = createHandlers()): Promise<CliResult> {
  const env = { TERRAFIX_WORK_DIR: testWorkDir(), ...givenEnv };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (c: Buffer) => out.push(c.toString()));
  stderr.on("data", (c: Buffer) => err.push(c.toString()));
  const code = await runCli(argv, handlers, { stdout, stderr, env });
  return { code, out: out.join(""), err: err.join("") };
}
