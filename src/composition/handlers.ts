import { notImplementedHandlers, type CommandHandlers } from "../cli/context.js";
import { checkCommand } from "./check-command.js";
import { processOnceCommand, runCommand } from "./daemon-commands.js";
import { fixCommand } from "./fix-command.js";
import { matchCommand } from "./match-command.js";
import { cleanupCommand, retryCommand, statsCommand } from "./state-commands.js";

/** Wires every CLI command to the parts that do the work. */
export function createHandlers(): CommandHandlers {
  return {
    ...notImplementedHandlers(),
    run: runCommand,
    processOnce: (options, io) => processOnceCommand(options, io),
    stats: statsCommand,
    cleanup: cleanupCommand,
    retry: retryCommand,
    match: matchCommand,
    fix: fixCommand,
    check: checkCommand,
  };
}
