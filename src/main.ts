import { runCli } from "./cli/program.js";
import { createHandlers } from "./composition/handlers.js";

/**
 * Composition root: configuration -> adapters -> daemon or command. Adapters are built only here
 * and in src/composition/ (lint-enforced).
 */
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
// `terrafix controls | head`: the reader went away and the output is no longer wanted. Stop
// quietly, as `git log | head` does, instead of crashing with an unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const code = await runCli(process.argv.slice(2), createHandlers(), io);
process.exitCode = code;
// The work and its output are done. End now, with the command's exit code: nothing a command
// left behind (a keep-alive socket, a database pool, the hcl2json worker thread, a retry timer)
// may keep the process alive after its answer. Pino's transports flush synchronously on exit;
// stdout and stderr are flushed here first (a reader that went away must not keep us waiting:
// at most a second, on a timer that holds nothing open).
await Promise.race([Promise.all([flushed(process.stdout), flushed(process.stderr)]), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
process.exit(code);

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write("", () => resolve());
  });
}
