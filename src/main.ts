import { runCli } from "./cli/program.js";
import { createHandlers } from "./composition/handlers.js";

/**
 * Composition root: configuration -> adapters -> daemon or command. Adapters are built only here
 * and in src/composition/ (lint-enforced).
 */
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
process.exitCode = await runCli(process.argv.slice(2), createHandlers(), io);
