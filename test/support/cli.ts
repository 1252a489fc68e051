import { PassThrough } from "node:stream";
import type { CommandHandlers } from "../../src/cli/context.js";
import { runCli } from "../../src/cli/program.js";
import { createHandlers } from "../../src/composition/handlers.js";

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Drives the real CLI parser in-process with captured stdout and stderr. */
export async function runTerrafix(argv: string[], env: NodeJS.ProcessEnv = {}, handlers: CommandHandlers = createHandlers()): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (c: Buffer) => out.push(c.toString()));
  stderr.on("data", (c: Buffer) => err.push(c.toString()));
  const code = await runCli(argv, handlers, { stdout, stderr, env });
  return { code, out: out.join(""), err: err.join("") };
}
